"""A plain upload uses ``sendfile`` when its bytes leave the machine and reads and writes
to a server on the same machine, where the server's copy of cold pages made sendfile
the slower of the two (measured in bench/, see SENDFILE_TO_LOOPBACK)."""

from __future__ import annotations

import asyncio
import os

import pytest

from client.engine import upload
from client.engine.session import FtpSession


class _Transport(asyncio.BaseTransport):
    def __init__(self, peer: object) -> None:
        super().__init__()
        self._peer = peer

    def get_extra_info(self, name: str, default: object = None) -> object:
        return self._peer if name == "peername" else default


@pytest.mark.parametrize(("peer", "wanted"), [
    (("127.0.0.1", 50000), False),
    (("127.8.9.10", 50000), False),
    (("::1", 50000, 0, 0), False),
    (("::ffff:127.0.0.1", 50000, 0, 0), False),
    (("10.77.0.2", 50000), True),
    (("2001:db8::5", 50000, 0, 0), True),
    (("fe80::1%eth0", 50000, 0, 2), True),
    (None, True),
])
def test_sendfile_only_when_the_bytes_leave_the_machine(peer, wanted) -> None:
    assert upload._wants_sendfile(_Transport(peer)) is wanted


def test_the_switch_sends_with_sendfile_to_loopback_too(monkeypatch) -> None:
    monkeypatch.setattr(upload, "SENDFILE_TO_LOOPBACK", True)
    assert upload._wants_sendfile(_Transport(("127.0.0.1", 50000)))


@pytest.mark.asyncio
async def test_an_upload_to_this_machine_reads_and_writes(ftp_server, bus, tmp_path,
                                                         monkeypatch) -> None:
    source = tmp_path / "up.bin"
    source.write_bytes(os.urandom(5 * 1024 * 1024 + 7))  # more than two reads
    loop = asyncio.get_running_loop()
    used: list[int] = []
    real = loop.sendfile

    async def spy(*args: object, **kwargs: object) -> int:
        used.append(1)
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loop, "sendfile", spy)
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        await session.upload(source, "upload/up.bin")
    assert (ftp_server.root / "upload" / "up.bin").read_bytes() == source.read_bytes()
    assert used == []
