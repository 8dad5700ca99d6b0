"""Passive/Active and classic/extended commands for the tab shown: the quickconnect
switch, the View menu, the status bar and the tab's connection kept in agreement; and
these controls greyed out while the tab's session is not FTP."""

from __future__ import annotations

from PySide6.QtGui import QAction

from client.engine.settings import CommandFamily, ConnectionSettings, TransferMode
from client.ui.menus import WindowActions
from client.ui.quickconnect import QuickConnectBar
from client.ui.status import InspectorStatusBar
from client.ui.tabs.manager import TabManager

__all__ = ["ModeSwitch"]


class ModeSwitch:
    """The data-connection mode and command family of the tab shown."""

    def __init__(self, tabs: TabManager, quick: QuickConnectBar, status: InspectorStatusBar,
                 menu: WindowActions) -> None:
        self.tabs = tabs
        self.quick = quick
        self.status = status
        self.passive = menu.passive
        self.active = menu.active
        self.extended = menu.extended
        #: the actions only an FTP session has (Diagnose joins them once installed)
        self.ftp_only: list[QAction] = list(menu.ftp_only())

    def offer_ftp_controls(self, offered: bool) -> None:
        """Modes, PASV/EPSV, raw commands and Diagnose exist only for an FTP session:
        greyed out while another kind of session is open."""
        for action in self.ftp_only:
            action.setEnabled(offered)
        self.tabs.current.console.command.setEnabled(offered)
        self.quick.set_ftp_controls(offered)
        self.status.set_one_connection(not offered)

    def show_mode(self, mode: TransferMode, family: CommandFamily) -> None:
        """The mode switch, menus and status bar show ``mode`` and ``family`` (the tab
        shown's), without changing any connection."""
        self._show_mode(mode)
        self.quick.set_command_family(family)
        blocked = self.extended.blockSignals(True)
        self.extended.setChecked(family is CommandFamily.EXTENDED)
        self.extended.blockSignals(blocked)
        self.status.set_commands(family)

    def _show_mode(self, mode: TransferMode) -> None:
        self.quick.set_mode(mode)
        self.passive.setChecked(mode is TransferMode.PASSIVE)
        self.active.setChecked(mode is TransferMode.ACTIVE)
        self.status.set_mode(mode)

    def set_mode(self, mode: TransferMode) -> None:
        """Passive/Active for the tab shown's next data connection."""
        tab = self.tabs.current
        tab.mode = mode
        self._show_mode(mode)
        current = tab.connection.settings
        if not isinstance(current, ConnectionSettings) or current.mode is not mode:
            tab.connection.set_mode(mode)

    def set_commands(self, family: CommandFamily) -> None:
        """Classic (PASV/PORT) or extended (EPSV/EPRT) for the next data connection."""
        tab = self.tabs.current
        tab.commands = family
        self.quick.set_command_family(family)
        self.extended.setChecked(family is CommandFamily.EXTENDED)
        self.status.set_commands(family)
        settings = tab.connection.settings
        if not isinstance(settings, ConnectionSettings) or settings.commands is not family:
            tab.connection.set_commands(family)

    def toggle_mode(self) -> None:
        self.set_mode(TransferMode.PASSIVE if self.quick.mode is TransferMode.ACTIVE
                      else TransferMode.ACTIVE)
