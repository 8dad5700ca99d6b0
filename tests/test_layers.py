"""The architecture's layering, enforced: import-linter's contracts (pyproject.toml) and
a direct check that the sans-I/O core and the engine import cleanly without Qt."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_are_kept() -> None:
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.fail("import-linter is part of the test extra; install '.[test]'")
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_protocol_and_engine_import_without_qt_or_asyncio_in_protocol() -> None:
    """In a fresh interpreter: importing every protocol module loads no asyncio, socket
    or Qt; importing the engine loads no Qt."""
    code = (
        "import sys, pkgutil, importlib\n"
        "import client\n"  # its version lookup (importlib.metadata) pulls in socket via email
        "before = set(sys.modules)\n"
        "import client.protocol as p\n"
        "for m in pkgutil.walk_packages(p.__path__, 'client.protocol.'):\n"
        "    importlib.import_module(m.name)\n"
        "new = set(sys.modules) - before\n"
        "bad = [n for n in ('asyncio', 'socket', 'ssl', 'selectors', 'PySide6') if n in new]\n"
        "assert not bad, bad\n"
        "import client.engine as e\n"
        "for m in pkgutil.walk_packages(e.__path__, 'client.engine.'):\n"
        "    importlib.import_module(m.name)\n"
        "assert 'PySide6' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_ruff_is_clean() -> None:
    exe = shutil.which("ruff")
    if exe is None:
        pytest.fail("ruff is part of the test extra; install '.[test]'")
    result = subprocess.run([exe, "check", "client", "tests", "bench", "tools"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_window_reaches_nothing_it_does_not_declare() -> None:
    """No ``type: ignore[attr-defined]`` and no ``find_spec`` guard in client/ui: the
    window's parts get typed collaborators, so nothing needs to reach past a type."""
    found = [f"{path.relative_to(ROOT)}:{number}"
             for path in sorted((ROOT / "client" / "ui").rglob("*.py"))
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if "type: ignore[attr-defined]" in line or "find_spec(" in line]
    assert found == []
