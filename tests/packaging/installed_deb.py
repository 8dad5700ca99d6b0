"""The .deb built from this checkout, installed on this machine once per test run.

Shared by the end-to-end modules (test_package.py, test_installed_sftp.py) through the
session fixture ``installed`` in conftest.py: one build, one ``apt-get install``, one
purge at the end. Skipped with the reason without root or dpkg; a missing PyInstaller is
a failure, not a skip.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["PACKAGE", "REPO", "InstalledPackage", "app_env", "apt", "describe",
           "install_for_the_session", "package_status", "run"]

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "ftp-inspector"
# Serialises builds and installs when several test runs share a machine.
LOCK_FILE = Path("/tmp/ftp-inspector-packaging-test.lock")


def _why_not_runnable() -> str | None:
    if os.geteuid() != 0:
        return "installing the .deb needs root (this test runs as root in CI)"
    for tool in ("dpkg-deb", "dpkg", "apt-get"):
        if shutil.which(tool) is None:
            return f"{tool} not found: the .deb can only be built and installed on Debian/Ubuntu"
    return None


@dataclass(frozen=True)
class InstalledPackage:
    """The .deb built from this checkout, installed on the machine for the test run."""

    deb: Path
    bundle: Path
    work: Path


def run(cmd: list[str], *, timeout: float, env: dict[str, str] | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=cwd, check=False)


def describe(result: subprocess.CompletedProcess[str]) -> str:
    return (f"command {result.args!r} exited with {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}")


def apt(*args: str) -> list[str]:
    # Wait for another apt/dpkg run (a colleague's install) instead of failing at once.
    return ["apt-get", "-o", "DPkg::Lock::Timeout=300", "-y", "-q", *args]


def package_status(package: str = PACKAGE) -> str:
    result = run(["dpkg-query", "-W", "-f=${Status}", package], timeout=30)
    return result.stdout.strip() if result.returncode == 0 else ""


def install_for_the_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InstalledPackage]:
    reason = _why_not_runnable()
    if reason:
        pytest.skip(reason)
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.fail("PyInstaller is missing, so the bundle cannot be built: install the "
                    "'package' extra (pip install -e '.[package]')", pytrace=False)

    LOCK_FILE.touch(exist_ok=True)
    lock = LOCK_FILE.open("r+")
    fcntl.flock(lock, fcntl.LOCK_EX)
    work = tmp_path_factory.mktemp("packaging")
    try:
        if "install ok installed" in package_status():
            pytest.skip(f"{PACKAGE} is already installed on this machine; the test would "
                        f"replace and then remove it (apt-get purge {PACKAGE} first)")
        dist = work / "dist"
        env = dict(os.environ, PYTHON=sys.executable)
        build = run([str(REPO / "packaging" / "build.sh"), "--dist", str(dist),
                      "--work", str(work / "build")], timeout=800, env=env)
        assert build.returncode == 0, "packaging/build.sh failed\n" + describe(build)
        debs = sorted(dist.glob(f"{PACKAGE}_*.deb"))
        assert len(debs) == 1, f"expected one .deb in {dist}, found {debs}"
        # Free the staging copies now: only the bundle and the .deb are needed.
        shutil.rmtree(work / "build", ignore_errors=True)

        # Tests stay on loopback: every dependency must already be installed (by
        # tools/install-system-deps), so apt has nothing to download. (apt-get's own
        # --no-download rejects local .deb files.)
        depends = run(["dpkg-deb", "--field", str(debs[0]), "Depends"], timeout=60).stdout
        absent = [name for name in (item.split()[0] for item in depends.split(","))
                  if "install ok installed" not in package_status(name)]
        assert not absent, ("the .deb depends on packages this machine lacks: "
                            f"{' '.join(absent)} (tools/install-system-deps installs them; "
                            "the test does not download)")
        install = run(apt("install", "--no-install-recommends", str(debs[0])), timeout=600)
        assert install.returncode == 0, "installing the .deb failed\n" + describe(install)
        try:
            yield InstalledPackage(deb=debs[0], bundle=dist / PACKAGE, work=work)
        finally:
            purge = run(apt("purge", PACKAGE), timeout=300)
            assert purge.returncode == 0, "removing the package failed\n" + describe(purge)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


def app_env(tmp_path: Path) -> dict[str, str]:
    """A clean environment for the installed app: offscreen Qt, private config and home."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"PYTHONPATH", "FTP_PASSWORD", "DISPLAY", "WAYLAND_DISPLAY",
                          "SSH_AUTH_SOCK", "SSH_KEY_PASSPHRASE", "FTP_PROXY_PASSWORD"}}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"),
               FTP_INSPECTOR_CONFIG_DIR=str(tmp_path / "config"),
               XDG_RUNTIME_DIR=str(tmp_path / "runtime"))
    for folder in ("home", "config", "runtime"):
        (tmp_path / folder).mkdir(mode=0o700)
    return env
