"""packaging/deb/make-deb.sh on a stand-in bundle: the package's layout, modes, owners,
control fields and checksums, and that the same input gives the same bytes. Fast and
without root (dpkg-deb only), so it runs wherever dpkg-deb exists; the end-to-end test in
test_package.py installs a real build."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from client import APP_ID

REPO = Path(__file__).resolve().parents[2]
MAKE_DEB = REPO / "packaging" / "deb" / "make-deb.sh"

# one worker runs the module (tools/run-tests: --dist loadgroup): its module-scoped .deb
# is then made once, not once per worker
pytestmark = [pytest.mark.skipif(shutil.which("dpkg-deb") is None,
                                 reason="dpkg-deb is not installed (Debian package dpkg)"),
              pytest.mark.xdist_group("deb-layout")]


def _stand_in_bundle(root: Path) -> Path:
    bundle = root / "ftp-inspector"
    (bundle / "_internal" / "lib").mkdir(parents=True)
    launcher = bundle / "ftp-inspector"
    launcher.write_text("#!/bin/sh\necho 'ftp-inspector 0.1.0'\n")
    launcher.chmod(0o700)
    (bundle / "_internal" / "lib" / "libexample.so").write_bytes(b"\x7fELF stand-in")
    return bundle


def _make_deb(tmp_path: Path, version: str = "0.1.0", name: str = "out",
              **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHON=sys.executable, SOURCE_DATE_EPOCH="1764028800", **extra_env)
    bundle = tmp_path / "bundle" / "ftp-inspector"
    if not bundle.exists():
        _stand_in_bundle(tmp_path / "bundle")
    return subprocess.run([str(MAKE_DEB), str(bundle), version, str(tmp_path / name),
                           str(tmp_path / f"work-{name}")], capture_output=True, text=True,
                          timeout=120, env=env, check=False)


@pytest.fixture(scope="module")
def deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("deb-layout")
    result = _make_deb(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    return Path(result.stdout.strip())


def _contents(deb: Path) -> dict[str, tuple[str, str, str]]:
    """path -> (mode string, owner/group, link target or '')."""
    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True,
                             text=True, timeout=60, check=True).stdout
    entries = {}
    for line in listing.splitlines():
        mode, owner, _size, _date, _time, rest = line.split(None, 5)
        path, _, target = rest.partition(" -> ")
        entries[path.removeprefix(".")] = (mode, owner, target)
    return entries


def test_file_name_and_control_fields(deb: Path) -> None:
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert deb.name == f"ftp-inspector_0.1.0_{arch}.deb"
    control = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True,
                             text=True, timeout=60, check=True).stdout
    for field in ("Package: ftp-inspector", "Version: 0.1.0", f"Architecture: {arch}",
                  "Section: net", "Priority: optional", "Installed-Size: "):
        assert field in control
    assert "Maintainer: FTP Inspector developers <" in control
    assert not re.search(r"@[A-Z_]+@", control), "a template placeholder was left unfilled"


def test_layout_modes_and_owners(deb: Path) -> None:
    entries = _contents(deb)
    assert all(owner == "root/root" for _, owner, _ in entries.values())
    launcher = entries["/opt/ftp-inspector/ftp-inspector"]
    assert launcher[0] == "-rwxr-xr-x"
    assert entries["/opt/ftp-inspector/_internal/lib/libexample.so"][0] == "-rw-r--r--"
    link = entries["/usr/bin/ftp-inspector"]
    assert link[0].startswith("l") and link[2] == "/opt/ftp-inspector/ftp-inspector"
    for path in (f"/usr/share/applications/{APP_ID}.desktop",
                 f"/usr/share/metainfo/{APP_ID}.metainfo.xml",
                 f"/usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg",
                 "/usr/share/man/man1/ftp-inspector.1.gz",
                 "/usr/share/doc/ftp-inspector/copyright",
                 "/usr/share/doc/ftp-inspector/changelog.gz",
                 "/usr/share/lintian/overrides/ftp-inspector"):
        assert entries[path][0] == "-rw-r--r--", path
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        assert f"/usr/share/icons/hicolor/{size}x{size}/apps/{APP_ID}.png" in entries
    assert all(mode == "drwxr-xr-x" for mode, _, _ in entries.values() if mode[0] == "d")


def test_md5sums_cover_every_file(deb: Path, tmp_path: Path) -> None:
    subprocess.run(["dpkg-deb", "--raw-extract", str(deb), str(tmp_path / "x")], check=True,
                   timeout=60)
    root = tmp_path / "x"
    sums = dict(reversed(line.split("  ", 1))
                for line in (root / "DEBIAN" / "md5sums").read_text().splitlines())
    files = {path.relative_to(root).as_posix() for path in root.rglob("*")
             if path.is_file() and not path.is_symlink() and path.parts[len(root.parts)] != "DEBIAN"}
    assert set(sums) == files
    for name, digest in sums.items():
        assert hashlib.md5((root / name).read_bytes()).hexdigest() == digest  # noqa: S324
    for script in ("postinst", "postrm"):
        assert os.access(root / "DEBIAN" / script, os.X_OK)
        assert (root / "DEBIAN" / script).read_text().startswith("#!/bin/sh\n")


def test_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    first = _make_deb(tmp_path, name="one")
    second = _make_deb(tmp_path, name="two")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    digest = [hashlib.sha256(Path(r.stdout.strip()).read_bytes()).hexdigest()
              for r in (first, second)]
    assert digest[0] == digest[1]


def test_a_version_without_changelog_section_stops_the_build(tmp_path: Path) -> None:
    result = _make_deb(tmp_path, version="0.2.0rc1")  # CHANGELOG.md has no such section
    assert result.returncode != 0
    assert "0.2.0rc1" in result.stderr and "CHANGELOG.md" in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.deb"))


@pytest.mark.parametrize("maintainer", ["nobody", "x <a@b.c>; rm -rf /", "a|b <a@b.c>"])
def test_maintainer_must_be_a_name_and_an_address(tmp_path: Path, maintainer: str) -> None:
    result = _make_deb(tmp_path, DEB_MAINTAINER=maintainer)
    assert result.returncode == 1
    assert "DEB_MAINTAINER must look like" in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.deb"))
