"""The command family in the window, as a person uses it: the Passive/Active switch
says which command the next data connection sends, the Classic/Extended choice beside it
changes it, each of PASV, PORT, EPSV and EPRT shows on the next listing with its decoded
address, and the choice is kept in a saved site and in the quickconnect history."""

from __future__ import annotations

import asyncio
import re

import pytest
from PySide6.QtCore import Qt

from client.config.sites import Site, SiteStore
from client.demo import DemoServer
from client.engine.settings import CommandFamily, TransferMode

from .helpers import run

pytestmark = pytest.mark.gui


def type_and_connect(window, qtbot, demo: DemoServer) -> None:
    quick = window.quick
    qtbot.keyClicks(quick.host, f"ftp://{demo.host}:{demo.port}")
    qtbot.keyClicks(quick.user, demo.user)
    qtbot.keyClicks(quick.password, demo.password)
    with qtbot.waitSignal(window.connection.connected, timeout=15_000):
        qtbot.mouseClick(quick.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=15_000)


def press_f5_and_wait(window, qtbot) -> None:
    before = len(window.console.model.lines())
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: any(line.text.startswith("226") for line in
                                window.console.model.lines()[before:]), timeout=15_000)
    qtbot.waitUntil(lambda: not window.connection.busy, timeout=15_000)


def new_lines(window, since: int) -> list:
    window.bridge.flush()
    return window.console.model.lines()[since:]


def assert_decoded(line) -> None:
    """``h1,h2,h3,h4,p1,p2`` shown with ``p1*256+p2 = port`` and the right sum."""
    match = re.search(r"(\d+)\*256\+(\d+) = (\d+)", line.inline)
    assert match, line.inline
    p1, p2, port = (int(g) for g in match.groups())
    assert p1 * 256 + p2 == port
    assert f",{p1},{p2}" in line.text


def test_each_of_the_four_commands_on_the_next_listing(window, qtbot, demo) -> None:
    window.resize(1366, 740)  # the segments name the command when there is room
    quick = window.quick
    assert quick.passive_button.text().endswith("PASV")
    assert quick.active_button.text().endswith("PORT")
    type_and_connect(window, qtbot, demo)
    lines = new_lines(window, 0)
    assert any(x.text == "PASV" for x in lines)
    [reply] = [x for x in lines if x.text.startswith("227")]
    assert_decoded(reply)
    assert "EPSV" not in [x.text for x in lines]
    assert window.status.mode_label.text() == "Passive (PASV)"

    # Active, classic: PORT with its arithmetic
    since = len(window.console.model.lines())
    qtbot.mouseClick(quick.active_button, Qt.MouseButton.LeftButton)
    press_f5_and_wait(window, qtbot)
    [port] = [x for x in new_lines(window, since) if x.text.startswith("PORT ")]
    assert_decoded(port)

    # Extended, chosen with the keyboard in the combo box beside the switch
    quick.commands.setFocus()
    qtbot.keyClick(quick.commands, Qt.Key.Key_Down)
    assert quick.command_family is CommandFamily.EXTENDED
    assert quick.active_button.text().endswith("EPRT")
    assert window.extended_action.isChecked()
    since = len(window.console.model.lines())
    press_f5_and_wait(window, qtbot)
    sent = [x.text for x in new_lines(window, since)]
    assert any(t.startswith("EPRT |1|127.0.0.1|") for t in sent) and not any(
        t.startswith("PORT ") for t in sent)

    # Passive, extended: EPSV and the port of the control connection's host
    qtbot.mouseClick(quick.passive_button, Qt.MouseButton.LeftButton)
    assert quick.passive_button.text().endswith("EPSV")
    since = len(window.console.model.lines())
    press_f5_and_wait(window, qtbot)
    lines = new_lines(window, since)
    assert "EPSV" in [x.text for x in lines] and "PASV" not in [x.text for x in lines]
    assert any(x.text.startswith("229") for x in lines)
    assert window.status.mode_label.text() == "Passive (EPSV)"

    # the menu turns it back to classic
    window.extended_action.trigger()
    assert quick.command_family is CommandFamily.CLASSIC
    assert quick.passive_button.text().endswith("PASV")


def test_history_keeps_the_command_family(window, qtbot, demo) -> None:
    quick = window.quick
    quick.set_command_family(CommandFamily.EXTENDED)
    type_and_connect(window, qtbot, demo)
    [item] = [i for i in quick.history() if i.port == demo.port]
    assert item.commands is CommandFamily.EXTENDED
    quick.set_command_family(CommandFamily.CLASSIC)
    quick.apply_history(item)
    assert quick.command_family is CommandFamily.EXTENDED


def test_saved_site_keeps_the_family_across_a_restart(qapp, config_dir, memory_keyring) -> None:
    from client.ui.sites.dialog import SiteManagerDialog

    dialog = SiteManagerDialog()
    dialog.new_site()
    dialog.form.name.setText("Extended site")
    dialog.form.host.setText("127.0.0.1")
    dialog.form.set_combo(dialog.form.logon, "anonymous")
    dialog.form.set_combo(dialog.form.commands, CommandFamily.EXTENDED.value)
    assert dialog.save_current()
    dialog.close()

    restarted = SiteStore()  # a new process reads the file again
    site = restarted.find("Extended site")
    assert site.commands == "extended"
    settings = restarted.connection_settings(site)
    assert settings.use_epsv and settings.use_eprt
    assert settings.commands is CommandFamily.EXTENDED
    reopened = SiteManagerDialog()
    reopened._show(site)
    assert reopened.form.commands.currentData() == "extended"
    reopened.close()


def test_sites_saved_before_the_choice_existed_use_the_classic_commands(config_dir) -> None:
    store = SiteStore()
    data = Site(name="old", host="127.0.0.1", logon="anonymous").to_json()
    del data["commands"]
    settings = store.connection_settings(Site.from_json(data))
    assert settings.commands is CommandFamily.CLASSIC
    assert settings.replace(mode=TransferMode.ACTIVE).commands is CommandFamily.CLASSIC


def test_ipv6_connection_names_the_extended_commands(window, qtbot, ftp_ipv6_server) -> None:
    from client.engine.settings import ConnectionSettings

    settings = ConnectionSettings(host="::1", port=ftp_ipv6_server.port,
                                  user=ftp_ipv6_server.user,
                                  password=ftp_ipv6_server.password)
    window.resize(1366, 740)  # the segments name the command when there is room
    run(qtbot, window.connect_to(settings))
    quick = window.quick
    assert quick.passive_button.text().endswith("EPSV")
    assert quick.active_button.text().endswith("EPRT")
    assert not quick.commands.isEnabled()  # the choice cannot apply over IPv6
    run(qtbot, window.connect_flow.close_session())
    assert quick.passive_button.text().endswith("PASV") and quick.commands.isEnabled()


def test_failed_active_connection_is_named_in_the_status_bar(window, qtbot) -> None:
    with DemoServer("active-blocked", give_up_after=2.0) as server:
        from client.engine.settings import ConnectionSettings

        settings = ConnectionSettings(host=server.host, port=server.port, user=server.user,
                                      password=server.password, data_timeout=2.0)
        run(qtbot, window.connect_to(settings))  # passive: works, the label names it
        passive = window.status.data_label.text()
        window.set_mode(TransferMode.ACTIVE)
        task = asyncio.ensure_future(window.remote_actions.refresh())
        qtbot.waitUntil(task.done, timeout=20_000)
        window.bridge.flush()
    label = window.status.data_label.text()
    assert label != passive and label.endswith("(failed)"), label
