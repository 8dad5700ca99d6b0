"""The everyday features as a person first meets them: two tabs on two servers of one
host, F3 in the second tab, the log folder on a desktop without a file manager, the
default proxy on a computer without a keyring, the Synchronise dialog's options."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QWidget,
)

from client.demo import DemoServer

from ..helpers import settle_layout
from .helpers import connect
from .test_tabs import click_tab, open_tab_and_connect

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def neighbour() -> object:
    """A second demo server on the same address as ``demo`` (another port)."""
    server = DemoServer("healthy", give_up_after=2.0).start()
    yield server
    server.stop()


@pytest.fixture
def two_tabs(window, qtbot, demo, neighbour):
    """Tab 1 on ``demo``, tab 2 on ``neighbour``; both 127.0.0.1."""
    window.resize(1366, 740)
    connect(window, qtbot, demo)
    first = window.current_tab
    second = open_tab_and_connect(window, qtbot, neighbour)
    return window, first, second


def press_f3(qtbot, window):
    qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_F3)
    dialog = window.remote_search
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_typing_after_f3_replaces_the_star(window, qtbot, demo) -> None:
    connect(window, qtbot, demo)
    dialog = press_f3(qtbot, window)
    qtbot.keyClicks(dialog.pattern, "*.txt")
    assert dialog.pattern.text() == "*.txt"


def test_f3_in_the_second_tab_searches_and_shows_on_that_tab_s_server(two_tabs, qtbot) -> None:
    window, first, second = two_tabs
    click_tab(window, qtbot, first)
    press_f3(qtbot, window).close()

    click_tab(window, qtbot, second)
    dialog = press_f3(qtbot, window)
    assert str(second.settings.port) in dialog.windowTitle()
    dialog.pattern.setText("bottom.txt")
    first_lines = first.console.model.rowCount()
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Done"), timeout=15_000)
    assert dialog.model.rowCount() == 1
    window.bridge.flush()
    # the search walked tab 2's server: its console has the listing of the deep folder
    assert any("deepest" in line.text for line in second.console.model.lines())
    assert first.console.model.rowCount() == first_lines

    # Show in pane browses tab 2's pane (the one shown), not tab 1's
    dialog.results.selectRow(0)
    qtbot.mouseClick(dialog.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: second.remote_pane.current_path.endswith("/deepest"),
                    timeout=15_000)
    assert first.remote_pane.current_path == "/"
    assert window.current_tab is second


def test_two_tabs_on_one_host_are_told_apart_by_their_ports(two_tabs, qtbot) -> None:
    window, first, second = two_tabs
    bar = window.tabs.widget.bar
    titles = [bar.tabText(i) for i in range(bar.count())]
    assert titles == [f"127.0.0.1:{first.settings.port}", f"127.0.0.1:{second.settings.port}"]
    assert f":{second.settings.port}" in window.windowTitle()

    # the other tab closed: one tab on that host again, no port needed
    qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(window.tabs.question, QMessageBox)
                    and window.tabs.question.isVisible())
    assert f":{second.settings.port}" in window.tabs.question.text()
    window.tabs.question.button(QMessageBox.StandardButton.Close).click()
    qtbot.waitUntil(lambda: bar.count() == 1)
    assert bar.tabText(0) == "127.0.0.1"


def test_open_log_folder_without_a_file_manager_names_the_folder(window, qtbot,
                                                                 monkeypatch) -> None:
    from PySide6.QtGui import QDesktopServices

    asked: list[str] = []

    def no_launcher(url) -> bool:  # a desktop where nothing can open a folder
        asked.append(url.toLocalFile())
        return False

    monkeypatch.setattr(QDesktopServices, "openUrl", no_launcher)
    window.open_log_folder_action.trigger()
    folder = str(window.session_log.folder)
    assert asked == [folder]
    box = window.session_log.message
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert folder in box.text()
    box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not box.isVisible())


def test_default_proxy_with_a_user_on_a_computer_without_a_keyring(window, qtbot, config_dir,
                                                                   no_keyring) -> None:
    menu_action = next(a for menu in window.menuBar().actions() for a in menu.menu().actions()
                       if a.text().replace("&", "") == "Proxy settings…")
    menu_action.trigger()
    dialog = window.dialogs.proxy_dialog
    qtbot.waitUntil(dialog.isVisible)
    fields = dialog.fields
    fields.kind.setCurrentIndex(fields.kind.findText("SOCKS5"))
    qtbot.keyClicks(fields.host, "127.0.0.1")
    qtbot.keyClicks(fields.user, "bob")
    # the password could only go to a keyring: the field says so instead of promising one
    assert not fields.password.isEnabled()
    assert "keyring" in fields.password.placeholderText()
    assert "cannot be saved" in fields.password.placeholderText()
    # and it is short enough to be read whole (it was cut at 1366x768)
    hint = fields.password.placeholderText()
    assert fields.password.fontMetrics().horizontalAdvance(hint) <= fields.password.width() - 12
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.message.text() == ""
    assert "socks5://bob@127.0.0.1:1080" in (config_dir / "proxy.json").read_text()


def test_synchronise_offers_only_the_options_that_do_something(window, qtbot, demo) -> None:
    connect(window, qtbot, demo)
    action = window.compare_tools.actions.synchronise
    qtbot.mouseClick(window.toolbar.widgetForAction(action), Qt.MouseButton.LeftButton)
    dialog = window.compare_tools.dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.direction.currentText().startswith("Local → remote")
    assert dialog.rule.currentText() == "Size and time"  # as the panes compare
    assert dialog.tolerance.isEnabled()
    qtbot.keyClick(dialog.rule, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.rule, Qt.Key.Key_Up)
    assert dialog.rule.currentText() == "Size"
    assert not dialog.tolerance.isEnabled()  # sizes only: no time is compared

    qtbot.keyClick(dialog.rule, Qt.Key.Key_Down)
    assert dialog.rule.currentText() == "Modification time"
    assert dialog.tolerance.isEnabled()
    qtbot.keyClick(dialog.rule, Qt.Key.Key_Up)

    qtbot.mouseClick(dialog.delete, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert dialog.delete.isChecked()
    qtbot.keyClick(dialog.direction, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.direction, Qt.Key.Key_Down)
    assert dialog.direction.currentText().startswith("Both ways")
    # both ways nothing is deleted, and the newer side wins: times count
    assert not dialog.delete.isEnabled() and not dialog.delete.isChecked()
    assert dialog.tolerance.isEnabled()
    dialog.close()


def test_site_manager_shows_the_whole_form_width_for_an_sftp_site(window, qtbot) -> None:
    window.resize(1366, 740)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    manager = window.site_manager
    qtbot.waitUntil(manager.isVisible)
    qtbot.mouseClick(manager.new_button, Qt.MouseButton.LeftButton)
    manager.form.tls.setCurrentIndex(manager.form.tls.findText("SFTP", Qt.MatchFlag.MatchStartsWith))
    settle_layout()
    scroll = next(w for w in manager.findChildren(QScrollArea) if w.widget() is manager.form)
    assert not scroll.horizontalScrollBar().isVisible()
    viewport = scroll.viewport()
    for widget in manager.form.findChildren(QWidget):
        if widget.isVisible() and isinstance(widget, QComboBox | QLineEdit | QPushButton):
            right = widget.mapTo(viewport, widget.rect().topRight()).x()
            assert right < viewport.width(), f"{widget.accessibleName() or widget.text()} cut off"
    # an open list still shows its entries whole
    address = next(c for c in manager.form.findChildren(QComboBox)
                   if c.accessibleName() == "227 address")
    assert address.view().minimumWidth() >= address.view().sizeHintForColumn(0)
    manager.reject()


def test_the_file_menu_names_previous_tab_s_keys_as_printed_on_a_keyboard(two_tabs, qtbot) -> None:
    from PySide6.QtGui import QKeySequence

    window, first, second = two_tabs
    file_menu = window.menuBar().actions()[0].menu()
    previous = next(a for a in file_menu.actions() if a.text().replace("&", "") == "Previous tab")
    assert previous.shortcut().toString(QKeySequence.SequenceFormat.NativeText) == "Ctrl+Shift+Tab"
    # and the keys still do it (X11 sends Shift+Tab as Backtab)
    qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_Backtab,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.current_tab is first)
    qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_Tab,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.current_tab is second)


@pytest.mark.parametrize("switched_on", [True, False], ids=["fresh", "switched-off-empty"])
def test_speed_limit_first_time_from_the_status_bar(window, qtbot, switched_on) -> None:
    from client.engine.ratelimit import RateLimits

    button = window.speed_limit_button
    button.apply(RateLimits(enabled=switched_on))
    try:
        assert button.text() == "No speed limit"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        # nothing to turn on: the click opens the preferences to set a limit
        dialog = window.preferences_dialog
        qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible())
        assert button.limits.enabled is switched_on  # the click changed nothing
        qtbot.keyClicks(dialog.fields["download_total"], "500K")
        assert dialog.limits_on.isChecked()  # typing the first limit turns limits on
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.isVisible())
        assert button.text().startswith("Limit \u2193 500K")
        assert button.isChecked() and button.limits.enabled
        # the button now turns them off and on
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert button.text() == "Limit off" and not button.limits.enabled
    finally:
        button.apply(RateLimits())


def test_the_demo_connects_directly_when_a_default_proxy_is_set(window, qtbot, demo,
                                                                config_dir) -> None:
    import socket

    from client.config.proxies import ProxyStore
    from client.engine.proxy import ProxyKind, ProxySettings
    from client.ui.app import open_demo

    with socket.socket() as probe:  # a loopback port nobody listens on: a dead proxy
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    ProxyStore().save_default(ProxySettings(kind=ProxyKind.SOCKS5, host="127.0.0.1", port=dead))
    with qtbot.waitSignal(window.connection.connected, timeout=15_000):
        open_demo(window, demo)
    assert window.connection.settings.proxy is None
    qtbot.waitUntil(lambda: window.remote_pane.model.rowCount() > 0, timeout=15_000)


def test_sftp_to_a_port_nobody_listens_on_says_so_in_words(window, qtbot) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    window.quick.host.setText(f"sftp://someone@127.0.0.1:{port}/")
    qtbot.mouseClick(window.quick.connect_button, Qt.MouseButton.LeftButton)
    banner = window.remote_pane.banner
    qtbot.waitUntil(lambda: "SSH connection" in banner.message.text(), timeout=15_000)
    text = banner.message.text()
    assert "answered the SYN with a TCP reset" in text
    assert "Errno" not in text and "Connect call failed" not in text
    # the status bar speaks of SSH, not of TLS and passive mode
    status = window.status
    assert "PASV" not in status.mode_label.text() and status.tls_label.text() != "No TLS"


def test_back_on_an_ftp_tab_its_mode_switch_works_after_sftp_was_tried_in_another(
        window, qtbot, demo) -> None:
    import socket

    from client.engine.settings import TransferMode

    connect(window, qtbot, demo)
    first = window.current_tab
    qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.current_tab is not first)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    window.quick.host.setText(f"sftp://someone@127.0.0.1:{port}/")
    qtbot.mouseClick(window.quick.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "SSH connection" in window.remote_pane.banner.message.text(),
                    timeout=15_000)
    assert not window.quick.active_button.isEnabled()  # SFTP chosen here: no modes

    click_tab(window, qtbot, first)
    assert window.quick.passive_button.isEnabled() and window.quick.active_button.isEnabled()
    qtbot.mouseClick(window.quick.active_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: first.mode is TransferMode.ACTIVE)


def test_a_user_typed_in_the_host_field_is_the_one_that_logs_in(window, qtbot, demo) -> None:
    quick = window.quick
    quick.user.setText(demo.user)  # left from an earlier connection
    quick.password.setText("typed for someone")
    quick.host.setFocus()
    quick.host.selectAll()
    qtbot.keyClicks(quick.host, f"ftp://someone@127.0.0.1:{demo.port}/")
    assert quick.user.text() == "someone"
    qtbot.keyClick(quick.host, Qt.Key.Key_Return)

    def said() -> list[str]:
        window.bridge.flush()
        return [line.text for line in window.console.model.lines()]

    qtbot.waitUntil(lambda: any(text.startswith("USER ") for text in said()), timeout=15_000)
    assert "USER someone" in said() and f"USER {demo.user}" not in said()


def test_the_folder_tree_highlights_the_start_folder(window, qtbot, demo) -> None:
    from client.ui.remote.tree_model import PATH_ROLE

    window.quick.host.setText(demo.url.rstrip("/") + "/docs")
    with qtbot.waitSignal(window.connection.connected, timeout=15_000):
        qtbot.mouseClick(window.quick.connect_button, Qt.MouseButton.LeftButton)
    pane = window.remote_pane
    qtbot.waitUntil(lambda: pane.current_path == "/docs" and not window.connection.busy,
                    timeout=15_000)
    # the tree's top (/) is listed after the start folder; the highlight stays on /docs
    qtbot.waitUntil(lambda: pane.tree_model.rowCount(pane.tree.rootIndex()) > 0
                    and pane.tree_model.index(0, 0, pane.tree.rootIndex()).isValid()
                    and pane.tree_model.rowCount(pane.tree_model.index(0, 0)) > 1,
                    timeout=15_000)
    assert pane.tree.currentIndex().data(PATH_ROLE) == "/docs"


def test_an_sftp_site_is_not_offered_an_ftp_proxy(window, qtbot, config_dir) -> None:
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    manager = window.site_manager
    qtbot.waitUntil(manager.isVisible)
    qtbot.mouseClick(manager.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(manager.form.host, "127.0.0.1")
    kind = manager.form.proxy.kind
    ftp_user = kind.findText("FTP proxy: USER user@host")
    # an FTP site may use an FTP proxy; then the person switches the site to SFTP
    kind.setCurrentIndex(ftp_user)
    qtbot.keyClicks(manager.form.proxy.host, "127.0.0.1")
    manager.form.tls.setCurrentIndex(manager.form.tls.findText("SFTP", Qt.MatchFlag.MatchStartsWith))
    model = kind.model()
    assert not model.item(ftp_user).isEnabled()
    assert model.item(kind.findText("SOCKS5")).isEnabled()
    qtbot.mouseClick(manager.save_button, Qt.MouseButton.LeftButton)
    assert "FTP proxy" in manager.message.text()
    assert not (config_dir / "sites.json").exists() or "ftp-user" not in (
        config_dir / "sites.json").read_text()
    # back to FTP: offered again
    manager.form.tls.setCurrentIndex(0)
    assert model.item(ftp_user).isEnabled()
    manager.reject()


def test_search_fields_are_reached_with_alt_and_their_letter(window, qtbot, demo) -> None:
    from PySide6.QtWidgets import QLabel

    connect(window, qtbot, demo)
    dialog = press_f3(qtbot, window)
    wanted = {"Search in:": dialog.folder, "Name:": dialog.pattern, "Size:": dialog.min_size,
              "Modified:": dialog.date_from, "Depth:": dialog.depth}
    labels = {label.text().replace("&", ""): label for label in dialog.findChildren(QLabel)}
    for text, field in wanted.items():
        label = labels[text]
        assert "&" in label.text() and label.buddy() is field, text
    letters = [label.text()[label.text().index("&") + 1].lower()
               for label in (labels[t] for t in wanted)]
    buttons = [b.text() for b in (dialog.search_button, dialog.cancel_button)]
    taken = [t[t.index("&") + 1].lower() for t in buttons if "&" in t]
    assert len(set(letters + taken)) == len(letters + taken)  # no letter used twice
    dialog.close()


def test_f3_before_connecting_names_no_server(window, qtbot) -> None:
    qtbot.keyClick(window.remote_pane.view, Qt.Key.Key_F3)
    dialog = window.remote_search
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.windowTitle() == "Search remote files"
    dialog.close()
