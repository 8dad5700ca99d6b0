"""The packaged app, end to end: build the bundle and the .deb, install the .deb into this
machine, run the installed app, check what it put on the system, remove it.

This is the test a user's first five minutes depend on, so it runs the real thing:
``packaging/build.sh``, ``apt-get install ./…deb``, ``/usr/bin/ftp-inspector --version``
and ``--self-test`` (demo server on 127.0.0.1, the window offscreen, a listing, a
download and its hash). It needs root and dpkg; without them it is skipped with the
reason. With them (CI) it must run, so a missing PyInstaller is a failure, not a skip.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from installed_deb import PACKAGE, REPO, InstalledPackage
from installed_deb import app_env as _app_env
from installed_deb import describe as _describe
from installed_deb import run as _run

from client import APP_ID, __version__

# One worker builds and installs the .deb once for both modules (tools/run-tests
# distributes with --dist loadgroup): a second worker would wait for the first one's
# whole run on the install lock, then build it again.
pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900),
              pytest.mark.xdist_group("installed-deb")]

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def test_deb_is_named_after_pyproject_version_and_dpkg_architecture(installed: InstalledPackage) -> None:
    arch = _run(["dpkg", "--print-architecture"], timeout=30).stdout.strip()
    # pyproject's PEP 440 version as dpkg spells it (identical for a plain X.Y.Z).
    version = _run([sys.executable, str(REPO / "packaging" / "deb" / "debian_version.py"),
                    __version__], timeout=30).stdout.strip()
    assert installed.deb.name == f"{PACKAGE}_{version.split(':')[-1]}_{arch}.deb"
    fields = _run(["dpkg-deb", "--field", str(installed.deb), "Package", "Version",
                   "Architecture"], timeout=60).stdout
    assert f"Version: {version}" in fields
    assert f"Architecture: {arch}" in fields


def test_installed_launcher_reports_the_version(installed: InstalledPackage, tmp_path: Path) -> None:
    launcher = Path("/usr/bin/ftp-inspector")
    assert launcher.is_symlink() and os.readlink(launcher) == "/opt/ftp-inspector/ftp-inspector"
    result = _run([str(launcher), "--version"], timeout=120, env=_app_env(tmp_path))
    assert result.returncode == 0, _describe(result)
    assert result.stdout.strip() == f"ftp-inspector {__version__}"


def test_installed_app_passes_its_self_test(installed: InstalledPackage, tmp_path: Path) -> None:
    result = _run(["/usr/bin/ftp-inspector", "--self-test"], timeout=300,
                  env=_app_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, "the installed app failed --self-test\n" + _describe(result)


def test_installed_app_passes_its_self_test_on_a_real_x_server(installed: InstalledPackage,
                                                               tmp_path: Path) -> None:
    """The same self-test through the bundled xcb platform plugin (Xvfb), which is what
    an X11 desktop uses: proves the plugin and the XCB libraries it needs load."""
    if shutil.which("xvfb-run") is None:
        pytest.skip("xvfb-run is not installed (Debian packages xvfb and xauth)")
    env = _app_env(tmp_path)
    env.pop("QT_QPA_PLATFORM")
    result = _run(["xvfb-run", "--auto-servernum", "--server-args=-screen 0 1280x800x24 -nolisten tcp",
                   "env", "QT_QPA_PLATFORM=xcb", "/usr/bin/ftp-inspector", "--self-test"],
                  timeout=300, env=env, cwd=tmp_path)
    assert result.returncode == 0, "the installed app failed --self-test on Xvfb\n" + _describe(result)


def test_installed_app_passes_its_self_test_on_a_wayland_compositor(
        installed: InstalledPackage, tmp_path: Path) -> None:
    """The same self-test through the bundled wayland platform plugin, on Weston's
    headless backend (a real compositor that draws into memory)."""
    if shutil.which("weston") is None:
        pytest.skip("weston is not installed (Debian package weston); the Wayland plugin "
                    "is then only checked for its libraries")
    env = _app_env(tmp_path)
    runtime = Path(env["XDG_RUNTIME_DIR"])
    socket = "wayland-ftpi-test"
    compositor = subprocess.Popen(
        ["weston", "--backend=headless-backend.so", f"--socket={socket}", "--idle-time=0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(600):  # up to 60 s for the socket on a loaded machine
            if (runtime / socket).exists() or compositor.poll() is not None:
                break
            time.sleep(0.1)
        assert (runtime / socket).exists(), "weston did not start: " + (
            compositor.stderr.read() if compositor.poll() is not None else "no socket")
        env.update(QT_QPA_PLATFORM="wayland", WAYLAND_DISPLAY=socket)
        result = _run(["/usr/bin/ftp-inspector", "--self-test"], timeout=300, env=env,
                      cwd=tmp_path)
        assert result.returncode == 0, \
            "the installed app failed --self-test on Wayland\n" + _describe(result)
    finally:
        compositor.terminate()
        try:
            compositor.wait(timeout=10)
        except subprocess.TimeoutExpired:
            compositor.kill()
            compositor.wait()
        compositor.stderr.close()


def test_bundle_holds_the_qt_parts_a_desktop_client_needs_and_no_others(
        installed: InstalledPackage) -> None:
    qt = Path("/opt/ftp-inspector/_internal/PySide6/Qt")
    plugins = {path.relative_to(qt / "plugins").as_posix()
               for path in (qt / "plugins").rglob("*.so")}
    for needed in ("platforms/libqxcb.so", "platforms/libqwayland.so",
                   "platforms/libqoffscreen.so", "imageformats/libqsvg.so",
                   "iconengines/libqsvgicon.so", "wayland-shell-integration/libxdg-shell.so",
                   "xcbglintegrations/libqxcb-glx-integration.so"):
        assert needed in plugins, f"missing Qt plugin {needed}"
    assert not any(name.startswith(("platformthemes/libqgtk3", "sqldrivers/", "printsupport/",
                                    "egldeviceintegrations/", "qmltooling/")) for name in plugins)
    libraries = {path.name for path in Path("/opt/ftp-inspector/_internal").rglob("libQt6*")}
    assert not {name for name in libraries
                if name.startswith(("libQt6Qml", "libQt6Quick", "libQt6WebEngine", "libQt6Pdf",
                                    "libQt6Multimedia", "libQt63D", "libQt6Charts"))}
    dangling = [str(path) for path in Path("/opt/ftp-inspector").rglob("*")
                if path.is_symlink() and not path.exists()]
    assert not dangling, f"dangling links in the bundle: {dangling}"


def test_installed_demo_server_serves_ftps(installed: InstalledPackage, tmp_path: Path) -> None:
    """The bundled demo server's TLS scenario: a certificate made with cryptography,
    TLS served through pyOpenSSL, PROT P data connections — all from the bundle."""
    import ftplib
    import ssl
    from urllib.parse import urlsplit

    server = subprocess.Popen(["/usr/bin/ftp-inspector", "demo-server", "--scenario", "tls"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**_app_env(tmp_path), "FTP_PASSWORD": "package-test"},
                              cwd=tmp_path)
    try:
        ready, _, _ = select.select([server.stdout], [], [], 120)
        assert ready, "the demo server printed no URL within 120 s"
        url = urlsplit(server.stdout.readline().strip())
        assert url.scheme == "ftpes" and url.hostname == "127.0.0.1", url
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # a self-signed demo certificate


        class SessionReusingFtpTls(ftplib.FTP_TLS):
            """The demo server, like vsftpd, wants data connections to resume the
            control connection's TLS session."""

            def ntransfercmd(self, cmd: str, rest: int | None = None) -> tuple:
                conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
                if self._prot_p:
                    conn = self.context.wrap_socket(conn, server_hostname=self.host,
                                                    session=self.sock.session)
                return conn, size

        client = SessionReusingFtpTls(context=context, timeout=30)
        client.connect(url.hostname, url.port)
        client.login(url.username, "package-test")  # AUTH TLS happens first
        assert isinstance(client.sock, ssl.SSLSocket)
        client.prot_p()
        names = client.nlst()
        client.quit()
        assert "README.txt" in names, names
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()
        server.stderr.close()


