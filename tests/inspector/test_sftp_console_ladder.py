"""The inspector's view of an SFTP session from its typed events: the console annotates
the SSH version exchange, the algorithms, the host key, each authentication method and
every SFTP request (an error status with its name and meaning); the diagram holds only
arrows and notes on the one connection, no data arrows; the ASCII ladder says the same;
the data-channel table stays empty and says why."""

from __future__ import annotations

import pytest

from client.engine.events import Endpoint, SessionState, SessionStateChanged
from client.engine.ladder import ControlArrow, DataArrow, LadderModel, NoteMark
from client.engine.ladder_ascii import render_events
from client.engine.sftp.events import (
    AuthOutcome,
    HostKeyDecision,
    SftpRequest,
    SshAlgorithms,
    SshAuthAttempt,
    SshHostKeyChecked,
    SshVersionExchange,
)
from client.engine.sftp.hostkeys import HostKeyState
from client.ui.console.lines import ConsoleKind, lines_from_event

FP = "SHA256:qs8RQwkjV1kbUz/Y1gVTrqcqw1au7XU1YnoWgG7vmS8"


def session_events() -> list:
    c = "c1"
    return [
        SessionStateChanged(t=0.0, connection=c, state=SessionState.CONNECTING,
                            detail="127.0.0.1:2222"),
        SshVersionExchange(t=0.01, connection=c, client_version="SSH-2.0-AsyncSSH_2.24.1",
                           server_version="SSH-2.0-OpenSSH_9.2p1 Debian-2"),
        SshAlgorithms(t=0.02, connection=c, kex="curve25519-sha256", host_key="ssh-ed25519",
                      cipher_cs="aes128-gcm@openssh.com", cipher_sc="aes128-gcm@openssh.com",
                      mac_cs="", mac_sc="", compression_cs="none", compression_sc="none"),
        SshHostKeyChecked(t=0.03, connection=c, key_type="ssh-ed25519", fingerprint=FP,
                          state=HostKeyState.TRUSTED, decision=HostKeyDecision.ACCEPTED,
                          source="/home/u/.ssh/known_hosts:4"),
        SshAuthAttempt(t=0.04, connection=c, method="publickey",
                       detail="~/.ssh/id_ed25519 SHA256:abc", outcome=AuthOutcome.REJECTED),
        SshAuthAttempt(t=0.05, connection=c, method="password", detail="user alice",
                       outcome=AuthOutcome.ACCEPTED),
        SftpRequest(t=0.06, connection=c, request="INIT", result="VERSION 3"),
        SessionStateChanged(t=0.07, connection=c, state=SessionState.READY,
                            server=Endpoint("127.0.0.1", 2222),
                            local=Endpoint("127.0.0.1", 50000)),
        SftpRequest(t=0.08, connection=c, request="OPENDIR", argument="/files",
                    result="handle"),
        SftpRequest(t=0.09, connection=c, request="STAT", argument="/nope",
                    result="STATUS 2 SSH_FX_NO_SUCH_FILE — no file or folder by that name",
                    status=2, status_name="SSH_FX_NO_SUCH_FILE",
                    meaning="no file or folder by that name"),
        SftpRequest(t=0.2, connection=c, request="READ", argument="/files/data.bin",
                    result="data, then STATUS 1 SSH_FX_EOF", count=64, bytes=16 << 20,
                    elapsed=0.1),
    ]


def _console() -> list:
    out = []
    for event in session_events():
        out.extend(lines_from_event(event, 1_700_000_000.0))
    return out


def test_console_shows_the_ssh_conversation_annotated() -> None:
    lines = _console()
    texts = [line.text for line in lines]
    client, server = (line for line in lines if line.text.startswith("SSH-2.0-"))
    assert client.kind is ConsoleKind.COMMAND and server.kind is ConsoleKind.REPLY
    assert "software OpenSSH_9.2p1 Debian-2" in server.annotations[0][1]
    algorithms = next(line for line in lines if line.text.startswith("Key exchange"))
    assert "curve25519-sha256" in algorithms.text and "aes128-gcm@openssh.com" in algorithms.text
    assert "MAC none (the cipher authenticates)" in algorithms.text
    host_key = next(line for line in lines if line.text.startswith("Host key"))
    assert FP in host_key.text and "/home/u/.ssh/known_hosts:4" in host_key.text
    assert "USERAUTH publickey (~/.ssh/id_ed25519 SHA256:abc)" in texts
    rejected = next(line for line in lines if line.text == "publickey: rejected")
    assert rejected.kind is ConsoleKind.WARNING and "next one is tried" in rejected.annotations[0][1]
    assert "password: accepted" in texts
    failed = next(line for line in lines if line.text.startswith("SFTP STAT /nope"))
    assert failed.kind is ConsoleKind.ERROR
    assert ("error", "STATUS 2 SSH_FX_NO_SUCH_FILE: no file or folder by that name") \
        in failed.annotations
    read = next(line for line in lines if line.text.startswith("SFTP READ"))
    assert "×64" in read.text
    assert "no data connection" in read.annotations[-1][1]
    init = next(line for line in lines if line.text.startswith("SFTP INIT"))
    assert "channel of the SSH connection" in init.annotations[0][1]


