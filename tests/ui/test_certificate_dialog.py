"""An unknown self-signed certificate (the demo server's tls scenario) opens the
certificate dialog through the engine's CertificateTrust hook; "trust always" pins the
fingerprint and the next connection does not ask again; "refuse" fails the connection
with a banner."""

from __future__ import annotations

import asyncio
import json

import pytest

from client.demo import DemoServer

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def tls_demo() -> DemoServer:
    server = DemoServer("tls", give_up_after=2.0).start()
    yield server
    server.stop()


@pytest.fixture
def window(qloop, qtbot, config_dir, tmp_path):
    from client.ui.main_window import MainWindow

    win = MainWindow(local_start=tmp_path)
    win.show()
    yield win
    task = asyncio.ensure_future(win.shutdown())
    qtbot.waitUntil(task.done, timeout=10_000)
    win.close()
    win.deleteLater()


def _connect(window, demo):
    window.quick.fill_from_url(demo.url)
    settings, path = window.quick.build_settings()
    return window.spawn(window.connect_to(settings, path), pane=window.remote_pane,
                        doing="Connecting")


def test_trust_always_pins_and_does_not_ask_again(window, qtbot, tls_demo, config_dir) -> None:
    from client.ui.certificates import TRUST_ALWAYS

    task = _connect(window, tls_demo)
    qtbot.waitUntil(lambda: window.trust.last_dialog is not None, timeout=15_000)
    dialog = window.trust.last_dialog
    assert dialog.isVisible()
    fingerprint = tls_demo.cert_fingerprint_sha256.replace(":", "").lower()
    shown = dialog.fields["fingerprint"].text().replace(":", "").lower()
    assert shown == fingerprint
    assert dialog.fields["error"].text() not in ("", "none")
    assert "self-signed" in dialog.fields["issuer"].text()
    dialog.done(TRUST_ALWAYS)
    qtbot.waitUntil(task.done, timeout=15_000)
    assert task.exception() is None
    assert window.remote_pane.model.rowCount() > 0
    pins = json.loads((config_dir / "pins.json").read_text())
    assert fingerprint in next(iter(pins.values()))
    window.bridge.flush()  # the status bar follows the bridge's batches
    assert "TLS" in window.status.tls_label.text() and "session reused" in \
        window.status.tls_label.text()
    assert fingerprint in window.status.tls_label.toolTip().replace(":", "").lower()

    # a second connection: pinned, no dialog
    again = _connect(window, tls_demo)
    qtbot.waitUntil(again.done, timeout=15_000)
    assert again.exception() is None and window.trust.last_dialog is None


def test_refuse_fails_with_a_banner(window, qtbot, tls_demo) -> None:
    from client.ui.certificates import REFUSE

    task = _connect(window, tls_demo)
    qtbot.waitUntil(lambda: window.trust.last_dialog is not None, timeout=15_000)
    window.trust.last_dialog.done(REFUSE)
    qtbot.waitUntil(task.done, timeout=15_000)
    banner = window.remote_pane.banner
    qtbot.waitUntil(banner.isVisible, timeout=15_000)
    assert "certificate" in banner.text.lower() or "tls" in banner.text.lower()
    assert not window.connection.is_connected


def test_trust_once_covers_the_queue_connections(window, qtbot, tls_demo, tmp_path) -> None:
    """Trusted once at connect: the queue's worker connections to the same server do not
    ask again, and the transfers complete."""
    from client.demo import BINARY_SAMPLE
    from client.ui.certificates import TRUST_ONCE
    task = _connect(window, tls_demo)
    qtbot.waitUntil(lambda: window.trust.last_dialog is not None, timeout=15_000)
    window.trust.last_dialog.done(TRUST_ONCE)
    qtbot.waitUntil(task.done, timeout=15_000)
    assert task.exception() is None
    window.queue.concurrency.setValue(2)
    local = tmp_path / "tls-dl"
    local.mkdir()
    paths = [f"/{BINARY_SAMPLE}", "/" + next(p for p in tls_demo.sample.sha256
                                              if p != BINARY_SAMPLE and "/" not in p)]
    download = asyncio.ensure_future(window.transfers.download_paths(paths, local))
    qtbot.waitUntil(download.done, timeout=15_000)
    idle = asyncio.ensure_future(window.transfers.wait_idle())
    qtbot.waitUntil(idle.done, timeout=30_000)
    assert window.trust.last_dialog is None
    window.bridge.flush()
    assert "data session reused: yes" in window.status.tls_label.text()
    assert (local / BINARY_SAMPLE.rsplit("/", 1)[1]).stat().st_size > 0
    assert len(list(local.iterdir())) == 2


@pytest.mark.parametrize("key", ["Return", "Enter", "Escape"])
def test_enter_and_escape_refuse_the_certificate(qtbot, key) -> None:
    """Pressing Enter in the dialog must never trust a certificate: Refuse is the
    default button and has the focus; the trust buttons are never auto-default."""
    from PySide6.QtCore import Qt

    from client.engine.trust import CertificateInfo
    from client.ui.certificates import REFUSE, CertificateDialog

    info = CertificateInfo(subject="CN=evil", issuer="CN=evil", not_before="2026-01-01",
                           not_after="2027-01-01", fingerprint_sha256="ab" * 32,
                           verify_error="self-signed certificate", host="127.0.0.1", port=21)
    dialog = CertificateDialog(info)
    qtbot.addWidget(dialog)
    results: list[int] = []
    dialog.finished.connect(results.append)
    dialog.open()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    assert dialog.focusWidget() is dialog.refuse_button
    assert not dialog.once_button.autoDefault() and not dialog.always_button.autoDefault()
    qtbot.keyClick(dialog.focusWidget() or dialog, getattr(Qt.Key, f"Key_{key}"))
    qtbot.waitUntil(lambda: bool(results), timeout=15_000)
    assert results == [REFUSE]


def test_trust_needs_a_deliberate_choice(qtbot) -> None:
    """Tab to "Trust once" and press Space: only then is the certificate trusted."""
    from PySide6.QtCore import Qt

    from client.engine.trust import CertificateInfo
    from client.ui.certificates import TRUST_ONCE, CertificateDialog

    info = CertificateInfo(subject="CN=a", issuer="CN=a", not_before="", not_after="",
                           fingerprint_sha256="cd" * 32, verify_error=None, host="127.0.0.1")
    dialog = CertificateDialog(info)
    qtbot.addWidget(dialog)
    results: list[int] = []
    dialog.finished.connect(results.append)
    dialog.open()
    qtbot.waitExposed(dialog)
    dialog.once_button.setFocus()
    qtbot.keyClick(dialog.once_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: bool(results), timeout=15_000)
    assert results == [TRUST_ONCE]
