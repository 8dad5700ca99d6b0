"""The parsers against what real servers send: pyftpdlib, vsftpd, pure-ftpd, proftpd.

The bytes are fetched with the standard library's ftplib (a plain transport, so this
tests the parsers and not the engine) and compared with the files on disk that the
server is serving: every name, kind and size must come out right, nothing unparsed.
"""

from __future__ import annotations

import ftplib
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from client.protocol.features import Features
from client.protocol.listing import EntryKind, ListingResult, parse_listing, parse_stat_listing
from client.protocol.paths import parse_257
from client.protocol.replies import parse_replies

pytestmark = pytest.mark.realserver


@pytest.fixture
def ftp(real_server) -> Iterator[tuple[ftplib.FTP, object]]:  # noqa: ANN001 - ServerInfo
    client = ftplib.FTP(timeout=5)
    client.connect(real_server.host, real_server.port)
    client.login(real_server.user, real_server.password)
    client.set_pasv(True)
    try:
        yield client, real_server
    finally:
        try:
            client.quit()
        except (OSError, EOFError, ftplib.Error):
            client.close()


def raw(client: ftplib.FTP, command: str) -> bytes:
    chunks: list[bytes] = []
    client.retrbinary(command, chunks.append)
    return b"".join(chunks)


def on_disk(root: Path) -> dict[str, os.stat_result]:
    return {name: (root / name).stat() for name in os.listdir(root) if not name.startswith(".")}


def assert_matches_disk(result: ListingResult, root: Path, *, sizes_of_dirs: bool = False) -> None:
    assert result.unparsed == ()
    expected = on_disk(root)
    got = {e.name: e for e in result.entries if not e.name.startswith(".")}
    assert set(got) == set(expected)
    for name, entry in got.items():
        stat = expected[name]
        if (root / name).is_dir():
            assert entry.kind is EntryKind.DIR, name
        else:
            assert entry.kind is EntryKind.FILE, name
            assert entry.size == stat.st_size, name
        assert entry.modified is not None, name
        mtime = datetime.fromtimestamp(stat.st_mtime, UTC)
        shown = entry.modified if entry.modified.tzinfo else entry.modified.replace(tzinfo=UTC)
        # ls-style times are the server's local time (or UTC): within a day either way.
        assert abs(shown - mtime) < timedelta(days=1), name


def test_list(ftp) -> None:  # noqa: ANN001
    client, info = ftp
    assert_matches_disk(parse_listing(raw(client, "LIST")), info.root)


def test_mlsd_when_offered(ftp) -> None:  # noqa: ANN001
    client, info = ftp
    (feat,) = parse_replies((client.sendcmd("FEAT").replace("\n", "\r\n") + "\r\n").encode())
    features = Features.parse(feat)
    if not features.mlst:
        assert "MLSD" not in info.features
        pytest.skip(f"{info.name} does not offer MLSD")
    result = parse_listing(raw(client, "MLSD"), fmt="mlsd")
    assert result.format == "mlsd"
    assert_matches_disk(result, info.root)
    for entry in result.entries:
        assert entry.modified is not None and entry.modified.tzinfo is UTC
        mtime = datetime.fromtimestamp((info.root / entry.name).stat().st_mtime, UTC)
        assert abs(entry.modified - mtime) < timedelta(seconds=2)


def test_nlst(ftp) -> None:  # noqa: ANN001
    client, info = ftp
    result = parse_listing(raw(client, "NLST"), fmt="names")
    names = {e.name.rsplit("/", 1)[-1] for e in result.entries}
    assert names - {"."} >= set(on_disk(info.root)) - {"."}
    assert result.unparsed == ()


def test_feat_and_pwd(ftp) -> None:  # noqa: ANN001
    client, info = ftp
    (feat,) = parse_replies((client.sendcmd("FEAT").replace("\n", "\r\n") + "\r\n").encode())
    features = Features.parse(feat)
    assert features.size and features.mdtm
    assert features.epsv == ("EPSV" in info.features)
    assert parse_257(client.sendcmd("PWD")) == "/"
    client.cwd("docs")
    assert parse_257(client.sendcmd("PWD")) == "/docs"
    made = client.sendcmd('MKD with "quote"')
    assert parse_257(made).endswith('with "quote"')


def test_stat_listing(ftp) -> None:  # noqa: ANN001
    client, info = ftp
    try:
        text = client.sendcmd("STAT .")
    except ftplib.error_perm as exc:
        pytest.skip(f"{info.name} refuses STAT with a path: {exc}")
    (reply,) = parse_replies((text.replace("\n", "\r\n") + "\r\n").encode())
    result = parse_stat_listing(reply)
    assert result.unparsed == ()
    assert {e.name for e in result.entries} >= set(on_disk(info.root))
