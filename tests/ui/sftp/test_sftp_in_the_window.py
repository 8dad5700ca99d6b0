"""SFTP in the window as a person uses it, against Debian's OpenSSH sshd: type an
sftp:// address in the quickconnect bar and press Enter, answer the host-key question,
see the listing, download a file with Enter, upload, and see the SSH conversation in the
console and one connection in the diagram. A changed host key is refused with the
warning and no way to accept it."""

from __future__ import annotations

import base64
import shutil

import pytest
from PySide6.QtCore import Qt

from client.engine.ladder import ControlArrow, DataArrow

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _files(sshd_server):
    for entry in sshd_server.root.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    (sshd_server.root / "hello.txt").write_bytes(b"hello over ssh\n")
    (sshd_server.root / "data.bin").write_bytes(bytes(range(256)) * 4096)
    sshd_server.own()
    yield


def _names(window) -> list[str]:
    model = window.remote_pane.model
    return sorted(model.data(model.index(row, 0)) for row in range(model.rowCount()))


def _click_row(qtbot, pane, name: str) -> None:
    index = pane.model.index(pane.model.row_of_name(name), 0)
    qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=pane.view.visualRect(index).center())


def _type_address_and_enter(qtbot, window, server) -> None:
    quick = window.quick
    qtbot.keyClicks(quick.host, f"sftp://{server.user}@{server.host}:{server.port}")
    qtbot.keyClicks(quick.password, server.password)
    qtbot.keyClick(quick.password, Qt.Key.Key_Return)


def _dialog(qtbot, window):
    asker = window.sessions.asker
    qtbot.waitUntil(lambda: asker.last_dialog is not None and asker.last_dialog.isVisible(),
                    timeout=15_000)
    return asker.last_dialog


def test_connect_trust_once_browse_download_upload(sftp_window, qtbot, sshd_server,
                                                    tmp_path) -> None:
    window, pane = sftp_window, sftp_window.remote_pane
    _type_address_and_enter(qtbot, window, sshd_server)
    dialog = _dialog(qtbot, window)
    assert dialog.fields["fingerprint"].text() == sshd_server.host_fingerprint
    assert dialog.fields["type"].text() == "ssh-ed25519"
    assert dialog.fields["server"].text() == f"127.0.0.1:{sshd_server.port}"
    qtbot.mouseClick(dialog.once_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.current_path == "/files" and not window.connection.busy,
                    timeout=15_000)
    assert _names(window) == ["data.bin", "hello.txt"]
    assert window.connection.ftp is None
    assert not window.quick.passive_button.isEnabled()
    assert not window.diagnose_action.isEnabled()
    assert window.status.mode_label.text() == "SFTP: one connection"
    assert window.status.data_label.text() == "No data connections (SFTP)"
    assert not (tmp_path / "app_known_hosts").exists()  # once: nothing stored

    # the dialog has closed: the window is the active one again, as under a desktop
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=15_000)
    _click_row(qtbot, pane, "data.bin")
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)
    local = tmp_path / "local" / "data.bin"
    qtbot.waitUntil(local.exists, timeout=20_000)
    assert local.read_bytes() == bytes(range(256)) * 4096
    assert not (tmp_path / "local" / "data.bin.part").exists()

    mine = tmp_path / "mine.txt"
    mine.write_bytes(b"uploaded over sftp")
    window.spawn(window.upload_paths([mine]), pane=pane)
    qtbot.waitUntil(lambda: (sshd_server.root / "mine.txt").exists()
                    and (sshd_server.root / "mine.txt").read_bytes() == b"uploaded over sftp",
                    timeout=20_000)

    window.bridge.flush()
    texts = [line.text for line in window.console.model.lines()]
    assert any(t.startswith("SSH-2.0-OpenSSH") for t in texts)
    assert any(t.startswith("Key exchange ") for t in texts)
    # while the dialog asked, the console said so (not "refused": the person decides)
    host_key_lines = [t for t in texts if t.startswith("Host key ")]
    assert "asking you whether to trust it" in host_key_lines[0], host_key_lines
    assert not any("refused" in t for t in host_key_lines), host_key_lines
    assert "trusted once by you" in host_key_lines[-1]
    assert any(t.startswith("USERAUTH password") for t in texts)
    assert any(t.startswith("SFTP OPENDIR /files") or t.startswith("SFTP OPENDIR .")
               for t in texts)
    assert any(t.startswith("SFTP READ ") for t in texts)
    assert sshd_server.password not in "\n".join(texts)

    ladder = window.inspector_dock.panel.model
    assert not [i for i in ladder.items if isinstance(i, DataArrow)]
    browsing = window.connection.connection_id
    arrows = [i for i in ladder.items if isinstance(i, ControlArrow)]
    assert any(a.connection == browsing and a.label.startswith("OPENDIR") for a in arrows)
    table = window.inspector_dock.panel.table
    assert table.model().rowCount() == 0
    assert "SFTP session" in table.accessibleDescription()


