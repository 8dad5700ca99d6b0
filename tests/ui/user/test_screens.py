"""Every dialog and wizard page on a 1366x768 and a 1280x720 screen: the window fits the
screen, its buttons are on it, and no label or button text is cut (tests/ui/user/fit.py).

Each screen size is its own process (screen_child.py): Qt's offscreen screen is fixed
when the application starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# one worker runs the module (tools/run-tests: --dist loadgroup): its module-scoped reports (a child process per screen size)
# is then made once, not once per worker
pytestmark = [pytest.mark.gui, pytest.mark.xdist_group("ui-screens")]

HERE = Path(__file__).resolve().parent
TESTS = HERE.parents[1]
SIZES = ("1366x768", "1280x720")
DIALOGS = ("main window", "about box", "site manager", "site manager, new site",
           "diagnose: plan page", "diagnose: run page, running", "diagnose: run page, done",
           "diagnose: verdict page", "certificate", "file exists", "permissions",
           "create folder", "confirm delete")
KNOWN: dict[str, str] = {}  # dialog -> the known defect it shows (xfail), none now


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[str]]]:
    folder = tmp_path_factory.mktemp("screens")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS / "guard"), str(TESTS.parent),
                                         env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    guard_log = folder / "netguard.log"
    env["FTP_INSPECTOR_NETGUARD_LOG"] = str(guard_log)
    env["FTP_INSPECTOR_CONFIG_DIR"] = str(folder / "config")
    found: dict[str, dict[str, list[str]]] = {}
    for size in SIZES:
        report = folder / f"{size}.json"
        done = subprocess.run([sys.executable, "-X", "faulthandler", str(HERE / "screen_child.py"),
                               size, str(report)], env=env, capture_output=True, text=True,
                              timeout=150, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        found[size] = json.loads(report.read_text())
    assert not (guard_log.exists() and guard_log.read_text().strip())
    return found


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dialog", DIALOGS)
def test_dialog_fits_the_screen_and_shows_its_texts_whole(reports, size: str, dialog: str,
                                                          request: pytest.FixtureRequest) -> None:
    if dialog in KNOWN:
        request.applymarker(pytest.mark.xfail(strict=False, reason=KNOWN[dialog]))
    assert dialog in reports[size], f"{dialog} was not opened"
    assert reports[size][dialog] == []
