"""The Diagnose wizard and the hung-listing banner inside the real main window, on real
sessions against the demo server: the toolbar/menu entry, "Apply to this site" (the
next listing uses the recommended method; a saved site keeps it), the banner shown
before the data timeout, and its buttons."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QWizard

from client.demo import DemoServer
from client.engine.diagnose.model import Probe
from client.engine.events import DataChannelEvent, DataPhase
from client.engine.explain_failure import RecoveryAction
from client.engine.settings import ConnectionSettings, TlsMode, TransferMode
from client.protocol.addresses import PasvPolicy
from client.ui.inspector.diagnose_wizard import DiagnoseWizard

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qloop, qtbot, config_dir, tmp_path):
    from client.ui.main_window import MainWindow

    local = tmp_path / "local"
    local.mkdir()
    win = MainWindow(local_start=local)
    win.show()
    yield win
    wizard = getattr(win, "diagnose_wizard", None)
    if wizard is not None:
        try:
            wizard.reject()
        except RuntimeError:
            pass  # already deleted
    task = asyncio.ensure_future(win.shutdown())
    qtbot.waitUntil(task.done, timeout=10_000)
    win.close()
    win.deleteLater()


def settings_for(server: DemoServer, **overrides: object) -> ConnectionSettings:
    values: dict[str, object] = dict(data_timeout=1.0, control_timeout=10.0,
                                     connect_timeout=10.0, tls=TlsMode.OFF)
    values.update(overrides)
    return ConnectionSettings(host=server.host, port=server.port, user=server.user,
                              password=server.password, **values)  # type: ignore[arg-type]


class Channels:
    """The data connections the window's sessions open from now on."""

    def __init__(self, window) -> None:
        self.events: list[DataChannelEvent] = []
        self._unsubscribe = window.bus.subscribe(
            lambda e: self.events.append(e) if isinstance(e, DataChannelEvent) else None)

    def closed_methods(self) -> list[str | None]:
        return [e.method for e in self.events if e.phase is DataPhase.CLOSED]

    def close(self) -> None:
        self._unsubscribe()


def spawn_and_wait(window, qtbot, coro, timeout: int = 20_000) -> BaseException | None:
    task = window.spawn(coro, pane=window.remote_pane)
    qtbot.waitUntil(task.done, timeout=timeout)
    window.bridge.flush()
    return None if task.cancelled() else task.exception()


def run_to_verdict(qtbot, wizard: DiagnoseWizard, timeout: float = 1.0) -> None:
    wizard.plan_page.timeout_box.setValue(timeout)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.diagnosis is not None, timeout=60_000)
    wizard.next()
    assert wizard.currentId() == DiagnoseWizard.VERDICT_PAGE


def apply_and_wait(qtbot, wizard: DiagnoseWizard) -> str:
    with qtbot.waitSignal(wizard.applied, timeout=20_000) as applied:
        wizard.verdict_page.apply_button.click()
    return applied.args[0]


def test_toolbar_and_menu_open_the_wizard_for_the_current_site(qtbot, window) -> None:
    action = window.diagnose_action
    assert action in window.toolbar.actions()
    assert action in window.inspector_menu.actions()
    with DemoServer("healthy") as server:
        assert spawn_and_wait(window, qtbot, window.connect_to(settings_for(server))) is None
        action.trigger()
        wizard = window.diagnose_wizard
        assert wizard.isVisible() and not wizard.isModal()
        assert wizard.settings == window.connection.settings
        assert wizard.path == window.remote_pane.current_path
        action.trigger()  # a second click raises the same wizard
        assert window.diagnose_wizard is wizard
        wizard.reject()


def test_apply_switches_to_active_and_the_next_listing_uses_it(qtbot, window) -> None:
    with DemoServer("passive-blocked", give_up_after=1.5) as server:
        error = spawn_and_wait(window, qtbot, window.connect_to(settings_for(server)))
        assert error is not None  # the passive listing failed: the banner offers Diagnose
        banner = window.hung_listing.banner
        # shown when the failure's events reach the window (a bridge flush after the error)
        qtbot.waitUntil(banner.isVisible, timeout=15_000)
        banner.buttons[RecoveryAction.DIAGNOSE].click()
        wizard = window.diagnose_wizard
        # the failure stays explained in the pane while the wizard runs
        assert wizard is not None and wizard.isVisible() and banner.isVisible()
        run_to_verdict(qtbot, wizard)
        assert wizard.diagnosis.verdict.key == "passive-blocked"
        message = apply_and_wait(qtbot, wizard)
        assert "Listing the folder again" in message
        assert not banner.isVisible()  # listing again replaces it
        assert wizard.verdict_page.apply_status.isVisible()
        qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=20_000)
        assert window.connection.settings.mode is TransferMode.ACTIVE
        assert window.connection.session.mode is TransferMode.ACTIVE
        assert window.active_action.isChecked() and window.quick.mode is TransferMode.ACTIVE
        channels = Channels(window)
        assert spawn_and_wait(window, qtbot, window.remote_actions.refresh()) is None
        channels.close()
    assert channels.closed_methods() in (["EPRT"], ["PORT"])
    assert window.remote_pane.model.rowCount() > 0


