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

from hypothesis import HealthCheck  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

# Hypothesis's two timed checks fail an example that is merely slow: its 200 ms deadline
# per example (a rerun that is fast then raises Flaky) and the "data generation is too
# slow" health check. On a loaded machine (three workers on two cores, other processes
# besides) a worker can lose the CPU for longer than that, so they would make a test's
# outcome depend on the load. Every property is still checked on every example.
hypothesis_settings.register_profile(
    "suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("suite")

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
    (client.ui.main_thread_gc), from a Qt timer; a Qt test whose body never runs Qt's loop
    gets that collection when it ends, so the worker's memory stays bounded. (Tests
    without Qt run with the automatic collector: see ``_collector_for_headless_tests``.)"""
    yield
    import gc

    module = sys.modules.get("client.ui.main_thread_gc")
    if module is not None and not gc.isenabled():
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


QT_FIXTURES = frozenset({"qapp", "qtbot", "qloop"})


@pytest.fixture(autouse=True)
def _collector_for_headless_tests(request: pytest.FixtureRequest):
    """Once a worker has made the QApplication, the window's rule holds for Qt tests: the
    automatic cyclic collector is off and the GUI thread collects on a Qt timer. A test
    without Qt runs no Qt loop, so nothing would collect: it gets the automatic collector
    back, as a command-line process has it. The switch happens only when a test without
    Qt follows a Qt test: leftover window garbage is freed here, once, on the main thread
    (never in a server thread), and the window's collector timer is paused until the
    next Qt test, because pytest-qt processes Qt events around every test phase and its
    tick would switch the collector off again (the code under test would then take a
    path that depended on which tests ran before it in the same worker). A full
    collection per test, as before, cost up to a second each on a worker's large heap."""
    import gc

    window_gc = sys.modules.get("client.ui.main_thread_gc")
    timer = getattr(window_gc, "_timer", None)
    if QT_FIXTURES & set(request.fixturenames):
        if timer is not None and not timer.isActive():
            gc.disable()
            timer.start()
    elif timer is not None and timer.isActive():
        timer.stop()
        gc.collect()
        gc.enable()
    elif not gc.isenabled():
        gc.collect()
        gc.enable()
    yield
