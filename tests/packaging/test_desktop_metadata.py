"""Desktop entry, AppStream metainfo, CHANGELOG and version: valid by the distribution's
own validators, and consistent with each other and with the app (one app id, one
version, one set of URL schemes)."""

from __future__ import annotations

import ast
import configparser
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from client import APP_ID, APP_NAME, __version__

REPO = Path(__file__).resolve().parents[2]
DESKTOP = REPO / "resources" / f"{APP_ID}.desktop"
METAINFO = REPO / "resources" / f"{APP_ID}.metainfo.xml"
CHANGELOG = REPO / "CHANGELOG.md"
SCHEMES = ("ftp", "ftps", "ftpes", "sftp")


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive in desktop files
    parser.read_string(DESKTOP.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package {package}; "
                    "tools/install-system-deps --test installs it)")
    return path


def test_desktop_file_passes_desktop_file_validate() -> None:
    tool = _tool("desktop-file-validate", "desktop-file-utils")
    result = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_metainfo_passes_appstreamcli_validate() -> None:
    tool = _tool("appstreamcli", "appstream")
    result = subprocess.run([tool, "validate", "--no-net", str(METAINFO)], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    # Only the <developer> tag (AppStream 1.0, unknown to 0.16) may be remarked on.
    remarks = [line for line in result.stdout.splitlines() if re.match(r"^[EWI]: ", line)]
    assert all("unknown-tag developer" in line for line in remarks), remarks


def test_desktop_entry_opens_ftp_urls_with_the_app() -> None:
    entry = _desktop_entry()
    assert entry["Name"] == APP_NAME
    assert entry["Exec"] == "ftp-inspector %u"
    assert entry["Icon"] == APP_ID
    assert set(filter(None, entry["Categories"].split(";"))) >= {"Network", "FileTransfer"}
    mime = set(filter(None, entry["MimeType"].split(";")))
    assert mime == {f"x-scheme-handler/{scheme}" for scheme in SCHEMES}


def test_every_link_handler_claims_the_schemes_the_window_opens() -> None:
    """The window opens sftp:// addresses given on its command line, but the desktop
    entry, AppStream, the macOS Info.plist and the Windows installer still offered it
    only ftp/ftps/ftpes links, so a clicked sftp:// link never reached it."""
    from client.ui import launch
    from client.ui.app import OPENABLE_SCHEMES

    opened = {prefix.split("://")[0] for prefix in launch._OPENABLE_PREFIXES if "://" in prefix}
    assert set(SCHEMES) == opened == set(OPENABLE_SCHEMES)
    spec = (REPO / "packaging" / "ftp-inspector.spec").read_text()
    plist = re.search(r'"CFBundleURLSchemes": \[([^\]]*)\]', spec).group(1)
    assert set(re.findall(r'"([a-z]+)"', plist)) == opened
    iss = (REPO / "packaging" / "windows" / "ftp-inspector.iss").read_text()
    capable = set(re.findall(r'URLAssociations"; ValueType: string; ValueName: "([a-z]+)"', iss))
    assert capable == opened


def test_desktop_action_runs_an_option_the_app_has(child_env: dict[str, str]) -> None:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read_string(DESKTOP.read_text(encoding="utf-8"))
    assert _desktop_entry()["Actions"] == "demo;"
    command = parser["Desktop Action demo"]["Exec"].split()
    assert command == ["ftp-inspector", "--demo"]
    usage = subprocess.run([sys.executable, "-m", "client", "--help"], capture_output=True,
                           text=True, timeout=60, env=child_env, cwd=REPO, check=False).stdout
    assert "--demo" in usage


@pytest.mark.gui
def test_running_app_matches_its_desktop_entry(child_env: dict[str, str]) -> None:
    """On X11 Qt sets WM_CLASS to the application name, on Wayland the app id is the
    desktop file name: a mismatch leaves the running window without its menu entry and
    icon in docks and task bars. The window icon must come from client.resources."""
    probe = (
        "from client.ui.app import create_application\n"
        "from PySide6.QtGui import QGuiApplication\n"
        "app = create_application(['ftp-inspector'])\n"
        "print(app.applicationName())\n"
        "print(QGuiApplication.desktopFileName())\n"
        "print('icon' if not app.windowIcon().isNull() else 'no icon')\n"
        "print(sorted(s.width() for s in app.windowIcon().availableSizes()))\n"
    )
    env = dict(child_env, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120, env=env, cwd=REPO, check=False)
    assert result.returncode == 0, result.stderr
    name, desktop_file_name, icon, sizes = result.stdout.split("\n")[:4]
    assert _desktop_entry()["StartupWMClass"] == name
    assert desktop_file_name == APP_ID
    assert icon == "icon"
    # rendered sizes, not only the SVG (which needs Qt's SVG plugin to show at all)
    assert {16, 32, 48, 256} <= set(ast.literal_eval(sizes))


def test_metainfo_names_the_same_app_launcher_and_url_handlers() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("name") == APP_NAME
    assert root.find("launchable").text == f"{APP_ID}.desktop"
    assert root.find("launchable").get("type") == "desktop-id"
    assert root.find("content_rating") is not None
    provided = {element.text for element in root.iterfind("provides/mediatype")}
    assert provided == {f"x-scheme-handler/{scheme}" for scheme in SCHEMES}
    assert root.findtext("provides/binary") == "ftp-inspector"
    images = [image.text for image in root.iterfind("screenshots/screenshot/image")]
    assert images
    for url in images:
        assert url.startswith("https://"), "AppStream wants absolute https URLs"
        # Each URL names a screenshot kept in the repository.
        relative = url.split("/main/", 1)[1]
        assert relative.startswith("docs/screenshots/") and (REPO / relative).is_file(), url


def _changelog_releases() -> list[tuple[str, str]]:
    return re.findall(r"^## \[(\d[^\]]*)\] - (\d{4}-\d{2}-\d{2})$", CHANGELOG.read_text(), re.M)


def test_version_has_one_source_and_every_release_list_agrees() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    declared = re.search(r'^version = "([^"]+)"', pyproject, re.M).group(1)
    assert __version__ == declared
    releases = _changelog_releases()
    assert releases and releases[0][0] == declared, \
        "CHANGELOG.md's newest release must be the version in pyproject.toml"
    root = ET.parse(METAINFO).getroot()
    appstream = [(r.get("version"), r.get("date")) for r in root.iterfind("releases/release")]
    assert appstream[0] == releases[0], "metainfo's newest <release> must match CHANGELOG.md"
    assert set(appstream) <= set(releases)


def test_cli_reports_the_version(child_env: dict[str, str]) -> None:
    result = subprocess.run([sys.executable, "-m", "client", "--version"], capture_output=True,
                            text=True, timeout=60, env=child_env, cwd=REPO, check=False)
    assert result.stdout.strip() == f"ftp-inspector {__version__}"
