"""An installed copy of the checkout, as a user has it: a wheel built from the sources,
installed (not editable) into a virtual environment outside the checkout, without the
system interpreter's site-packages.

The checkout's own start-up is not a user's: this machine's system Python runs a
sandbox ``.pth`` hook that imports ``certifi`` into every process, and the development
install is editable (its import finder costs milliseconds per process). The ``cli``
case measures both, so a start-up figure can be told apart from the machine's.

The first run creates the environment and installs the wheel with its dependencies
through pip (the package index pip is configured for); later runs with the same
``--venv`` only reinstall the project itself (``--no-deps``), a few seconds.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

from bench.harness import ROOT

__all__ = ["install_checkout", "venv_python", "venv_script"]

_SOURCES = ("client", "resources")
_FILES = ("pyproject.toml", "setup.py", "README.md")


def venv_python(env_dir: Path) -> Path:
    return env_dir / "bin" / "python"


def venv_script(env_dir: Path) -> Path:
    return env_dir / "bin" / "ftp-inspector"


def _build_wheel(work: Path) -> Path:
    """A wheel of the checkout as it is now, built from a copy (no build/ or egg-info
    folders are left in the checkout)."""
    source = work / "source"
    for name in _SOURCES:
        shutil.copytree(ROOT / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in _FILES:
        shutil.copy2(ROOT / name, source / name)
    dist = work / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-q", "-w", str(dist), str(source)],
                   check=True, cwd=work, capture_output=True, text=True)
    return next(dist.glob("ftp_inspector-*.whl"))


def install_checkout(env_dir: Path) -> Path:
    """Install the checkout's wheel into ``env_dir`` (created when missing); returns
    the environment's ``ftp-inspector`` script."""
    fresh = not venv_python(env_dir).exists()
    if fresh:
        venv.EnvBuilder(with_pip=True, symlinks=True, system_site_packages=False) \
            .create(env_dir)
    with tempfile.TemporaryDirectory(prefix="ftpi-wheel-") as tmp:
        wheel = _build_wheel(Path(tmp))
        extra = [] if fresh else ["--no-deps", "--force-reinstall"]
        done = subprocess.run([str(venv_python(env_dir)), "-m", "pip", "install", "-q",
                               "--disable-pip-version-check", *extra, str(wheel)],
                              cwd=tmp, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pip install of the wheel into {env_dir} failed: "
                           f"{done.stderr.strip()[-800:]}")
    return venv_script(env_dir)
