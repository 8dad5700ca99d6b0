"""What a new connection tab's parts do: its connection's signals, its console's raw
command, its remote pane's gestures; each tied to that tab (and its pane), whatever tab
is shown when the signal comes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from client.ui.tabs.tab import ConnectionTab

if TYPE_CHECKING:
    from client.ui.main_window import MainWindow

__all__ = ["wire_tab"]


def wire_tab(window: MainWindow, tab: ConnectionTab) -> None:
    """Connect ``tab``'s parts to the window."""
    c = tab.connection

    def shown() -> bool:
        return tab is window.current_tab

    c.connected.connect(lambda _where: shown() and window.modes.offer_ftp_controls(c.ftp is not None))
    c.disconnected.connect(lambda: shown() and window.modes.offer_ftp_controls(True))
    c.busy_changed.connect(lambda busy: shown() and window.show_busy(busy))
    tab.console.command_entered.connect(window.send_raw)
    r, a = tab.remote_pane, tab.remote_actions
    rp = {"pane": r}
    r.navigate_requested.connect(lambda p: window.spawn(a.browse(p), doing=window.tr("Opening {}").format(p), **rp))
    r.refresh_requested.connect(window.refresh)
    r.tree_fetch_requested.connect(lambda p: window.spawn(a.fetch_tree(p), doing=window.tr("Listing {}").format(p), **rp))
    r.download_requested.connect(lambda entries: window.spawn(window.download_entries(entries),
                                                            doing=window.tr("Download"), **rp))
    r.upload_requested.connect(lambda paths, target: window.spawn(
        window.upload_paths(paths, target), doing=window.tr("Upload"), **rp))
    r.mkdir_requested.connect(lambda: window.mkdir_action.trigger())
    r.rename_requested.connect(lambda e: window.spawn(a.rename(e), doing=window.tr("Rename"), **rp))
    r.move_requested.connect(lambda paths, folder: window.spawn(
        a.move(paths, folder), doing=window.tr("Move"), **rp))
    r.delete_requested.connect(lambda es: window.spawn(a.delete(es), doing=window.tr("Delete"), **rp))
    r.chmod_requested.connect(lambda es: window.spawn(a.chmod(es), doing=window.tr("Changing permissions"), **rp))
    r.copy_url_requested.connect(a.copy_urls)
    r.open_requested.connect(lambda e: window.spawn(a.open_with_default_app(e), doing=window.tr("Opening"), **rp))
    r.link_open_requested.connect(lambda link, selection: window.spawn(
        a.open_link(link, selection), doing=window.tr("Opening {}").format(r.model.full_path(link)), **rp))
    r.banner.why_clicked.connect(window.show_console_line)
