"""Each proxy kind in the window as a person uses it: a saved site set to go through a
SOCKS5 or SOCKS4a proxy (Debian's danted) or an HTTP CONNECT proxy (tinyproxy) opens,
lists, and a file is downloaded with Enter — the control connection and the passive data
connections all through the proxy, as the console says."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.config.sites import Site, SiteStore

pytestmark = pytest.mark.gui

_LABELS = {"socks5": "SOCKS5", "socks4a": "SOCKS4a", "http": "HTTP CONNECT"}


def _names(pane) -> list[str]:
    model = pane.model
    return [model.data(model.index(row, 0)) for row in range(model.rowCount())]


@pytest.mark.parametrize("kind", ["socks5", "socks4a", "http"])
def test_browse_and_download_through_each_proxy_kind(window, qtbot, qloop, ftp_server, kind,
                                                     request, config_dir, memory_keyring,
                                                     tmp_path) -> None:
    from client.ui.sites.connect import connect_site

    if kind == "http":
        proxy = request.getfixturevalue("make_http_proxy")()  # CONNECT to any port
        url = proxy.url
    else:
        proxy = request.getfixturevalue("socks5_proxy")  # danted speaks both
        url = proxy.url.replace("socks5", kind, 1)
    (ftp_server.root / "via.txt").write_bytes(b"through the proxy\n" * 500)
    store = SiteStore()
    site = Site(name=f"via {kind}", host="127.0.0.1", port=ftp_server.port,
                user=ftp_server.user, tls="off", proxy=url)
    store.save([site])
    store.set_password(site.site_id, ftp_server.password)
    pane = window.remote_pane
    task = window.spawn(connect_site(window, store, site), pane=pane)
    qtbot.waitUntil(task.done, timeout=20_000)
    assert task.exception() is None
    qtbot.waitUntil(lambda: "via.txt" in _names(pane), timeout=10_000)

    pane.view.setCurrentIndex(pane.model.index(pane.model.row_of_name("via.txt"), 0))
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)  # Enter on a file downloads it
    local = tmp_path / "local" / "via.txt"
    qtbot.waitUntil(local.exists, timeout=20_000)
    assert local.read_bytes() == b"through the proxy\n" * 500

    window.bridge.flush()
    texts = [line.text for line in window.console.model.lines()]
    label = f"{_LABELS[kind]} 127.0.0.1:{proxy.port}"
    assert any(t.startswith(f"proxy open (control, {label}") for t in texts), texts
    # the listing's data connection went through the proxy too
    assert any(t.startswith("proxy open (data #") and label in t for t in texts), texts
    assert not any("[failed hop" in t for t in texts)