def test_always_trust_stores_the_key_and_does_not_ask_again(sftp_window, qtbot,
                                                             sshd_server, tmp_path) -> None:
    window, pane = sftp_window, sftp_window.remote_pane
    _type_address_and_enter(qtbot, window, sshd_server)
    qtbot.mouseClick(_dialog(qtbot, window).always_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.current_path == "/files" and not window.connection.busy,
                    timeout=15_000)
    stored = (tmp_path / "app_known_hosts").read_text()
    assert f"[127.0.0.1]:{sshd_server.port} ssh-ed25519" in stored
    window.sessions.asker._trusted_now.clear()  # noqa: SLF001 - a new run of the app
    window.reconnect()
    qtbot.waitUntil(lambda: not window.connection.busy and window.connection.is_connected,
                    timeout=15_000)
    qtbot.wait(200)
    assert window.sessions.asker.last_dialog is None
    assert _names(window) == ["data.bin", "hello.txt"]


def test_cancel_refuses_and_says_so(sftp_window, qtbot, sshd_server) -> None:
    window = sftp_window
    _type_address_and_enter(qtbot, window, sshd_server)
    qtbot.mouseClick(_dialog(qtbot, window).cancel_button, Qt.MouseButton.LeftButton)
    banner = window.remote_pane.banner
    qtbot.waitUntil(banner.isVisible, timeout=15_000)
    assert sshd_server.host_fingerprint in banner.text
    assert not window.connection.is_connected


def test_changed_host_key_is_refused_with_a_warning(sftp_window, qtbot, sshd_server,
                                                    tmp_path) -> None:
    window = sftp_window
    other = base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + b"\x01" * 32)
    (tmp_path / "app_known_hosts").write_text(
        f"[127.0.0.1]:{sshd_server.port} ssh-ed25519 {other.decode()}\n")
    _type_address_and_enter(qtbot, window, sshd_server)
    dialog = _dialog(qtbot, window)
    assert dialog.objectName() == "hostKeyChangedDialog"
    assert dialog.once_button is None and dialog.always_button is None
    assert "CHANGED" in dialog.headline.text()
    assert dialog.fields["fingerprint"].text() == sshd_server.host_fingerprint
    banner = window.remote_pane.banner
    qtbot.waitUntil(banner.isVisible, timeout=15_000)
    assert not window.connection.is_connected
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.sessions.asker.last_dialog is None, timeout=15_000)
    assert not window.connection.is_connected
    assert "changed" in banner.text.lower()
    assert banner.action_button.text() != "Reconnect" or not banner.action_button.isVisible()


