"""The inspector inside the real main window, on real sessions against the demo server:
the dock draws what the engine did, and a hung listing brings up the banner."""

from __future__ import annotations

import pytest

from client.demo import DemoServer
from client.engine.events import DataFailure
from client.engine.explain_failure import RecoveryAction
from client.engine.ladder import DataState, Side
from client.engine.settings import ConnectionSettings, TlsMode, TransferMode

pytestmark = pytest.mark.gui


def settings_for(server: DemoServer, **overrides) -> ConnectionSettings:
    values: dict[str, object] = dict(data_timeout=1.0, control_timeout=10.0,
                                     connect_timeout=10.0)
    values.update(overrides)
    return ConnectionSettings(host=server.host, port=server.port, user=server.user,
                              password=server.password, tls=TlsMode.OFF,
                              **values)  # type: ignore[arg-type]


def connect(window, qtbot, settings: ConnectionSettings) -> BaseException | None:
    task = window.spawn(window.connect_to(settings), pane=window.remote_pane)
    qtbot.waitUntil(task.done, timeout=20_000)
    window.bridge.flush()
    window.inspector_dock.panel.flush()
    return task.exception()


def test_dock_draws_a_real_active_listing(qtbot, window) -> None:
    server = DemoServer("healthy").start()
    try:
        error = connect(window, qtbot, settings_for(server, mode=TransferMode.ACTIVE,
                                                    data_timeout=10.0))
        assert error is None, error
    finally:
        server.stop()
    dock = window.inspector_dock
    assert dock is not None
    arrows = dock.model.data_arrows()
    assert arrows and arrows[-1].source is Side.SERVER and arrows[-1].state is DataState.CLOSED
    assert dock.panel.table_model.rowCount() == len(arrows)
    # the arrow's console row is the console line of the same data connection
    arrow = arrows[-1]
    with qtbot.waitSignal(window.console.line_selected) as chosen:
        dock.panel.console_row_selected.emit(arrow.event_index)
    line = window.console.model.line(chosen.args[0])
    assert f"data #{arrow.channel}" in line.text


def test_blocked_passive_listing_shows_the_banner(qtbot, window) -> None:
    server = DemoServer("passive-blocked", give_up_after=1.5).start()
    try:
        connect(window, qtbot, settings_for(server, use_epsv=False))
        banner = window.hung_listing.banner
        qtbot.waitUntil(banner.isVisible, timeout=15_000)
    finally:
        server.stop()
    arrows = window.inspector_dock.model.data_arrows()
    assert arrows[-1].failure is DataFailure.CONNECT_TIMEOUT
    assert arrows[-1].state is DataState.FAILED
    text = banner.message.text()
    assert text.startswith("The directory listing did not arrive")
    assert f"offered {arrows[-1].server_end} for the data connection (PASV)" in text
    assert "never answered" in text and "passive port range" in text
    assert banner.visible_actions()[0] is RecoveryAction.RETRY_ACTIVE
    assert RecoveryAction.STAT_LISTING in banner.visible_actions()
    assert RecoveryAction.DIAGNOSE in banner.visible_actions()