def test_apply_of_a_new_address_policy_reconnects_and_saves_the_site(
        qtbot, window, memory_keyring) -> None:
    from client.config.sites import Site, SiteStore
    from client.ui.sites.connect import connect_site

    with DemoServer("nat-misconfigured") as server:
        store = SiteStore()
        site = Site(name="demo-nat", host=server.host, port=server.port, tls="off",
                    user=server.user)
        store.upsert(site)
        store.set_password(site.site_id, server.password)
        assert spawn_and_wait(window, qtbot, connect_site(window, store, site)) is None
        first_session = window.connection.session
        window.run_diagnose()
        wizard = window.diagnose_wizard
        run_to_verdict(qtbot, wizard)
        assert wizard.diagnosis.verdict.key == "nat-not-configured"
        message = apply_and_wait(qtbot, wizard)
        assert "Reconnected" in message and "demo-nat" in message
        assert window.connection.session is not first_session
        assert window.connection.session.settings.pasv_policy is PasvPolicy.CONTROL
        channels = Channels(window)
        assert spawn_and_wait(window, qtbot, window.remote_actions.refresh()) is None
        channels.close()
    saved = SiteStore().find("demo-nat")
    assert saved.pasv_policy == PasvPolicy.CONTROL.value and saved.mode == "passive"
    assert saved.commands == "classic"  # PASV to the control address is what worked
    opened = [e for e in channels.events if e.phase is DataPhase.CLOSED]
    assert opened and opened[-1].remote.host == "127.0.0.1"  # never the 227's 192.0.2.10


def test_apply_of_the_extended_commands_needs_no_new_login_and_is_saved(
        qtbot, window, memory_keyring) -> None:
    from client.config.sites import Site, SiteStore
    from client.engine.diagnose.model import Recommendation
    from client.engine.settings import CommandFamily
    from client.ui.inspector.diagnose_install import apply_recommendation
    from client.ui.sites.connect import connect_site

    with DemoServer("healthy") as server:
        store = SiteStore()
        site = Site(name="demo-epsv", host=server.host, port=server.port, tls="off",
                    user=server.user)
        store.upsert(site)
        store.set_password(site.site_id, server.password)
        assert spawn_and_wait(window, qtbot, connect_site(window, store, site)) is None
        session = window.connection.session
        recommendation = Recommendation(TransferMode.PASSIVE, PasvPolicy.AUTO,
                                        commands=CommandFamily.EXTENDED,
                                        text="passive mode with EPSV works")
        task = asyncio.ensure_future(apply_recommendation(window, recommendation))
        qtbot.waitUntil(task.done, timeout=10_000)
        assert "Reconnected" not in task.result()
        assert window.connection.session is session
        assert window.quick.command_family is CommandFamily.EXTENDED
        channels = Channels(window)
        assert spawn_and_wait(window, qtbot, window.remote_actions.refresh()) is None
        channels.close()
    assert channels.closed_methods() and set(channels.closed_methods()) == {"EPSV"}
    assert SiteStore().find("demo-epsv").commands == "extended"


def test_apply_when_both_families_work_keeps_the_sites_extended_choice(
        qtbot, window, memory_keyring) -> None:
    from client.config.sites import Site, SiteStore
    from client.engine.diagnose.model import Recommendation
    from client.engine.settings import CommandFamily
    from client.ui.inspector.diagnose_install import apply_recommendation
    from client.ui.sites.connect import connect_site

    with DemoServer("healthy") as server:
        store = SiteStore()
        site = Site(name="demo-keep", host=server.host, port=server.port, tls="off",
                    user=server.user, commands="extended")
        store.upsert(site)
        store.set_password(site.site_id, server.password)
        assert spawn_and_wait(window, qtbot, connect_site(window, store, site)) is None
        recommendation = Recommendation(TransferMode.PASSIVE, PasvPolicy.AUTO,
                                        text="passive mode (the default) works")
        task = asyncio.ensure_future(apply_recommendation(window, recommendation))
        qtbot.waitUntil(task.done, timeout=10_000)
        task.result()
        assert window.quick.command_family is CommandFamily.EXTENDED
    assert SiteStore().find("demo-keep").commands == "extended"


