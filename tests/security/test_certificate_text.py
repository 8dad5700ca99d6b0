"""Server-chosen text in the window's dialogs and status bar: a certificate's subject
and issuer (trust dialog, TLS tooltip) and remote file names (exists and permissions
dialogs) must be inert: control characters escaped and no rich text (Qt renders
anything that looks like HTML in a label or tooltip, so a subject of "<h1>Verified by
your bank</h1>" would dress up the very dialog that asks for trust)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt

from client.engine.events import TlsEstablished
from client.engine.trust import CertificateInfo

from .hostile import raw_controls

pytestmark = pytest.mark.gui

SPOOF = "<h1><font color=green>Verified by your bank</font></h1><img src='x'>\x1b[2J\u202e"


def hostile_info() -> CertificateInfo:
    return CertificateInfo(subject=f"CN={SPOOF}", issuer=f"O={SPOOF}", not_before="2024",
                           not_after="2030", fingerprint_sha256="ab" * 32,
                           verify_error=f"self-signed {SPOOF}", host="127.0.0.1", port=21,
                           der=b"")


def shows_as_plain_text(label) -> bool:
    fmt = label.textFormat()
    if fmt == Qt.TextFormat.PlainText:
        return True
    return fmt == Qt.TextFormat.AutoText and not GuiQt.mightBeRichText(label.text())


def test_trust_dialog_shows_certificate_fields_as_plain_text(qapp):
    from client.ui.certificates import CertificateDialog

    dialog = CertificateDialog(hostile_info())
    try:
        for key in ("subject", "issuer", "error"):
            label = dialog.fields[key]
            assert raw_controls(label.text()) == [], key
            assert "Verified by your bank" in label.text()
            assert shows_as_plain_text(label), (key, label.text())
    finally:
        dialog.close()


def test_status_bar_tls_tooltip_is_inert(qapp):
    from client.ui.status import InspectorStatusBar

    bar = InspectorStatusBar()
    bar.on_tls(TlsEstablished(t=0.0, connection="c1", channel=None, version="TLSv1.3",
                              cipher="TLS_AES_256_GCM_SHA384", session_reused=False,
                              fingerprint_sha256="ab" * 32, peer_subject=f"CN={SPOOF}"))
    tip = bar.tls_label.toolTip()
    assert raw_controls(tip) == []
    # A tooltip that Qt would take for rich text must have the server's text escaped.
    if GuiQt.mightBeRichText(tip):
        assert "<h1>" not in tip and "&lt;h1&gt;" in tip


def labels_of(widget) -> list:
    from PySide6.QtWidgets import QLabel

    return widget.findChildren(QLabel)


def test_exists_and_permissions_dialogs_show_server_names_as_plain_text(qapp, tmp_path):
    """Remote file names are the server's choice, and "<h1>…</h1>.txt" is a legal one."""
    from client.engine.exists import ExistsInfo
    from client.ui.dialogs import ChmodDialog
    from client.ui.exists_dialog import FileExistsDialog

    name = SPOOF + ".txt"
    exists = FileExistsDialog(ExistsInfo(direction="upload", local_path=tmp_path / "x.txt",
                                         remote_path="/pub/" + name, local_size=1,
                                         local_mtime=None, remote_size=2, remote_mtime=None))
    chmod = ChmodDialog(None, [name, "plain.txt"])
    try:
        for dialog in (exists, chmod):
            shown = [label for label in labels_of(dialog) if "Verified" in label.text()]
            assert shown, type(dialog).__name__
            for label in shown:
                assert raw_controls(label.text()) == [], label.text()
                assert shows_as_plain_text(label), (type(dialog).__name__, label.text())
    finally:
        exists.close()
        chmod.close()


def test_delete_confirmation_shows_names_as_plain_text(qapp, monkeypatch):
    """The "Delete … from the server?" question lists remote names."""
    from PySide6.QtWidgets import QMessageBox

    import client.ui.dialogs as dialogs

    seen: list[QMessageBox] = []

    async def answer_no(box):
        seen.append(box)
        box.button(QMessageBox.StandardButton.No).click()
        return 0

    monkeypatch.setattr(dialogs, "await_dialog", answer_no)
    question = dialogs.confirm(None, "Delete", f"Delete {SPOOF}.txt from the server?")
    with pytest.raises(StopIteration) as finished:  # drive the coroutine: it never waits
        question.send(None)
    assert finished.value.value is False
    (box,) = seen
    assert box.textFormat() == Qt.TextFormat.PlainText or \
        not GuiQt.mightBeRichText(box.text())
