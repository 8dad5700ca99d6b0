"""The README is the short front door; everything else is the MkDocs site under docs/."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_names_the_two_commands() -> None:
    assert "tools/launch --demo" in README
    assert "tools/run-tests" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "exec tools/run-tests" in ci


def test_readme_stays_short() -> None:
    assert len(README.splitlines()) <= 200


def test_every_relative_link_of_the_readme_exists() -> None:
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README)
    local = [t for t in targets if "://" not in t]
    assert local, "the README links into the documentation"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing, missing


def test_every_docs_page_is_in_the_site_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = [p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")]
    missing = [p for p in pages if p not in nav]
    assert not missing, f"pages not in mkdocs.yml's nav: {missing}"


def test_the_test_command_builds_the_site_strictly() -> None:
    script = (ROOT / "tools" / "run-tests").read_text(encoding="utf-8")
    assert "mkdocs build --strict" in script
