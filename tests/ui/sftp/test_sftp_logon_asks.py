"""An SFTP logon in the window goes as with OpenSSH: the agent and the default key files
(~/.ssh/id_ed25519, id_ecdsa, id_rsa) first, a passphrase dialog for an encrypted key,
then a password dialog — a clicked sftp://user@host link without a password asked for
nothing and failed with "no method could be offered". Against Debian's sshd and the
scripted SSH server (which records the passwords it receives)."""

from __future__ import annotations

import shutil

import asyncssh
import pytest
from fixtures.sftp_scripted import PASSWORD, USER, ScriptedSftp
from PySide6.QtCore import Qt

from client.ui.app import open_target

pytestmark = pytest.mark.gui


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty home (no key files) and no SSH agent, as on a fresh account."""
    path = tmp_path / "home"
    (path / ".ssh").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(path))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    return path


@pytest.fixture
def scripted(serve_scripted_sftp) -> ScriptedSftp:
    return serve_scripted_sftp(ScriptedSftp(files={b"scripted.txt": b"hi\n"}))


def _names(window) -> list[str]:
    model = window.remote_pane.model
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def _trust_once(qtbot, window) -> None:
    asker = window.sessions.asker
    qtbot.waitUntil(lambda: asker.last_dialog is not None and asker.last_dialog.isVisible(),
                    timeout=15_000)
    qtbot.mouseClick(asker.last_dialog.once_button, Qt.MouseButton.LeftButton)


def _secret_dialog(qtbot, window):
    secrets = window.sessions.secret_asker
    qtbot.waitUntil(lambda: secrets.last_dialog is not None
                    and secrets.last_dialog.isVisible(), timeout=15_000)
    return secrets.last_dialog


def _answer(qtbot, dialog, text: str) -> None:
    qtbot.keyClicks(dialog.field, text)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)


def _open_link(window, url: str) -> None:
    window.spawn(open_target(window, url), pane=window.remote_pane, doing="connecting")


def test_a_clicked_link_without_password_asks_for_it(sftp_window, qtbot, sshd_server,
                                                     home, config_dir) -> None:
    (sshd_server.root / "asked.txt").write_text("the password was asked\n")
    sshd_server.own()
    window = sftp_window
    _open_link(window, f"sftp://{sshd_server.user}@{sshd_server.host}:{sshd_server.port}/")
    _trust_once(qtbot, window)
    dialog = _secret_dialog(qtbot, window)
    assert dialog.windowTitle() == "SSH password"
    assert f"{sshd_server.user}@{sshd_server.host}:{sshd_server.port}" in dialog.message.text()
    _answer(qtbot, dialog, sshd_server.password)
    qtbot.waitUntil(lambda: "asked.txt" in _names(window), timeout=15_000)
    for path in config_dir.rglob("*"):  # kept for the session only, never in a file
        if path.is_file():
            assert sshd_server.password not in path.read_text(errors="replace"), path
    (sshd_server.root / "asked.txt").unlink()


def test_quick_connect_logs_in_with_the_default_key(sftp_window, qtbot, sshd_server,
                                                     home) -> None:
    shutil.copy(sshd_server.key_file, home / ".ssh" / "id_ed25519")
    (sshd_server.root / "by-key.txt").write_text("logged in with ~/.ssh/id_ed25519\n")
    sshd_server.own()
    window = sftp_window
    quick = window.quick
    qtbot.keyClicks(quick.host, f"sftp://{sshd_server.user}@{sshd_server.host}:"
                                f"{sshd_server.port}")
    qtbot.keyClick(quick.host, Qt.Key.Key_Return)
    _trust_once(qtbot, window)
    qtbot.waitUntil(lambda: "by-key.txt" in _names(window), timeout=15_000)
    assert window.sessions.secret_asker.last_dialog is None  # nothing was asked
    (sshd_server.root / "by-key.txt").unlink()


def test_an_encrypted_default_key_asks_for_its_passphrase(sftp_window, qtbot, sshd_server,
                                                          home) -> None:
    key = asyncssh.read_private_key(sshd_server.key_file)
    encrypted = home / ".ssh" / "id_ed25519"
    key.write_private_key(encrypted, passphrase="key-Passphrase-3")
    encrypted.chmod(0o600)
    (sshd_server.root / "unlocked.txt").write_text("the key was unlocked\n")
    sshd_server.own()
    window = sftp_window
    quick = window.quick
    qtbot.keyClicks(quick.host, f"sftp://{sshd_server.user}@{sshd_server.host}:"
                                f"{sshd_server.port}")
    qtbot.keyClick(quick.host, Qt.Key.Key_Return)
    dialog = _secret_dialog(qtbot, window)
    assert dialog.windowTitle() == "Key passphrase" and str(encrypted) in dialog.message.text()
    _answer(qtbot, dialog, "wrong")
    dialog = _secret_dialog(qtbot, window)
    assert "does not decrypt" in dialog.refused_label.text()
    _answer(qtbot, dialog, "key-Passphrase-3")
    _trust_once(qtbot, window)
    qtbot.waitUntil(lambda: "unlocked.txt" in _names(window), timeout=15_000)
    (sshd_server.root / "unlocked.txt").unlink()


def test_a_refused_password_is_asked_again_and_cancel_stops(sftp_window, qtbot, scripted,
                                                            home) -> None:
    window = sftp_window
    _open_link(window, f"sftp://{USER}@127.0.0.1:{scripted.port}/")
    _trust_once(qtbot, window)
    _answer(qtbot, _secret_dialog(qtbot, window), "not-the-password")
    dialog = _secret_dialog(qtbot, window)
    assert "refused" in dialog.refused_label.text()
    _answer(qtbot, dialog, PASSWORD)
    qtbot.waitUntil(lambda: "scripted.txt" in _names(window), timeout=15_000)
    assert [p for _u, p in scripted.passwords_received] == ["not-the-password", PASSWORD]
    # the queue's connections log in with the answer: no second question
    assert window.connection.settings.password == PASSWORD
    qtbot.waitUntil(lambda: not window.connection.busy, timeout=15_000)
    window.disconnect()
    qtbot.waitUntil(lambda: not window.connection.is_connected, timeout=15_000)
    _open_link(window, f"sftp://{USER}@127.0.0.1:{scripted.port}/")
    dialog = _secret_dialog(qtbot, window)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Escape)  # Cancel
    qtbot.waitUntil(lambda: window.remote_pane.banner.isVisible(), timeout=15_000)
    assert "refused the login" in window.remote_pane.banner.text
    assert len(scripted.passwords_received) == 2  # nothing more was sent