def test_quickconnect_session_does_not_touch_saved_sites(qtbot, window, memory_keyring) -> None:
    from client.config.sites import Site, SiteStore

    with DemoServer("passive-blocked", give_up_after=1.5) as server:
        store = SiteStore()
        store.upsert(Site(name="same-server", host=server.host, port=server.port, tls="off",
                          user=server.user))
        window.current_site = None
        spawn_and_wait(window, qtbot, window.connect_to(settings_for(server)))
        window.run_diagnose()
        wizard = window.diagnose_wizard
        run_to_verdict(qtbot, wizard)
        message = apply_and_wait(qtbot, wizard)
    assert "Saved" not in message
    assert SiteStore().find("same-server").mode == "passive"


def hang_listing(window, qtbot, server: DemoServer) -> asyncio.Task:
    """Connect in passive mode with a long data timeout: the listing hangs."""
    task = window.spawn(window.connect_to(settings_for(server, data_timeout=20.0,
                                                       use_epsv=False)),
                        pane=window.remote_pane)
    banner = window.hung_listing.banner
    qtbot.waitUntil(lambda: banner.isVisible() or task.done(), timeout=15_000)
    assert not task.done(), "the banner must come while the listing still hangs"
    return task


def test_banner_appears_before_the_data_timeout(qtbot, window) -> None:
    with DemoServer("passive-blocked", give_up_after=60.0) as server:
        task = hang_listing(window, qtbot, server)
        banner = window.hung_listing.banner
        assert banner.message.text().startswith("The directory listing has not arrived yet")
        assert "waiting" in banner.message.text()
        # the waiting time counts on with the diagram's clock instead of staying frozen
        import re

        def waited() -> float:
            found = re.search(r"waiting ([0-9.]+) s", banner.message.text())
            assert found, banner.message.text()
            return float(found.group(1))

        first = waited()
        assert window.hung_listing._ticker.isActive()
        window.hung_listing.refresh_waiting(now=window.inspector_dock.ladder.now() + 5.0)
        assert waited() >= first + 4.5
        assert banner.isVisible()
        assert banner.visible_actions()[0] is RecoveryAction.RETRY_ACTIVE
        assert {RecoveryAction.STAT_LISTING, RecoveryAction.DIAGNOSE} <= set(
            banner.visible_actions())
        assert not window.remote_pane.banner.isVisible()
        # "Retry in active mode": the hung listing is stopped, the folder listed actively
        channels = Channels(window)
        banner.buttons[RecoveryAction.RETRY_ACTIVE].click()
        qtbot.waitUntil(task.done, timeout=10_000)
        assert task.cancelled()
        qtbot.waitUntil(lambda: "EPRT" in channels.closed_methods()
                        or "PORT" in channels.closed_methods(), timeout=15_000)
        channels.close()
        qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=15_000)
    assert window.connection.settings.mode is TransferMode.ACTIVE
    assert not banner.isVisible()
    assert not window.hung_listing._ticker.isActive()


def test_early_banner_lists_over_the_control_connection(qtbot, window) -> None:
    with DemoServer("passive-blocked", give_up_after=60.0) as server:
        task = hang_listing(window, qtbot, server)
        banner = window.hung_listing.banner
        channels = Channels(window)
        banner.buttons[RecoveryAction.STAT_LISTING].click()
        qtbot.waitUntil(task.done, timeout=10_000)
        qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=15_000)
        channels.close()
        info = window.remote_pane.banner
        qtbot.waitUntil(info.isVisible, timeout=15_000)
    assert not [e for e in channels.events if e.phase is DataPhase.CLOSED]  # no data conn.
    assert not banner.isVisible()


def test_early_banner_run_diagnose_opens_the_wizard_for_the_hung_folder(qtbot, window) -> None:
    with DemoServer("passive-blocked", give_up_after=60.0) as server:
        task = hang_listing(window, qtbot, server)
        banner = window.hung_listing.banner
        banner.buttons[RecoveryAction.DIAGNOSE].click()
        qtbot.waitUntil(task.done, timeout=10_000)
        wizard = window.diagnose_wizard
        assert wizard is not None and wizard.isVisible()
        assert wizard.settings.host == server.host and wizard.path in (None, "/")
        # the listing is stopped, and the banner says so (the pane is still empty)
        assert banner.isVisible()
        assert banner.message.text().startswith("Listing stopped so that Diagnose can run.")
        wizard.reject()


