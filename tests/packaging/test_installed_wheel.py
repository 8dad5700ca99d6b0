"""The wheel, installed as a user installs it, starts the app.

The suite itself runs from an editable install, which reads modules straight from the
checkout and so hides a package that the wheel leaves out (a folder without
``__init__.py`` is not a package to ``find_packages``). Here the wheel is built from a
copy of the sources, installed **non-editable** into a new virtual environment outside
the checkout, and run from there: ``--version``, every module importable, and
``--self-test`` (the real window, offscreen, against the demo server).

The new environment gets its third-party dependencies through a path entry pointing at
this interpreter's site-packages (a plain path line in a ``.pth`` file: the editable
install's own ``.pth`` hook there is not run), so the test needs no package index and
only the project's own files come from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# one worker runs the module (tools/run-tests: --dist loadgroup): its module-scoped wheel and venv
# is then made once, not once per worker
pytestmark = [pytest.mark.packaging, pytest.mark.xdist_group("installed-wheel")]


def _source_modules() -> set[str]:
    """Every module of the source tree, as dotted names."""
    names = set()
    for path in (REPO / "client").rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        parts = path.relative_to(REPO).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.add(".".join(parts))
    return names


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a fresh venv holding the wheel built from the checkout."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in ("client", "resources"):
        shutil.copytree(REPO / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(REPO / name, source / name)
    dist = root / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-q", "-w", str(dist), str(source)],
        cwd=root, capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = next(dist.glob("ftp_inspector-*.whl"))

    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env_dir)
    bin_dir = env_dir / "bin"
    env_python = bin_dir / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(env_python), "install", "--no-deps",
         "--no-compile", "--disable-pip-version-check", "-q", str(wheel)],
        cwd=root, capture_output=True, text=True, timeout=300, check=False)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    # Third-party dependencies from this interpreter, not the project itself. Written
    # only after the install: a pip that saw this interpreter's packages would take the
    # development install for the one to replace, and uninstall it.
    purelib = subprocess.run(
        [str(env_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "ftpi-test-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n")
    return bin_dir


def _run(bin_dir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["HOME"] = str(bin_dir.parent)
    return subprocess.run(list(args), cwd=bin_dir.parent, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path) -> None:
    result = _run(installed, str(installed / "python"), "-c",
                  "import client; print(client.__file__)")
    assert result.returncode == 0, result.stderr
    assert str(installed.parent) in result.stdout and str(REPO) not in result.stdout


def test_every_module_of_the_source_tree_is_installed(installed: Path) -> None:
    result = _run(installed, str(installed / "python"), "-c",
                  "import client, pkgutil\n"
                  "for m in pkgutil.walk_packages(client.__path__, 'client.'):\n"
                  "    print(m.name)\n"
                  "print('client')")
    assert result.returncode == 0, result.stderr
    missing = sorted(_source_modules() - set(result.stdout.split()))
    assert not missing, "modules the wheel leaves out (a folder without __init__.py?): " \
        + ", ".join(missing)


def test_version_runs_from_the_installed_script(installed: Path) -> None:
    result = _run(installed, str(installed / "ftp-inspector"), "--version")
    assert result.returncode == 0, result.stderr
    assert "0." in result.stdout


def test_installed_version_is_read_without_importlib_metadata(installed: Path) -> None:
    """The installed ``--version`` reads the wheel's METADATA file beside the package:
    ``importlib.metadata`` (and the email parser it loads) would triple its start-up."""
    from client import __version__

    child = ("import sys\nfrom client.entry import main\nmain(['--version'])\n"
             "print(sorted(m for m in sys.modules if m.startswith(('importlib.metadata', "
             "'email'))))")
    result = _run(installed, str(installed / "python"), "-c", child)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"ftp-inspector {__version__}", "[]"]


def test_self_test_opens_the_window_from_the_installed_script(installed: Path) -> None:
    result = _run(installed, str(installed / "ftp-inspector"), "--self-test", timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr


def test_installing_the_wheel_leaves_this_interpreter_alone(installed: Path) -> None:
    # the development install the suite runs from must survive the venv's install
    result = subprocess.run(
        [sys.executable, "-c", "import importlib.metadata as m; print(m.version('ftp-inspector'))"],
        cwd=installed.parent, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