def test_installed_desktop_entry_validates(installed: InstalledPackage) -> None:
    desktop = Path(f"/usr/share/applications/{APP_ID}.desktop")
    assert desktop.is_file()
    if shutil.which("desktop-file-validate") is None:
        pytest.fail("desktop-file-validate is missing (Debian package desktop-file-utils)",
                    pytrace=False)
    result = _run(["desktop-file-validate", str(desktop)], timeout=60)
    assert result.returncode == 0 and not result.stdout.strip(), _describe(result)
    # The URL handlers reached the MIME cache that file managers and browsers consult.
    cache = Path("/usr/share/applications/mimeinfo.cache")
    if shutil.which("update-desktop-database"):
        text = cache.read_text()
        for scheme in ("ftp", "ftps", "ftpes", "sftp"):
            assert f"x-scheme-handler/{scheme}=" in text and f"{APP_ID}.desktop" in text


def test_installed_metainfo_validates(installed: InstalledPackage) -> None:
    metainfo = Path(f"/usr/share/metainfo/{APP_ID}.metainfo.xml")
    assert metainfo.is_file()
    if shutil.which("appstreamcli") is None:
        pytest.fail("appstreamcli is missing (Debian package appstream)", pytrace=False)
    result = _run(["appstreamcli", "validate", "--no-net", str(metainfo)], timeout=120)
    assert result.returncode == 0, _describe(result)


