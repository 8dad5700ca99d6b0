"""``man ftp-inspector`` is generated from the argument parsers and kept current."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from client.arguments import SUBCOMMANDS

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "packaging" / "deb" / "ftp-inspector.1"


def test_the_page_is_generated_from_the_current_parsers() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "make-manpage"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_command_and_option_is_on_the_page() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for name in SUBCOMMANDS:
        assert f".SS {name.replace('-', chr(92) + '-')}" in text, name
    for option in ("--epsv", "--eprt", "--pasv-address", "--data-timeout", "--demo",
                   "--self-test"):
        assert option.replace("-", "\\-") in text, option


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_groff_renders_the_page_without_a_warning() -> None:
    done = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(PAGE)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
