"""SFTP through a proxy in the window: a saved SFTP site set to go through SOCKS5 (Debian's
danted) or HTTP CONNECT (tinyproxy) asks about the host key, lists the server's files and
says in the console that its one connection went through the proxy."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.config.sites import Site, SiteStore

pytestmark = pytest.mark.gui

_LABELS = {"socks5": "SOCKS5", "http": "HTTP CONNECT"}


@pytest.mark.parametrize("kind", ["socks5", "http"])
def test_a_saved_sftp_site_through_a_proxy_lists_its_files(sftp_window, qtbot, sshd_server,
                                                          kind, request,
                                                          memory_keyring) -> None:
    from client.ui.sites.connect import connect_site

    proxy = (request.getfixturevalue("make_http_proxy")() if kind == "http"
             else request.getfixturevalue("socks5_proxy"))
    (sshd_server.root / "through.txt").write_text("over a tunnel\n")
    sshd_server.own()
    window, pane = sftp_window, sftp_window.remote_pane
    store = SiteStore()
    site = Site(name="Shell via proxy", host=sshd_server.host, port=sshd_server.port,
                user=sshd_server.user, protocol="sftp", use_agent=False, proxy=proxy.url)
    store.save([site])
    store.set_password(site.site_id, sshd_server.password)
    task = window.spawn(connect_site(window, store, site), pane=pane)
    asker = window.sessions.asker
    qtbot.waitUntil(lambda: asker.last_dialog is not None and asker.last_dialog.isVisible(),
                    timeout=15_000)
    qtbot.mouseClick(asker.last_dialog.once_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(task.done, timeout=15_000)
    assert task.exception() is None
    model = pane.model
    assert "through.txt" in [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    window.bridge.flush()
    texts = [line.text for line in window.console.model.lines()]
    label = f"{_LABELS[kind]} 127.0.0.1:{proxy.port}"
    assert any(t.startswith(f"proxy open (control, {label}") for t in texts), texts
    assert any(t.startswith("SSH-2.0-OpenSSH") for t in texts)
