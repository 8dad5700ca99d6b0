"""The certificate dialog and the GUI's :class:`CertificateTrust`.

When the engine meets a certificate the system does not vouch for, it awaits
``GuiCertificateTrust.decide``: the dialog shows subject, issuer, validity, the SHA-256
fingerprint and the verification error, and the user trusts once, trusts always (the
fingerprint is pinned in the app's data folder) or refuses.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client.config.appdirs import pin_file
from client.engine.trust import (
    CertificateInfo,
    PinStore,
    format_fingerprint,
    normalise_fingerprint,
)
from client.protocol.text import escape_control
from client.ui.dialogs import await_dialog

__all__ = ["CertificateDialog", "GuiCertificateTrust", "TRUST_ONCE", "TRUST_ALWAYS", "REFUSE"]

REFUSE, TRUST_ONCE, TRUST_ALWAYS = 0, 1, 2


class CertificateDialog(QDialog):
    def __init__(self, info: CertificateInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("certificateDialog")
        self.setWindowTitle(self.tr("Unknown certificate"))
        self.info = info
        layout = QVBoxLayout(self)
        where = f"{info.host}:{info.port}" if info.port else info.host
        intro = QLabel(self.tr(
            "The server {} presented a certificate that could not be verified. Check the "
            "fingerprint with the server's administrator before trusting it.").format(
                escape_control(where)), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        rows = (
            ("subject", self.tr("Subject"), info.subject),
            ("issuer", self.tr("Issuer"), info.issuer + (self.tr(" (self-signed)")
                                                         if info.self_signed else "")),
            ("validity", self.tr("Valid"), f"{info.not_before} — {info.not_after}"),
            ("fingerprint", self.tr("SHA-256"), format_fingerprint(info.fingerprint_sha256)),
            ("error", self.tr("Verification error"), info.verify_error or self.tr("none")),
        )
        for key, label, value in rows:
            widget = QLabel(escape_control(value), self)
            # Subject and issuer are the server's choice: never rendered as rich text.
            widget.setTextFormat(Qt.TextFormat.PlainText)
            widget.setWordWrap(True)
            widget.setTextInteractionFlags(widget.textInteractionFlags().TextSelectableByMouse)
            widget.setAccessibleName(label)
            form.addRow(label, widget)
            self.fields[key] = widget
        layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        self.once_button = QPushButton(self.tr("Trust once"), self)
        self.always_button = QPushButton(self.tr("Trust always (pin)"), self)
        self.refuse_button = QPushButton(self.tr("Refuse"), self)
        buttons.addButton(self.refuse_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addButton(self.once_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.always_button, QDialogButtonBox.ButtonRole.AcceptRole)
        # Enter must never trust a certificate. Buttons in a dialog are auto-default, so
        # whichever has the focus (the first one added, by tab order) would take Enter:
        # the trust buttons are never auto-default, and Refuse is the default and has the
        # focus when the dialog opens. Trusting takes a click or Tab + Space.
        for button in (self.once_button, self.always_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.refuse_button.setAutoDefault(True)
        self.refuse_button.setDefault(True)
        self.refuse_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.refuse_button.clicked.connect(lambda: self.done(REFUSE))
        self.once_button.clicked.connect(lambda: self.done(TRUST_ONCE))
        self.always_button.clicked.connect(lambda: self.done(TRUST_ALWAYS))
        layout.addWidget(buttons)


class GuiCertificateTrust:
    """Asks the user through :class:`CertificateDialog`; pins on "trust always".

    "Trust once" holds for the rest of this run of the app, for that host, port and
    fingerprint: the queue's extra connections to the same server do not ask again.
    Questions are asked one at a time (several connections may meet the certificate
    together); one trusted meanwhile is not asked about again. A refusal is not
    remembered: the next attempt asks again.
    """

    def __init__(self, parent: QWidget | None, pin_store: PinStore | None = None) -> None:
        self.parent = parent
        self.pin_store = pin_store or PinStore(pin_file())
        self.last_dialog: CertificateDialog | None = None
        self._trusted_now: set[tuple[str, int, str]] = set()
        self._lock = asyncio.Lock()

    async def decide(self, info: CertificateInfo) -> bool:
        key = (info.host, info.port, normalise_fingerprint(info.fingerprint_sha256))
        async with self._lock:
            if key in self._trusted_now:
                return True
            dialog = CertificateDialog(info, self.parent)
            self.last_dialog = dialog
            try:
                result = await await_dialog(dialog)
            finally:
                self.last_dialog = None
                dialog.deleteLater()
            if result == TRUST_ALWAYS:
                self.pin_store.pin(info.host, info.port, info.fingerprint_sha256)
            if result in (TRUST_ONCE, TRUST_ALWAYS):
                self._trusted_now.add(key)
                return True
            return False
