"""What `pip install ftp-inspector` puts on disk holds every file the app reads.

The development checkout is installed in editable mode, which reads data files straight
from the source tree and so hides any file the package metadata forgets (the bundle is
staged from the tree too). This test runs setuptools' own build step — the one a wheel is
made from — on a copy of the checkout and compares: every non-Python file under client/
and resources/ must come out in the built package.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _data_files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".py", ".pyc"}
    }


def _copy_tree(origin: Path, target: Path) -> None:
    """Copy a source folder; a file that vanishes mid-copy (an editor saving) gets one
    more try rather than a failure unrelated to packaging."""
    for attempt in (1, 2):
        try:
            shutil.copytree(origin, target, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            return
        except shutil.Error:
            if attempt == 2:
                raise


def test_wheel_build_keeps_every_data_file(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("client", "resources"):
        _copy_tree(REPO / name, source / name)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, source / name)
    built = tmp_path / "built"
    result = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(built)],
        cwd=source, capture_output=True, text=True, timeout=180, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    expected = {f"client/{name}" for name in _data_files(source / "client")}
    expected |= {f"client/resources/{name}" for name in _data_files(source / "resources")}
    missing = sorted(expected - _data_files(built))
    assert not missing, (
        "files the app reads that a pip install would leave out (add them to "
        "[tool.setuptools.package-data] in pyproject.toml):\n" + "\n".join(missing)
    )
