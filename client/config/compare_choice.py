"""The comparison rule the user chose last: in View → Directory comparison or in the
Synchronise dialog. One rule for both, so the dialog starts comparing the way the panes
do (and the way the user last asked for).

A JSON file in the config folder (``compare.json``), Qt-free like the other settings
here; a missing, unreadable or unknown value means "no choice yet".
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from client.config.appdirs import config_dir
from client.config.jsonfile import write_json_atomically
from client.engine.sync import CompareRule

__all__ = ["CompareChoice"]

log = logging.getLogger(__name__)

_FILE_VERSION = 1


class CompareChoice:
    """Load and save the last comparison rule (``compare.json``)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or (config_dir() / "compare.json")

    def load(self) -> CompareRule | None:
        """The rule chosen last; None when none was chosen (or the file is unusable)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("comparison choice %s is not readable (%s)", self.path, exc)
            return None
        value = data.get("rule") if isinstance(data, dict) else None
        try:
            return CompareRule(value)
        except ValueError:
            return None

    def save(self, rule: CompareRule) -> None:
        """Remember ``rule`` (a failed write is logged: a setting is not worth an error)."""
        try:
            write_json_atomically(self.path, {"version": _FILE_VERSION, "rule": rule.value})
        except OSError as exc:
            log.warning("could not save the comparison choice to %s (%s)", self.path, exc)
