"""The quickconnect history file (Qt-free): newest first, one entry per server, at most
ten, no password field at all, unreadable files start empty, and a history kept
elsewhere before is taken over only once."""

from __future__ import annotations

import json
import stat

from client.config.history import HISTORY_LIMIT, QuickconnectHistory, RecentServer
from client.engine.settings import CommandFamily, ConnectionSettings, TlsMode, TransferMode


def test_newest_first_once_each_and_bounded(tmp_path) -> None:
    history = QuickconnectHistory(tmp_path / "quickconnect.json")
    assert history.load() == []
    for port in range(2100, 2100 + HISTORY_LIMIT + 3):
        history.remember(RecentServer("127.0.0.1", port))
    history.remember(RecentServer("127.0.0.1", 2105))
    ports = [server.port for server in history.load()]
    assert ports[0] == 2105 and len(ports) == HISTORY_LIMIT and ports.count(2105) == 1
    assert stat.S_IMODE((tmp_path / "quickconnect.json").stat().st_mode) == 0o600


def test_an_entry_keeps_how_but_never_the_password(tmp_path) -> None:
    settings = ConnectionSettings(host="::1", port=2121, user="alice", password="s3cret!",
                                  tls=TlsMode.EXPLICIT, mode=TransferMode.ACTIVE
                                  ).with_commands(CommandFamily.EXTENDED)
    history = QuickconnectHistory(tmp_path / "quickconnect.json")
    history.remember(RecentServer.of(settings))
    assert "s3cret!" not in history.path.read_text()
    assert history.load() == [RecentServer("::1", 2121, "alice", TlsMode.EXPLICIT,
                                           TransferMode.ACTIVE, CommandFamily.EXTENDED)]


def test_a_broken_file_or_entry_is_skipped(tmp_path) -> None:
    path = tmp_path / "quickconnect.json"
    path.write_text("{not json")
    assert QuickconnectHistory(path).load() == []
    path.write_text(json.dumps({"servers": [{"host": "h"}, "x", {"host": "h", "port": 21,
                                                                  "tls": "bogus"}]}))
    assert QuickconnectHistory(path).load() == [RecentServer("h", 21)]


def test_an_older_history_is_taken_over_once_without_passwords(tmp_path) -> None:
    history = QuickconnectHistory(tmp_path / "quickconnect.json")
    old = [{"host": "a", "port": 21, "user": "u", "password": "pw", "mode": "active"}]
    assert history.import_once(old)
    assert history.load() == [RecentServer("a", 21, "u", mode=TransferMode.ACTIVE)]
    assert "pw" not in history.path.read_text()
    assert not history.import_once([{"host": "b", "port": 21}])
    assert [server.host for server in history.load()] == ["a"]


def test_an_sftp_server_is_remembered_as_sftp(tmp_path) -> None:
    from client.engine.schemes import Protocol
    from client.engine.sftp.settings import SftpSettings

    history = QuickconnectHistory(tmp_path / "quickconnect.json")
    history.remember(RecentServer.of(SftpSettings(host="h", port=2222, user="u",
                                                  password="secret")))
    (server,) = history.load()
    assert server.protocol is Protocol.SFTP and (server.host, server.port) == ("h", 2222)
    assert "secret" not in history.path.read_text()
    assert RecentServer.from_json({"host": "h", "port": 21}).protocol is Protocol.FTP
