"""FTP Inspector: an FTP, FTPS and SFTP client whose engine shows every control line and
explains every data connection (who dials whom, on which port, and where it stuck)."""

from __future__ import annotations

__all__ = ["__version__", "APP_NAME", "APP_ID"]

APP_NAME = "FTP Inspector"
APP_ID = "io.github.ftp_inspector.FtpInspector"

_DIST_NAME = "ftp-inspector"


def _pyproject_version() -> str | None:
    """The version in the source checkout's pyproject.toml, when this package is one.

    Read with a plain file read and ``re`` (which every command imports anyway):
    ``importlib.metadata`` alone costs a command more start-up time than its own work.
    """
    import os
    import re

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "pyproject.toml")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return None
    if not re.search(rf'^name\s*=\s*"{_DIST_NAME}"', text, re.M):
        return None
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
    return match.group(1) if match else None


def _dist_info_version(folder: str | None = None) -> str | None:
    """The version in the installed metadata next to this package (a wheel puts
    ``ftp_inspector-X.dist-info`` beside ``client/``; the PyInstaller bundle copies it
    there too), read as a file: ``importlib.metadata`` and the email parser it loads
    cost an installed ``--version`` ~30 ms."""
    import os

    if folder is None:
        folder = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    prefix = _DIST_NAME.replace("-", "_") + "-"
    try:
        names = [entry.name for entry in os.scandir(folder)
                 if entry.name.startswith(prefix) and entry.name.endswith(".dist-info")]
    except OSError:
        return None
    if len(names) != 1:  # none, or leftovers of several installs: ask importlib
        return None
    try:
        with open(os.path.join(folder, names[0], "METADATA"), encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("Version:"):
                    return line.split(":", 1)[1].strip() or None
                if not line.strip():  # the headers end at the first empty line
                    break
    except OSError:
        pass
    return None


def _read_version() -> str:
    """One version source: pyproject.toml — the checkout's own file when running from
    source, else the installed metadata built from it (a wheel, a bundle: the
    PyInstaller spec copies the metadata)."""
    found = _pyproject_version() or _dist_info_version()
    if found is not None:
        return found
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover - a stripped bundle
        return "0+unknown"
    try:
        return version(_DIST_NAME)
    except PackageNotFoundError:
        return "0+unknown"


def __getattr__(name: str) -> str:
    """``__version__`` is read on first use: most commands never print it."""
    if name == "__version__":
        value = _read_version()
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