def test_a_saved_sftp_site_connects_with_its_key_file(sftp_window, qtbot, sshd_server,
                                                      memory_keyring) -> None:
    from client.config.sites import Site, SiteStore
    from client.ui.sites.connect import connect_site

    window, pane = sftp_window, sftp_window.remote_pane
    store = SiteStore()
    site = Site(name="Shell", host=sshd_server.host, port=sshd_server.port,
                user=sshd_server.user, protocol="sftp", key_file=str(sshd_server.key_file),
                use_agent=False, logon="ask")
    store.save([site])
    task = window.spawn(connect_site(window, store, site), pane=pane)
    qtbot.mouseClick(_dialog(qtbot, window).once_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(task.done, timeout=15_000)
    assert task.exception() is None
    assert _names(window) == ["data.bin", "hello.txt"]
    window.bridge.flush()
    texts = [line.text for line in window.console.model.lines()]
    assert any(t.startswith("USERAUTH publickey") for t in texts)
    assert "password: accepted" not in texts


def test_folder_changes_over_sftp(sftp_window, qtbot, sshd_server) -> None:
    """New folder, rename, permissions and delete through the window's actions (what the
    menus and keys call), each checked on the server's disk."""
    import os
    import stat

    from ..helpers import run

    window, pane = sftp_window, sftp_window.remote_pane
    _type_address_and_enter(qtbot, window, sshd_server)
    qtbot.mouseClick(_dialog(qtbot, window).once_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.current_path == "/files" and not window.connection.busy,
                    timeout=15_000)
    actions = window.remote_actions
    run(qtbot, actions.mkdir("made"))
    assert (sshd_server.root / "made").is_dir() and "made" in _names(window)
    hello = next(e for e in pane.model.entries() if e.name == "hello.txt")
    run(qtbot, actions.rename(hello, "renamed.txt"))
    assert (sshd_server.root / "renamed.txt").read_bytes() == b"hello over ssh\n"
    assert "renamed.txt" in _names(window) and "hello.txt" not in _names(window)
    renamed = next(e for e in pane.model.entries() if e.name == "renamed.txt")
    run(qtbot, actions.chmod([renamed], 0o600))
    assert stat.S_IMODE(os.stat(sshd_server.root / "renamed.txt").st_mode) == 0o600
    made = next(e for e in pane.model.entries() if e.name == "made")
    run(qtbot, actions.delete([made, renamed], confirmed=True))
    assert not (sshd_server.root / "made").exists()
    assert not (sshd_server.root / "renamed.txt").exists()
    assert _names(window) == ["data.bin"]
    window.bridge.flush()
    texts = [line.text for line in window.console.model.lines()]
    assert any(t.startswith("SFTP MKDIR") for t in texts)
    assert any(t.startswith("SFTP SETSTAT") or t.startswith("SFTP CHMOD") for t in texts)
    assert any(t.startswith("SFTP RMDIR") for t in texts)


def test_an_encrypted_key_asks_for_its_passphrase(sftp_window, qtbot, sshd_server,
                                                  memory_keyring, tmp_path,
                                                  config_dir) -> None:
    """The passphrase is asked when connecting, used, and written nowhere."""
    import subprocess

    from client.config.sites import Site, SiteStore
    from client.ui.dialogs import PasswordDialog
    from client.ui.sites.connect import connect_site

    passphrase = "correct horse ssh staple"
    key = tmp_path / "id_encrypted"
    shutil.copy(sshd_server.key_file, key)
    key.chmod(0o600)
    subprocess.run(["ssh-keygen", "-q", "-p", "-P", "", "-N", passphrase, "-f", str(key)],
                   check=True, capture_output=True)
    window, pane = sftp_window, sftp_window.remote_pane
    store = SiteStore()
    site = Site(name="Locked", host=sshd_server.host, port=sshd_server.port,
                user=sshd_server.user, protocol="sftp", key_file=str(key), use_agent=False,
                logon="ask")
    store.save([site])
    task = window.spawn(connect_site(window, store, site), pane=pane)
    qtbot.waitUntil(lambda: window.findChild(PasswordDialog, "askPasswordDialog") is not None,
                    timeout=10_000)
    dialog = window.findChild(PasswordDialog, "askPasswordDialog")
    assert "Passphrase of the key" in dialog.message.text()
    qtbot.keyClicks(dialog.field, passphrase)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    qtbot.mouseClick(_dialog(qtbot, window).once_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(task.done, timeout=15_000)
    assert task.exception() is None
    assert _names(window) == ["data.bin", "hello.txt"]
    window.bridge.flush()
    texts = "\n".join(line.text for line in window.console.model.lines())
    assert "publickey: accepted" in texts and passphrase not in texts
    for path in config_dir.rglob("*"):
        if path.is_file():
            assert passphrase.encode() not in path.read_bytes(), path
