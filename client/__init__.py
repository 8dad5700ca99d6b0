"""FTP Inspector: an FTP/FTPS client whose engine shows every control line and
explains every data connection (who dials whom, on which port, and where it stuck)."""

from __future__ import annotations

__all__ = ["__version__", "APP_NAME", "APP_ID"]

APP_NAME = "FTP Inspector"
APP_ID = "io.github.ftp_inspector.FtpInspector"


def _read_version() -> str:
    """One version source: pyproject.toml, read through the installed metadata.

    A bundle carries the metadata (the PyInstaller spec copies it); a source checkout
    that was never installed falls back to reading pyproject.toml directly.
    """
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("ftp-inspector")
    except PackageNotFoundError:
        import pathlib
        import re

        pyproject = pathlib.Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            match = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text(), re.M)
        except OSError:
            match = None
        return match.group(1) if match else "0+unknown"


__version__ = _read_version()
