"""Suite-wide configuration: headless Qt, and the loopback-only network guard.

The guard is autouse: a test whose code (or a thread it started) tries to connect to
anything but 127.0.0.0/8 or ::1 fails, even if the code under test swallowed the error.
Child processes get the same guard through ``tests/guard/sitecustomize.py`` (use the
``child_env`` fixture when starting one).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
# Never let a test touch the developer's real settings or keyring.
os.environ.setdefault("FTP_INSPECTOR_CONFIG_DIR", str(Path("/tmp") / f"ftpi-test-config-{os.getpid()}"))

import pytest  # noqa: E402

TESTS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS_DIR))

import netguard  # noqa: E402

netguard.install()

pytest_plugins = [
    "fixtures.servers",
    "fixtures.proxies",
    "fixtures.qt_messages",
]


@pytest.fixture(autouse=True)
def _loopback_only_guard() -> object:
    netguard.violations(clear=True)
    yield
    found = netguard.violations(clear=True)
    if found:
        pytest.fail("network guard: " + "; ".join(found), pytrace=False)


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_main_thread() -> object:
    """Once the Qt application exists, cyclic garbage is collected only on the GUI thread
    (client.ui.main_thread_gc), from a Qt timer; a test that never runs Qt's loop gets
    that collection when it ends, so the worker's memory stays bounded."""
    yield
    module = sys.modules.get("client.ui.main_thread_gc")
    if module is not None:
        module.collect_if_due()


@pytest.fixture
def child_env(tmp_path: Path) -> object:
    """Environment for child processes: the same guard via sitecustomize, and a log the
    test checks after the child exits (see :func:`assert_child_stayed_on_loopback`)."""
    log = tmp_path / "netguard.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(TESTS_DIR / "guard"), str(TESTS_DIR.parent), env.get("PYTHONPATH", "")]
    ).rstrip(os.pathsep)
    env["FTP_INSPECTOR_NETGUARD_LOG"] = str(log)
    env["FTP_INSPECTOR_CONFIG_DIR"] = str(tmp_path / "config")
    env.pop("FTP_PASSWORD", None)
    yield env
    if log.exists() and log.read_text().strip():
        pytest.fail("network guard (child process): " + log.read_text(), pytrace=False)


@pytest.fixture(scope="session")
def qapp_cls() -> type:
    """The app's own QApplication class for every test that makes one (whichever test
    of a worker comes first), so a worker never runs the window's tests on a plain one."""
    from client.ui.app import InspectorApplication

    return InspectorApplication


@pytest.fixture(autouse=True)
def _collector_for_headless_tests(request: pytest.FixtureRequest):
    """Once a worker has made the QApplication, the window's rule holds: the automatic
    cyclic collector is off and the GUI thread collects on a Qt timer. A test without Qt
    runs no Qt loop, so nothing would collect: it gets the automatic collector back, as
    a command-line process has it, after leftover window garbage is freed here on the
    main thread (never in a server thread). The window's collector timer is paused
    meanwhile: pytest-qt processes Qt events around each test phase, and its tick would
    switch the collector off again, so a headless test's collector would depend on
    whether a window test ran before it in the same worker."""
    import gc

    if gc.isenabled() or {"qapp", "qtbot", "qloop"} & set(request.fixturenames):
        yield
        return
    window_gc = sys.modules.get("client.ui.main_thread_gc")
    timer = getattr(window_gc, "_timer", None)
    paused = timer is not None and timer.isActive()
    if paused:
        timer.stop()
    gc.collect()
    gc.enable()
    try:
        yield
    finally:
        gc.collect()
        gc.disable()
        if paused:
            timer.start()
