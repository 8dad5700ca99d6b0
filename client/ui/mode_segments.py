"""The quickconnect bar's data-connection controls: the Passive/Active segmented toggle
and the command family beside it (Classic PASV/PORT or Extended EPSV/EPRT).

The segments name the command the next data connection sends ("Passive · PASV"), so the
person debugging the link knows what to look for in the console. In a narrow window
(``set_compact``) they say only "Passive"/"Active" (the command stays in their tooltip
and accessible name), which leaves the Host field room to show a host name.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QButtonGroup, QComboBox, QHBoxLayout, QToolButton, QWidget

from client.engine.settings import CommandFamily, TransferMode
from client.ui.icons import icon

__all__ = ["ModeSegments", "COMMAND_CHOICES"]

COMMAND_CHOICES = (  # translated when shown (context QuickConnectBar)
    (CommandFamily.CLASSIC, QT_TRANSLATE_NOOP("QuickConnectBar", "Classic"),
     QT_TRANSLATE_NOOP("QuickConnectBar",
                       "Classic commands: PASV (passive) and PORT (active). Their replies "
                       "carry the address as h1,h2,h3,h4,p1,p2, decoded in the console "
                       "(port = p1*256+p2). What FileZilla, WinSCP and lftp send on IPv4.")),
    (CommandFamily.EXTENDED, QT_TRANSLATE_NOOP("QuickConnectBar", "Extended"),
     QT_TRANSLATE_NOOP("QuickConnectBar",
                       "Extended commands: EPSV (passive) and EPRT (active), RFC 2428. "
                       "EPSV names only a port: the client dials the control connection's "
                       "host. IPv6 always uses these.")),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("QuickConnectBar", text)


class ModeSegments(QWidget):
    """Passive/Active and the command family; ``set_enabled_for`` greys them for SFTP."""

    mode_changed = Signal(object)  # TransferMode
    commands_changed = Signal(object)  # CommandFamily

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.passive_button = self._segment(_tr("Passive"), "passive")
        self.active_button = self._segment(_tr("Active"), "active")
        self.passive_button.setObjectName("passiveSegment")
        self.active_button.setObjectName("activeSegment")
        self.mode_group = QButtonGroup(self)
        self.mode_group.setExclusive(True)
        self.mode_group.addButton(self.passive_button)
        self.mode_group.addButton(self.active_button)
        self.passive_button.setChecked(True)
        # a segmented control: the chosen mode must be obvious at a glance
        for button, edge in ((self.passive_button, "left"), (self.active_button, "right")):
            button.setStyleSheet(
                "QToolButton { border: 1px solid palette(mid); padding: 3px 5px; "
                f"border-top-{edge}-radius: 4px; border-bottom-{edge}-radius: 4px; }}"
                "QToolButton:checked { background: palette(highlight); "
                "color: palette(highlighted-text); font-weight: bold; }"
                # greyed out (an SFTP session): no mode may look chosen
                "QToolButton:checked:disabled { background: palette(button); "
                "color: palette(mid); font-weight: normal; }")
        self.mode_group.buttonToggled.connect(self._mode_toggled)
        self.commands = QComboBox(self)
        self.commands.setObjectName("commandFamily")
        self.commands.setAccessibleName(_tr("Commands"))
        for family, label, tip in COMMAND_CHOICES:
            self.commands.addItem(_tr(label), family)
            self.commands.setItemData(self.commands.count() - 1, _tr(tip),
                                      Qt.ItemDataRole.ToolTipRole)
        self.commands.currentIndexChanged.connect(self._commands_chosen)
        self._ipv6 = False
        self._compact = False
        self._sftp = False
        self._offered = True
        self._show_state()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.passive_button)
        layout.addWidget(self.active_button)
        layout.addSpacing(4)
        layout.addWidget(self.commands)

    def _segment(self, text: str, icon_name: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setIcon(icon(icon_name))
        # the text names the mode and the command it sends; the icon would only add width
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setCheckable(True)
        button.setAccessibleName(text)
        return button

    # -- mode -----------------------------------------------------------------------------
    @property
    def mode(self) -> TransferMode:
        return TransferMode.ACTIVE if self.active_button.isChecked() else TransferMode.PASSIVE

    def set_mode(self, mode: TransferMode) -> None:
        (self.active_button if mode is TransferMode.ACTIVE else self.passive_button).setChecked(True)

    def _mode_toggled(self, _button: object, checked: bool) -> None:
        if checked:
            self.mode_changed.emit(self.mode)

    # -- command family -------------------------------------------------------------------
    @property
    def command_family(self) -> CommandFamily:
        family = self.commands.currentData()
        return family if isinstance(family, CommandFamily) else CommandFamily.CLASSIC

    def set_command_family(self, family: CommandFamily) -> None:
        index = self.commands.findData(family)
        if index >= 0 and index != self.commands.currentIndex():
            self.commands.setCurrentIndex(index)

    def _commands_chosen(self, _index: int) -> None:
        self._show_state()
        self.commands_changed.emit(self.command_family)

    @property
    def ipv6(self) -> bool:
        return self._ipv6

    def set_ipv6(self, ipv6: bool) -> None:
        """Over an IPv6 control connection only EPSV/EPRT exist: the segments say so and
        the family choice waits for the next IPv4 connection."""
        self._ipv6 = ipv6
        self._show_state()

    def set_compact(self, compact: bool) -> None:
        """Short segment texts (a narrow window)."""
        if compact != self._compact:
            self._compact = compact
            self._show_state()

    def compact_saving(self) -> int:
        """How much narrower the compact texts are than the ones shown (0 when compact;
        measured in bold, the checked segment's font)."""
        if self._compact:
            return 0
        family = CommandFamily.EXTENDED if self._ipv6 else self.command_family
        saving = 0
        for button, mode in ((self.passive_button, TransferMode.PASSIVE),
                             (self.active_button, TransferMode.ACTIVE)):
            font = button.font()
            font.setBold(False)  # the narrower of the two: never promise too much
            saving += QFontMetrics(font).horizontalAdvance(f" · {family.command(mode)}")
        return saving

    def set_enabled_for(self, *, offered: bool, sftp: bool) -> None:
        """``offered``: the session shown has FTP's modes; ``sftp``: SFTP is what the
        controls would apply to (no data connections: greyed, saying why)."""
        self._offered, self._sftp = offered, sftp
        self._show_state()

    def _show_state(self) -> None:
        enabled = self._offered and not self._sftp
        family = CommandFamily.EXTENDED if self._ipv6 else self.command_family
        why = _tr("SFTP has no data connections: every transfer travels inside the one SSH "
                  "connection, so there is no passive or active mode")
        tips = {TransferMode.PASSIVE: _tr("Passive: the client dials the server (PASV/EPSV)"),
                TransferMode.ACTIVE: _tr("Active: the server dials the client (PORT/EPRT)")}
        for button, mode, name in ((self.passive_button, TransferMode.PASSIVE, _tr("Passive")),
                                   (self.active_button, TransferMode.ACTIVE, _tr("Active"))):
            command = family.command(mode)
            button.setText(name if self._compact else f"{name} · {command}")
            button.setAccessibleName(_tr("{} mode, sends {}").format(name, command))
            button.setEnabled(enabled)
            tip = why if self._sftp else tips[mode]
            button.setToolTip(tip if not self._compact or self._sftp
                              else f"{tip} — {_tr('sends {}').format(command)}")
        self.commands.setEnabled(enabled and not self._ipv6)
        self.commands.setToolTip(_tr(
            "This connection is IPv6: EPSV and EPRT are sent whatever is chosen (PASV and "
            "PORT cannot carry an IPv6 address)") if self._ipv6 else _tr(
            "Which commands set up the next data connection on IPv4: Classic (PASV/PORT) "
            "or Extended (EPSV/EPRT)"))