def test_use_the_control_address_after_a_refused_227_address(
        qtbot, window, ftp_masquerade_server) -> None:
    """The 227 names 127.0.0.2, where nothing listens (a loopback stand-in for a NAT
    that announces its internal address): the button reconnects dialling the control
    connection's address instead."""
    settings = ftp_masquerade_server.settings(use_epsv=False, pasv_policy=PasvPolicy.ADVERTISED,
                                              data_timeout=2.0)
    error = spawn_and_wait(window, qtbot, window.connect_to(settings))
    assert error is not None
    banner = window.hung_listing.banner
    qtbot.waitUntil(banner.isVisible, timeout=15_000)  # when the failure's events arrive
    assert RecoveryAction.USE_CONTROL_ADDRESS in banner.visible_actions()
    channels = Channels(window)
    banner.buttons[RecoveryAction.USE_CONTROL_ADDRESS].click()
    qtbot.waitUntil(lambda: any(e.phase is DataPhase.CLOSED for e in channels.events),
                    timeout=15_000)
    channels.close()
    assert window.connection.settings.pasv_policy is PasvPolicy.CONTROL
    closed = [e for e in channels.events if e.phase is DataPhase.CLOSED]
    assert closed[-1].method == "PASV" and closed[-1].remote.host == "127.0.0.1"
    assert not banner.isVisible()


def test_the_wizard_cancel_button_stops_a_run_started_from_the_window(qtbot, window) -> None:
    with DemoServer("passive-blocked", give_up_after=30.0) as server:
        assert spawn_and_wait(window, qtbot, window.connect_to(
            settings_for(server, mode=TransferMode.ACTIVE))) is None
        window.run_diagnose()
        wizard = window.diagnose_wizard
        wizard.plan_page.timeout_box.setValue(20.0)
        wizard.next()
        task = wizard.task
        wizard.button(QWizard.WizardButton.CancelButton).click()
        qtbot.waitUntil(task.done, timeout=15_000)
        assert task.cancelled()
        # the window's own session is untouched and still lists
        assert spawn_and_wait(window, qtbot, window.remote_actions.refresh()) is None


def test_a_certificate_pinned_in_the_app_is_trusted_by_the_diagnosis(qtbot, window) -> None:
    """A self-signed certificate accepted in the window (the pin store, no CA file): the
    diagnosis cannot ask, so it must use the pin, or every row fails at login."""
    with DemoServer("tls") as server:
        window.trust.pin_store.pin(server.host, server.port, server.cert_fingerprint_sha256)
        settings = settings_for(server, tls=TlsMode.EXPLICIT)
        assert settings.ca_file is None
        assert spawn_and_wait(window, qtbot, window.connect_to(settings)) is None
        window.run_diagnose()
        wizard = window.diagnose_wizard
        assert server.cert_fingerprint_sha256 in wizard.settings.pinned_fingerprints
        assert not window.connection.settings.pinned_fingerprints  # the site is unchanged
        run_to_verdict(qtbot, wizard)
    assert wizard.diagnosis.verdict.key == "healthy", wizard.diagnosis.to_json()
    assert wizard.rows.results[Probe.TLS].ok


def test_the_early_banner_is_only_for_listings_of_the_browsing_session(qtbot, window) -> None:
    from client.engine.ladder import DataArrow, DataState, Side

    def waiting(connection: str, command: str) -> DataArrow:
        return DataArrow(index=0, event_index=0, t=0.0, connection=connection, channel=99,
                         source=Side.CLIENT, method="PASV", command=command,
                         state=DataState.WAITING, phase=DataPhase.CONNECTING,
                         waiting_for="an answer to our SYN")

    from client.ui.inspector.diagnose_install import show_hung_listing_early

    banner = window.hung_listing.banner
    assert not show_hung_listing_early(window, waiting("c1", "LIST /"))  # not connected
    with DemoServer("healthy") as server:
        assert spawn_and_wait(window, qtbot, window.connect_to(settings_for(server))) is None
        own = window.connection.session.connection_id
        assert not show_hung_listing_early(window, waiting("queue-9", "LIST /"))
        assert not show_hung_listing_early(window, waiting(own, "RETR big.iso"))
        assert not banner.isVisible()
        assert show_hung_listing_early(window, waiting(own, "MLSD /pub"))
        assert banner.isVisible()
        assert banner.message.text().startswith("The directory listing has not arrived yet")
