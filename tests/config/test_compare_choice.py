"""The remembered comparison rule: saved and read back; a file that is missing,
damaged or from a newer version means "no choice yet", never an error."""

from __future__ import annotations

from pathlib import Path

from client.config.compare_choice import CompareChoice
from client.engine.sync import CompareRule


def test_a_rule_is_read_back(tmp_path: Path) -> None:
    choice = CompareChoice(tmp_path / "compare.json")
    assert choice.load() is None
    choice.save(CompareRule.CHECKSUM)
    assert CompareChoice(tmp_path / "compare.json").load() is CompareRule.CHECKSUM
    assert (tmp_path / "compare.json").stat().st_mode & 0o077 == 0


def test_a_damaged_or_unknown_file_is_no_choice(tmp_path: Path) -> None:
    path = tmp_path / "compare.json"
    for text in ("{not json", "[1, 2]", '{"rule": "by colour"}', '{"rule": 3}'):
        path.write_text(text)
        assert CompareChoice(path).load() is None
