"""vsftpd with passive mode switched off answers PASV with "550 Permission denied.":
the listing's banner said "the server answered LIST with 550 — it refused the command",
though LIST was never sent (the console said it right: the server refuses passive mode).
The banner names PASV and says to use active mode."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = [pytest.mark.gui, pytest.mark.realserver]


def test_a_refused_pasv_is_named_in_the_banner(window, qtbot, vsftpd_active_only_server) -> None:
    server = vsftpd_active_only_server
    window.resize(1366, 740)
    quick = window.quick
    quick.host.setText(f"ftp://{server.host}:{server.port}")
    quick.user.setText(server.user)
    quick.password.setText(server.password)
    qtbot.mouseClick(quick.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.hung_listing.banner is not None
                    and window.hung_listing.banner.isVisible(), timeout=15_000)
    qtbot.waitUntil(lambda: not window.connection.busy, timeout=15_000)
    window.bridge.flush()  # the failure's events reach the banner too
    text = window.hung_listing.banner.message.text()
    assert "answered LIST" not in text, text
    assert "PASV" in text and "550" in text, text
    assert "passive mode" in text and "active mode" in text, text
