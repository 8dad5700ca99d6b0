"""Write the Debian changelog of the .deb from CHANGELOG.md (Keep a Changelog format).

Usage: python3 debian_changelog.py CHANGELOG.md VERSION "Name <email>" > changelog

CHANGELOG.md stays the one place where changes are written down; Debian tools want
their own format in /usr/share/doc/ftp-inspector/changelog.gz, so this converts every
released section (``## [X.Y.Z] - YYYY-MM-DD``) into a Debian entry, newest first. It
fails when VERSION has no section: a package whose changes were never written down is
not released. Entry versions are written the Debian way (see debian_version.py).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from debian_version import debian_version  # noqa: E402  (a sibling script, not a package)

SECTION = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?\s*$")
HEADING = re.compile(r"^### (?P<kind>.+?)\s*$")
ITEM = re.compile(r"^\s*[-*] (?P<text>.+)$")


@dataclass(frozen=True)
class Release:
    """One released section of CHANGELOG.md."""

    version: str
    date: datetime
    items: tuple[str, ...]


def parse_changelog(text: str) -> list[Release]:
    """Released sections in file order (newest first); "Unreleased" is skipped."""
    releases: list[Release] = []
    version: str | None = None
    date: datetime | None = None
    kind = ""
    items: list[str] = []

    def close() -> None:
        if version is not None and date is not None:
            releases.append(Release(version, date, tuple(items)))

    for line in text.splitlines():
        if match := SECTION.match(line):
            close()
            version, kind, items = match["version"], "", []
            date = (datetime.strptime(match["date"], "%Y-%m-%d").replace(tzinfo=UTC)
                    if match["date"] else None)
            if version.lower() == "unreleased":
                version = None
        elif match := HEADING.match(line):
            kind = match["kind"]
        elif version is not None and (match := ITEM.match(line)):
            items.append(f"{kind}: {match['text']}" if kind else match["text"])
        elif version is not None and items and line.startswith("  ") and line.strip():
            items[-1] += " " + line.strip()  # continuation of a wrapped item
    close()
    return releases


def wrap(text: str, width: int = 76) -> list[str]:
    """Wrap an item as a Debian changelog bullet ("  * " then "    " continuation)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width - 4:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return ["  * " + lines[0]] + ["    " + line for line in lines[1:]] if lines else []


def debian_changelog(releases: list[Release], package: str, maintainer: str) -> str:
    out: list[str] = []
    for release in releases:
        out.append(f"{package} ({debian_version(release.version)}) unstable; urgency=medium")
        out.append("")
        for item in release.items or ("Release.",):
            out.extend(wrap(item))
        out.append("")
        out.append(f" -- {maintainer}  {format_datetime(release.date)}")
        out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    changelog, version, maintainer = Path(argv[1]), argv[2], argv[3]
    releases = parse_changelog(changelog.read_text(encoding="utf-8"))
    if not releases or releases[0].version != version:
        found = releases[0].version if releases else "no released section"
        print(f"debian_changelog: {changelog} must start with a section '## [{version}] - "
              f"YYYY-MM-DD' for the version being packaged; its newest release is {found}",
              file=sys.stderr)
        return 1
    sys.stdout.write(debian_changelog(releases, "ftp-inspector", maintainer))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
