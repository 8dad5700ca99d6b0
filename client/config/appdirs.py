"""Where the app keeps its settings and data.

``FTP_INSPECTOR_CONFIG_DIR`` overrides both (tests and portable installs use it so that
nothing touches the user's real settings); otherwise the platform's usual folders.
No Qt here: the CLI resolves ``site:NAME`` through the same folders.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["config_dir", "data_dir", "log_dir", "session_log_enabled", "pin_file",
           "known_hosts_file"]

_APP = "ftp-inspector"


def _xdg_folder(variable: str, default: str) -> Path | None:
    """platformdirs' answer on a Linux desktop, without importing it: ``get`` looks for
    the default-proxy file before it dials, and platformdirs loads tempfile, shutil and
    random with it (~5 ms). ``$XDG_…`` when it is an absolute path, else ``default``
    under an absolute ``$HOME`` (the XDG Base Directory rules). None in every other
    case (another system, Android, a relative or missing ``$HOME``, a relative
    ``$XDG_…``): platformdirs decides those. tests/config/test_appdirs.py holds both to the
    same answers."""
    if not sys.platform.startswith("linux") or "ANDROID_DATA" in os.environ:
        return None
    value = os.environ.get(variable, "")
    if os.path.isabs(value):
        return Path(value) / _APP
    if value.strip():
        return None
    home = os.environ.get("HOME", "")
    return Path(home) / default / _APP if os.path.isabs(home) else None


def config_dir(*, create: bool = True) -> Path:
    """Settings: window state, saved sites (never passwords). ``create=False`` for a
    reader that only looks for a file: a command that saves nothing (``get``, ``ls``)
    leaves no empty settings folder behind."""
    override = os.environ.get("FTP_INSPECTOR_CONFIG_DIR")
    if override:
        path = Path(override)
    else:
        path = _xdg_folder("XDG_CONFIG_HOME", ".config") or _platform_folder("config")
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """Data the app writes besides its settings (logs, saved state)."""
    override = os.environ.get("FTP_INSPECTOR_CONFIG_DIR")
    if override:
        path = Path(override) / "data"
    else:
        path = _xdg_folder("XDG_DATA_HOME", ".local/share") or _platform_folder("data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _platform_folder(kind: str) -> Path:
    import platformdirs

    if kind == "config":
        return Path(platformdirs.user_config_dir(_APP))
    return Path(platformdirs.user_data_dir(_APP))


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
    folder = _xdg_folder("XDG_DATA_HOME", ".local/share") or _platform_folder("data")
    return folder / "pins.json"


def known_hosts_file() -> Path:
    """The SSH host keys the user trusted in this app ("trust always"), in OpenSSH's
    ``known_hosts`` format, beside ``pins.json``. The user's own ``~/.ssh/known_hosts``
    is read as well but never written."""
    return pin_file().with_name("known_hosts")
