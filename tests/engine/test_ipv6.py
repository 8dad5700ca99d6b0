"""IPv6 end to end on ::1: EPSV and EPRT (RFC 2428) list, download and upload, and the
data connections' endpoints are IPv6. PASV and PORT cannot carry IPv6 addresses, so the
engine must not fall back to them on an IPv6 control connection."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.sample_tree import BIG_FILE, BIG_FILE_SIZE, big_file_bytes, sha256_of

from client.engine.events import DataChannelEvent, DataPhase, LineSent
from client.engine.session import FtpSession
from client.engine.settings import TransferMode

from .conftest import Recorder


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", [TransferMode.PASSIVE, TransferMode.ACTIVE], ids=["epsv", "eprt"])
async def test_ipv6_list_download_upload(ftp_ipv6_server, bus, mode: TransferMode,
                                         tmp_path: Path) -> None:
    recorder = Recorder(bus)
    settings = ftp_ipv6_server.settings(mode=mode)
    async with FtpSession(settings, bus=bus) as session:
        assert session.server is not None and session.server.host == "::1"
        listing = await session.list("/")
        sizes = {entry.name: entry.size for entry in listing.entries}
        assert sizes.get(BIG_FILE) == BIG_FILE_SIZE, sizes
        target = tmp_path / "big.bin"
        await session.download(BIG_FILE, target)
        assert sha256_of(target) == sha256_of(big_file_bytes())
        source = tmp_path / "up.bin"
        source.write_bytes(b"ipv6 upload\n" * 1000)
        await session.upload(source, "upload/v6.bin")
        assert (ftp_ipv6_server.root / "upload" / "v6.bin").read_bytes() == source.read_bytes()

    expected = "EPSV" if mode is TransferMode.PASSIVE else "EPRT"
    sent = [event.text.split(" ", 1)[0] for event in recorder.of(LineSent)]
    assert expected in sent
    assert "PASV" not in sent and "PORT" not in sent
    if mode is TransferMode.ACTIVE:
        eprt = [event.text for event in recorder.of(LineSent) if event.text.startswith("EPRT")]
        assert all(line.startswith("EPRT |2|::1|") for line in eprt), eprt
    connected = [event for event in recorder.of(DataChannelEvent)
                 if event.phase is DataPhase.CONNECTED]
    assert connected, "no data connection reached CONNECTED"
    for event in connected:
        assert event.method == expected
        assert event.local is not None and event.remote is not None
        assert event.local.host == "::1" and event.remote.host == "::1"
