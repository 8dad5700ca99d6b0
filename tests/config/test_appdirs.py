"""The settings and data folders: the Linux answer computed without platformdirs (so
that ``get`` can look for its default proxy before it dials) is platformdirs' own."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from client.config import appdirs

APP = "ftp-inspector"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the shortcut is for Linux; elsewhere platformdirs answers")


@pytest.mark.parametrize(("config_home", "data_home", "shortcut"), [
    (None, None, True),  # ~/.config and ~/.local/share
    ("{tmp}/xdg-config", "{tmp}/xdg-data", True),  # absolute: used as they are
    ("{tmp}/xdg-config/", "{tmp}/xdg-data/", True),
    ("", "", True),  # empty: as unset
    ("  ", "  ", True),
    ("relative/config", "relative/data", False),  # not absolute: platformdirs decides
])
def test_the_folders_are_platformdirs_own(monkeypatch, tmp_path: Path, config_home: str | None,
                                          data_home: str | None, shortcut: bool) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FTP_INSPECTOR_CONFIG_DIR", raising=False)
    monkeypatch.delenv("ANDROID_DATA", raising=False)
    monkeypatch.setenv("HOME", str(home))
    for name, value in (("XDG_CONFIG_HOME", config_home), ("XDG_DATA_HOME", data_home)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value.format(tmp=tmp_path))
    assert (appdirs._xdg_folder("XDG_CONFIG_HOME", ".config") is not None) is shortcut
    assert appdirs.config_dir(create=False) == Path(platformdirs.user_config_dir(APP))
    assert appdirs.data_dir() == Path(platformdirs.user_data_dir(APP))
    assert appdirs.pin_file() == Path(platformdirs.user_data_dir(APP)) / "pins.json"


def test_a_relative_home_is_left_to_platformdirs(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FTP_INSPECTOR_CONFIG_DIR", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", "relative-home")
    assert appdirs._xdg_folder("XDG_CONFIG_HOME", ".config") is None
    assert appdirs.config_dir(create=False) == Path(platformdirs.user_config_dir(APP))