def test_icons_are_installed_in_the_hicolor_theme(installed: InstalledPackage) -> None:
    hicolor = Path("/usr/share/icons/hicolor")
    for size in ICON_SIZES:
        png = hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert png.is_file(), f"missing {png}"
        # PNG IHDR: width and height as big-endian 32-bit numbers at offsets 16 and 20.
        header = png.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(header[16:20], "big") == size
        assert int.from_bytes(header[20:24], "big") == size
    assert (hicolor / "scalable" / "apps" / f"{APP_ID}.svg").is_file()


def test_package_owns_its_files_and_documents_them(installed: InstalledPackage) -> None:
    listing = _run(["dpkg", "-L", PACKAGE], timeout=60).stdout.splitlines()
    for path in ("/usr/share/doc/ftp-inspector/copyright",
                 "/usr/share/doc/ftp-inspector/changelog.gz",
                 "/usr/share/man/man1/ftp-inspector.1.gz",
                 "/opt/ftp-inspector/ftp-inspector"):
        assert path in listing, f"{path} is not in the package"
    depends = _run(["dpkg-query", "-W", "-f=${Depends}", PACKAGE], timeout=60).stdout
    for library in ("libc6", "libegl1", "libgl1", "libxcb1", "fontconfig", "fonts-dejavu-core",
                    "libxcb-cursor0", "libxkbcommon-x11-0"):
        assert library in depends


def _dependency_closure(packages: list[str]) -> set[str]:
    """The installed packages that the given ones pull in (Depends and Pre-Depends)."""
    output = _run(["apt-cache", "depends", "--recurse", "--installed", "--no-recommends",
                   "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces",
                   "--no-enhances", *packages], timeout=120).stdout
    closure = set(packages)
    for line in output.splitlines():
        item = line.strip()
        if not item.startswith("|") and ":" in item and item.split(":")[0] in {"Depends", "PreDepends"}:
            item = item.split(":", 1)[1]
        item = item.lstrip("|").strip().strip("<>").split(":")[0]
        if item:
            closure.add(item)
    return closure


def test_bundle_links_only_to_libraries_the_package_depends_on(installed: InstalledPackage) -> None:
    """Every library the installed bundle loads from the system is found, and comes from
    a declared dependency or what those pull in, so `apt install` on a bare machine is
    enough. The loader path is the one the bundle's launcher sets (its _internal folder)."""
    declared = _run(["dpkg-query", "-W", "-f=${Depends}", PACKAGE], timeout=60).stdout
    # Essential packages (and what they pull in) are on every Debian system: no need to
    # declare them (policy 3.5).
    essential = [line.split()[0] for line in _run(
        ["dpkg-query", "-W", "-f=${Package} ${Essential}\n"], timeout=60).stdout.splitlines()
        if line.endswith(" yes")]
    provided = _dependency_closure([item.split()[0] for item in declared.split(",")] + essential)
    internal = Path("/opt/ftp-inspector/_internal")
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))
    outside: dict[str, str] = {}
    not_found: list[str] = []
    for path in sorted(internal.rglob("*.so*")):
        if not path.is_file() or path.is_symlink():
            continue
        for line in _run(["ldd", str(path)], timeout=60, env=env).stdout.splitlines():
            if "=>" not in line:
                continue
            name, target = line.split("=>")[0].strip(), line.split("=>")[1].split("(")[0].strip()
            if target == "not found":
                not_found.append(f"{name} (needed by {path})")
            elif target and not target.startswith(str(internal)):
                outside.setdefault(target, str(path))
    assert not not_found, "libraries found neither in the bundle nor on the system:\n" + \
        "\n".join(not_found)
    undeclared: list[str] = []
    for library, user in sorted(outside.items()):
        owner = _run(["dpkg", "-S", os.path.realpath(library)], timeout=60)
        if owner.returncode != 0:
            owner = _run(["dpkg", "-S", library], timeout=60)
        package = owner.stdout.split(":")[0].strip() if owner.returncode == 0 else "?"
        if package not in provided:
            undeclared.append(f"{library} (package {package}, loaded by {user})")
    assert not undeclared, "system libraries from undeclared packages:\n" + "\n".join(undeclared)


def test_lintian_finds_nothing_beyond_the_documented_overrides(installed: InstalledPackage) -> None:
    if shutil.which("lintian") is None:
        pytest.skip("lintian is not installed (Debian package lintian); the overrides in "
                    "packaging/deb/lintian-overrides are checked where it is")
    result = _run(["lintian", "--tag-display-limit", "0", str(installed.deb)], timeout=300)
    findings = [line for line in result.stdout.splitlines()
                if line[:2] in {"E:", "W:"}
                # zstd: read by every dpkg this package can run on (libc6 >= 2.36), but
                # lintian follows the Debian archive, which takes only xz and gzip.
                and "malformed-deb-archive" not in line]
    assert not findings, "lintian:\n" + "\n".join(findings)
