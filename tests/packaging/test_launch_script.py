"""``tools/launch``, the README's first command, on the Pythons a new user has.

Each case runs the real script from a copy of ``tools/`` with a stand-in ``python3`` on
PATH that answers as a given interpreter would (pip present, pip refusing with PEP 668,
no pip at all) and records what it was asked to do; the stand-in ``python3 -m venv``
makes a stand-in ``.venv/bin/python`` that records the same way. PATH holds only the
few tools the script uses, and no apt-get, so nothing is installed on the machine and
no package index is contacted.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# What the stand-in interpreters do, keyed on their arguments; each call is logged.
_FAKE_PYTHON = r"""#!/bin/sh
echo "$0 $*" >>"$LAUNCH_LOG"
case "$0" in *.venv/bin/python) FAKE_PIP=ok ;; esac  # a venv always has a working pip
case "$*" in
  "-m pip --version")
    [ "$FAKE_PIP" = absent ] && { echo "No module named pip" >&2; exit 1; }
    exit 0 ;;
  "-m pip install"*)
    case "$FAKE_PIP" in
      externally-managed) echo "error: externally-managed-environment" >&2; exit 1 ;;
      broken) echo "ERROR: No matching distribution found for PySide6" >&2; exit 1 ;;
    esac
    exit 0 ;;
  "-m venv"*)
    mkdir -p .venv/bin
    cp "$0" .venv/bin/python
    chmod +x .venv/bin/python
    exit 0 ;;
  "-m client"*) exit 0 ;;
esac
echo "unexpected call: $*" >&2
exit 99
"""
_TOOLS = ("bash", "sh", "cat", "grep", "rm", "mktemp", "dirname", "id", "mkdir", "chmod",
          "cp")


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A checkout holding tools/launch (the install step itself is the stand-in's)."""
    root = tmp_path / "checkout"
    (root / "tools").mkdir(parents=True)
    shutil.copy2(REPO / "tools" / "launch", root / "tools" / "launch")
    shutil.copy2(REPO / "tools" / "install-system-deps", root / "tools" / "install-system-deps")
    return root


def _launch(checkout: Path, tmp_path: Path, pip: str, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in _TOOLS:
        found = shutil.which(tool)
        assert found, f"{tool} is needed to run tools/launch"
        (bin_dir / tool).unlink(missing_ok=True)
        (bin_dir / tool).symlink_to(found)
    python = bin_dir / "python3"
    python.write_text(_FAKE_PYTHON)
    python.chmod(0o755)
    log = tmp_path / "calls.log"
    log.write_text("")
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "TMPDIR": str(tmp_path),
           "LAUNCH_LOG": str(log), "FAKE_PIP": pip}
    result = subprocess.run([str(bin_dir / "bash"), str(checkout / "tools" / "launch"), *args],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
                            check=False)
    calls = [line.replace(f"{checkout}/", "").replace(str(bin_dir), "BIN")
             for line in log.read_text().splitlines()]
    return result, calls


def test_a_python_with_pip_installs_there_and_starts_the_app(checkout: Path, tmp_path: Path) -> None:
    result, calls = _launch(checkout, tmp_path, "ok", "--demo")
    assert result.returncode == 0, result.stderr
    assert calls == ["BIN/python3 -m pip --version",
                     "BIN/python3 -m pip install --disable-pip-version-check -q .",
                     "BIN/python3 -m client --demo"]


def test_an_externally_managed_python_gets_a_venv(checkout: Path, tmp_path: Path) -> None:
    result, calls = _launch(checkout, tmp_path, "externally-managed", "--demo")
    assert result.returncode == 0, result.stderr
    assert calls == ["BIN/python3 -m pip --version",
                     "BIN/python3 -m pip install --disable-pip-version-check -q .",
                     "BIN/python3 -m venv --clear .venv",
                     ".venv/bin/python -m pip --version",
                     ".venv/bin/python -m pip install --disable-pip-version-check -q .",
                     ".venv/bin/python -m client --demo"]
    assert (checkout / ".venv" / "bin" / "python").is_file()


def test_a_python_without_pip_gets_a_venv_instead_of_failing(checkout: Path, tmp_path: Path) -> None:
    """Debian and Ubuntu desktops ship python3 without python3-pip: the README's first
    command stopped there with "No module named pip"."""
    result, calls = _launch(checkout, tmp_path, "absent", "--demo")
    assert result.returncode == 0, result.stderr
    assert "has no pip; installing into ./.venv" in result.stderr
    assert not any("python3 -m pip install" in call for call in calls)
    assert "BIN/python3 -m venv --clear .venv" in calls
    assert calls[-2:] == [".venv/bin/python -m pip install --disable-pip-version-check -q .",
                          ".venv/bin/python -m client --demo"]


def test_an_existing_venv_is_reused(checkout: Path, tmp_path: Path) -> None:
    _launch(checkout, tmp_path, "absent")
    result, calls = _launch(checkout, tmp_path, "absent", "--version")
    assert result.returncode == 0, result.stderr
    assert not any("-m venv" in call for call in calls)
    assert calls[-1] == ".venv/bin/python -m client --version"


def test_a_failing_install_reports_pip_s_error(checkout: Path, tmp_path: Path) -> None:
    result, calls = _launch(checkout, tmp_path, "broken", "--demo")
    assert result.returncode == 1
    assert "No matching distribution found for PySide6" in result.stderr
    assert not any("-m client" in call for call in calls)
    assert not list(tmp_path.glob("ftpi-pip.*")), "the pip error file was left behind"