def test_changed_key_and_unusable_key_lines() -> None:
    changed = SshHostKeyChecked(t=0, connection="c1", key_type="ssh-ed25519", fingerprint=FP,
                                state=HostKeyState.CHANGED,
                                decision=HostKeyDecision.REFUSED_CHANGED,
                                source="/app/known_hosts:1",
                                known_fingerprints=("SHA256:old",))
    (line,) = lines_from_event(changed, 0.0)
    assert line.kind is ConsoleKind.ERROR and "REFUSED" in line.text
    assert ("error", "known key(s): SHA256:old") in line.annotations
    unusable = SshAuthAttempt(t=0, connection="c1", method="publickey", detail="/k",
                              outcome=AuthOutcome.UNUSABLE, reason="needs a passphrase")
    (line,) = lines_from_event(unusable, 0.0)
    assert line.kind is ConsoleKind.WARNING and "needs a passphrase" in line.text


def test_hostile_server_text_is_escaped() -> None:
    event = SshVersionExchange(t=0, connection="c1", client_version="SSH-2.0-x",
                               server_version="SSH-2.0-evil\x1b[2J\r\nPASS x")
    texts = [line.text for line in lines_from_event(event, 0.0)]
    assert not any("\x1b" in t or "\r" in t or "\n" in t for t in texts)


def test_diagram_is_one_connection_without_data_arrows() -> None:
    model = LadderModel()
    model.feed_all(session_events())
    assert list(model.lifelines) == ["c1"]
    assert not [i for i in model.items if isinstance(i, DataArrow)]
    assert model.data_arrows() == []
    arrows = [i for i in model.items if isinstance(i, ControlArrow)]
    labels = [a.label for a in arrows]
    assert labels[:2] == ["SSH-2.0-AsyncSSH_2.24.1", "SSH-2.0-OpenSSH_9.2p1 Debian-2"]
    assert "USERAUTH publickey" in labels and "FAILURE" in labels and "SUCCESS" in labels
    read = next(a for a in arrows if a.label.startswith("READ /files/data.bin"))
    answer = arrows[arrows.index(read) + 1]
    assert answer.decoded == ("16.0 MiB inside the SSH connection",)
    stat_answer = next(a for a in arrows if a.label.startswith("STATUS 2"))
    assert stat_answer.severity.value == "error"
    notes = [i for i in model.items if isinstance(i, NoteMark)]
    assert any(n.kind == "sftp" and "one SSH connection" in n.text for n in notes)
    # a console row (event index) points at its event's first item
    first = model.item_for_event(1)
    assert first is not None and model.items[first].label.startswith("SSH-2.0-AsyncSSH")


def test_ascii_ladder_of_an_sftp_session() -> None:
    text = render_events(session_events(), width=100)
    assert "OPENDIR /files" in text and "SSH-2.0-OpenSSH" in text
    assert "one SSH connection" in text
    # under it, what the connection carried instead of the FTP data-connection summary
    assert "SFTP: 1 SSH connection carried 67 SFTP requests (1 refused), 16.0 MiB of file " \
        "data." in " ".join(text.split())
    assert "no passive/active mode and no data port" in " ".join(text.split())
    assert "==>> data connection" not in text


def test_the_window_export_says_the_same_as_the_command_line(tmp_path) -> None:
    """The window's *Export as text* and *Copy* render the model the window fed, and
    end with the same SFTP lines as ``ls --ladder``; a cleared model forgets them."""
    from client.engine.ladder_ascii import render_ladder

    model = LadderModel()
    model.feed_all(session_events())
    assert render_ladder(model, width=100) == render_events(session_events(), width=100)
    assert "SFTP: 1 SSH connection" in render_ladder(model, width=100)
    model.clear()
    assert "SFTP:" not in render_ladder(model, width=100)


@pytest.mark.gui
def test_channel_table_says_why_it_is_empty(qapp) -> None:
    from PySide6.QtCore import Qt

    from client.ui.inspector.channel_table import DataChannelTableModel, DataChannelTableView

    ladder = LadderModel()
    model = DataChannelTableModel(ladder)
    view = DataChannelTableView(model)
    assert model.no_data_reason is None
    ladder.feed_all(session_events())
    assert model.rowCount() == 0
    assert "SFTP session" in (model.no_data_reason or "")
    assert "no port range to forward" in view.accessibleDescription()
    view.resize(600, 200)
    view.grab()  # paints the reason without error
    assert view.painted_reason == model.no_data_reason
    # a short table (the dock's default split at 1366x768) shows a sentence that fits, and
    # the whole reason when the pointer rests on it
    view.resize(460, 90)
    view.grab()
    viewport = view.viewport()
    room = viewport.rect().adjusted(12, 8, -12, -8)
    flags = int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
    shown = view.painted_reason
    assert shown.startswith("No data connections")
    assert view.fontMetrics().boundingRect(room, flags, shown).height() <= room.height()
    assert viewport.toolTip() == model.no_data_reason
    ladder.clear()
    assert model.no_data_reason is None and view.accessibleDescription() == ""


def test_header_names_the_new_session_not_a_late_note_of_the_old_one() -> None:
    """After a new session, the old site's connection may still report that it closed;
    the lifelines named in the header are those of the new session's first arrow."""
    model = LadderModel()
    model.feed(SessionStateChanged(t=0.0, connection="c1", state=SessionState.DISCONNECTED,
                                   server=Endpoint("127.0.0.1", 2121),
                                   local=Endpoint("127.0.0.1", 40000)))
    model.feed_all([e if not hasattr(e, "connection") else e.__class__(
        **{**{f: getattr(e, f) for f in e.__dataclass_fields__}, "connection": "c2"})
        for e in session_events()])
    assert model.primary_lifelines().server == Endpoint("127.0.0.1", 2222)
    model.clear()
    assert model.primary_lifelines().connection == "c1"  # nothing seen: the default
