"""packaging/deb/debian_changelog.py: CHANGELOG.md (Keep a Changelog) to Debian format."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "packaging" / "deb" / "debian_changelog.py"
MAINTAINER = "FTP Inspector developers <ftp-inspector@users.noreply.github.com>"

spec = importlib.util.spec_from_file_location("debian_changelog", SCRIPT)
debian_changelog = importlib.util.module_from_spec(spec)
sys.modules["debian_changelog"] = debian_changelog  # dataclasses look the module up
spec.loader.exec_module(debian_changelog)

SAMPLE = """# Changelog

## [Unreleased]

### Added
- Not released yet, so not in the Debian changelog.

## [0.2.0] - 2027-01-31

### Fixed
- A 227 reply with a trailing dot is decoded.

### Added
- A much longer entry that goes on and on about what was added so that it has to be
  wrapped over more than one line in the Debian format, which allows 80 columns.

## [0.1.0] - 2026-11-25

- First release.
"""


def test_released_sections_become_entries_newest_first() -> None:
    releases = debian_changelog.parse_changelog(SAMPLE)
    assert [r.version for r in releases] == ["0.2.0", "0.1.0"]
    assert releases[0].date == datetime(2027, 1, 31, tzinfo=UTC)
    assert releases[0].items[0] == "Fixed: A 227 reply with a trailing dot is decoded."
    assert releases[0].items[1].startswith("Added: A much longer entry")
    assert releases[0].items[1].endswith("which allows 80 columns.")  # continuation joined
    assert releases[1].items == ("First release.",)


def test_output_is_debian_changelog_syntax() -> None:
    text = debian_changelog.debian_changelog(
        debian_changelog.parse_changelog(SAMPLE), "ftp-inspector", MAINTAINER)
    lines = text.splitlines()
    assert lines[0] == "ftp-inspector (0.2.0) unstable; urgency=medium"
    assert lines[2].startswith("  * Fixed: ")
    assert f" -- {MAINTAINER}  Sun, 31 Jan 2027 00:00:00 +0000" in lines
    assert all(len(line) <= 80 for line in lines if not line.startswith(" -- "))
    assert "Not released yet" not in text


def test_dpkg_parses_the_generated_changelog(tmp_path: Path) -> None:
    parser = Path("/usr/bin/dpkg-parsechangelog")
    if not parser.exists():
        pytest.skip("dpkg-parsechangelog not found (Debian package dpkg-dev)")
    changelog = tmp_path / "changelog"
    changelog.write_text(debian_changelog.debian_changelog(
        debian_changelog.parse_changelog(SAMPLE), "ftp-inspector", MAINTAINER))
    result = subprocess.run([str(parser), "-l", str(changelog), "-S", "Version"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0.2.0"


def test_packaging_a_version_without_a_changelog_section_fails(tmp_path: Path) -> None:
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text(SAMPLE)
    result = subprocess.run([sys.executable, str(SCRIPT), str(changelog), "0.3.0", MAINTAINER],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "0.3.0" in result.stderr and "0.2.0" in result.stderr
    assert result.stdout == ""


def test_project_changelog_converts_for_the_current_version() -> None:
    from client import __version__

    result = subprocess.run([sys.executable, str(SCRIPT), str(REPO / "CHANGELOG.md"),
                             __version__, MAINTAINER],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ftp-inspector ({__version__}) unstable; urgency=medium")
