"""Where the app keeps its settings and data.

``FTP_INSPECTOR_CONFIG_DIR`` overrides both (tests and portable installs use it so that
nothing touches the user's real settings); otherwise the platform's usual folders.
No Qt here: the CLI resolves ``site:NAME`` through the same folders.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["config_dir", "data_dir", "log_dir", "session_log_enabled", "pin_file",
           "known_hosts_file"]

_APP = "ftp-inspector"


def config_dir(*, create: bool = True) -> Path:
    """Settings: window state, saved sites (never passwords). ``create=False`` for a
    reader that only looks for a file: a command that saves nothing (``get``, ``ls``)
    leaves no empty settings folder behind."""
    override = os.environ.get("FTP_INSPECTOR_CONFIG_DIR")
    path = Path(override) if override else Path(platformdirs.user_config_dir(_APP))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """Data the app writes besides its settings (logs, saved state)."""
    override = os.environ.get("FTP_INSPECTOR_CONFIG_DIR")
    path = Path(override) / "data" if override else Path(platformdirs.user_data_dir(_APP))
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    """The always-on session logs of the window and the command line: ``logs`` in the
    data folder (made by the log when it writes its first line)."""
    return data_dir() / "logs"


def session_log_enabled() -> bool:
    """The window's preference (``sessionLog/enabled`` in ``window.ini``, on unless turned
    off), read without Qt so that the command line follows it too. configparser (~2 ms
    with its patterns) loads only when the file names the section at all."""
    path = config_dir(create=False) / "window.ini"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return True
    if "sessionLog" not in text:
        return True
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error:
        return True
    value = parser.get("sessionLog", "enabled", fallback="true")
    return value.strip().lower() not in ("false", "0")


def pin_file() -> Path:
    """The pinned certificate fingerprints: ``pins.json`` in the override folder, else
    in the platform's user data folder (where they have always been kept)."""
    override = os.environ.get("FTP_INSPECTOR_CONFIG_DIR")
    if override:
        return Path(override) / "pins.json"
    return Path(platformdirs.user_data_dir(_APP)) / "pins.json"


def known_hosts_file() -> Path:
    """The SSH host keys the user trusted in this app ("trust always"), in OpenSSH's
    ``known_hosts`` format, beside ``pins.json``. The user's own ``~/.ssh/known_hosts``
    is read as well but never written."""
    return pin_file().with_name("known_hosts")
