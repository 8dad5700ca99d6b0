"""Where the app keeps its settings and data.

``FTP_INSPECTOR_CONFIG_DIR`` overrides both (tests and portable installs use it so that
nothing touches the user's real settings); otherwise the platform's usual folders.
No Qt here: the CLI resolves ``site:NAME`` through the same folders.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["config_dir", "data_dir", "pin_file", "known_hosts_file"]

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
