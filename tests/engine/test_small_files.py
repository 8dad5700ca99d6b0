"""A folder of many small files: per file only the commands the transfer needs, counted
from what the observers saw — and the observers see every line and every data
connection (nothing is dropped to save time)."""

from __future__ import annotations

import collections
import os
from pathlib import Path

import pytest

from client.engine.events import DataChannelEvent, DataPhase, EventBus, LineSent, ReplyReceived
from client.engine.queue import ExistsPolicy, JobState, TransferQueue
from client.engine.session import FtpSession

from .sessions import session_factory

#: every phase a passive data connection that worked goes through, in order
PASSIVE_PHASES = [DataPhase.ADVERTISED, DataPhase.CONNECTING, DataPhase.CONNECTED,
                  DataPhase.FIRST_BYTE, DataPhase.CLOSED]


class Transcript:
    """Everything an observer of the bus gets, as the console and the diagram get it."""

    def __init__(self, bus: EventBus) -> None:
        self.sent: list[str] = []
        self.replies: list[int] = []
        self.phases: dict[int, list[DataPhase]] = collections.defaultdict(list)
        self.commands_of: dict[int, str] = {}
        bus.subscribe(self._see)

    def _see(self, event: object) -> None:
        if isinstance(event, LineSent):
            self.sent.append(event.text)
        elif isinstance(event, ReplyReceived):
            self.replies.append(event.reply.code)
        elif isinstance(event, DataChannelEvent):
            self.phases[event.channel].append(event.phase)
            self.commands_of[event.channel] = event.command

    def verbs(self) -> collections.Counter[str]:
        return collections.Counter(line.split()[0] for line in self.sent)


def _serve_tree(root: Path, count: int, owner: tuple[int, int] | None = None) -> None:
    for index in range(count):
        folder = root / f"d{index // 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"f{index:04d}.bin"
        path.write_bytes(bytes([index % 251]) * (index % 7 + 1))
        os.chmod(path, 0o644)
        if owner is not None:
            os.chown(folder, *owner)
            os.chown(path, *owner)


async def _mirror_down(server, bus: EventBus, remote: str, local: Path) -> list[int]:
    queue = TransferQueue(session_factory(server, bus), bus=bus, concurrency=4,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        ids = await queue.add_download_tree(remote, local)
        await queue.wait_idle()
        assert {queue.job(i).state for i in ids} == {JobState.DONE}
    finally:
        await queue.close()
    return ids


def _check_every_connection_seen(transcript: Transcript, verb: str, count: int) -> None:
    """Each transfer's data connection reached the observers with all its phases."""
    transfers = [channel for channel, command in transcript.commands_of.items()
                 if command.startswith(verb)]
    assert len(transfers) == count
    for channel in transfers:
        assert transcript.phases[channel] == PASSIVE_PHASES, (channel,
                                                              transcript.phases[channel])


@pytest.mark.asyncio
async def test_a_thousand_file_download_sends_two_commands_per_file(vsftpd_server,
                                                                     tmp_path: Path):
    """vsftpd lists with LIST: per file PASV and RETR, the MDTMs pipelined during the
    walk, TYPE once per connection at login (never per file), no SIZE. Every command,
    every reply and every data connection reaches the observers."""
    count = 1000
    _serve_tree(vsftpd_server.root / "many", count, vsftpd_server.owner)
    bus = EventBus()
    transcript = Transcript(bus)
    ids = await _mirror_down(vsftpd_server, bus, "/many", tmp_path / "copy")
    assert len(ids) == count
    verbs = transcript.verbs()
    logins = verbs["USER"]
    assert verbs["RETR"] == count
    assert verbs["PASV"] + verbs["EPSV"] == count + verbs["LIST"]
    assert verbs["MDTM"] == count
    assert verbs["TYPE"] == logins  # at login only
    assert verbs["SIZE"] == 0 and verbs["REST"] == 0
    # the replies: one per command (150 for a transfer), a 226 after each transfer and
    # listing, and each connection's banner
    transfers = verbs["RETR"] + verbs["LIST"]
    assert len(transcript.replies) == len(transcript.sent) + transfers + logins
    assert transcript.replies.count(226) == transfers
    _check_every_connection_seen(transcript, "RETR", count)
    index = 0
    for local in sorted((tmp_path / "copy").rglob("*.bin")):
        index = int(local.stem[1:])
        assert local.read_bytes() == bytes([index % 251]) * (index % 7 + 1)
    assert len(list((tmp_path / "copy").rglob("*.bin"))) == count
    assert not list((tmp_path / "copy").rglob("*.part"))


@pytest.mark.asyncio
async def test_a_download_from_an_mlsd_server_sends_no_mdtm(ftp_server, tmp_path: Path):
    """pyftpdlib lists with MLSD (sizes and times to the second): per file EPSV or PASV
    and RETR, nothing else."""
    count = 200
    _serve_tree(ftp_server.root / "many", count)
    bus = EventBus()
    transcript = Transcript(bus)
    await _mirror_down(ftp_server, bus, "/many", tmp_path / "copy")
    verbs = transcript.verbs()
    assert verbs["RETR"] == count
    assert verbs["PASV"] + verbs["EPSV"] == count + verbs["MLSD"]
    assert verbs["TYPE"] == verbs["USER"]
    assert verbs["MDTM"] == verbs["SIZE"] == 0
    _check_every_connection_seen(transcript, "RETR", count)


@pytest.mark.asyncio
async def test_an_upload_tree_sends_the_check_with_the_time(ftp_server, tmp_path: Path):
    """Per uploaded file PASV/EPSV, STOR, then SIZE (the server kept every byte) and
    MFMT (the local time), those two in one write; no TYPE per file."""
    count = 200
    source = tmp_path / "source"
    _serve_tree(source, count)
    bus = EventBus()
    transcript = Transcript(bus)
    queue = TransferQueue(session_factory(ftp_server, bus), bus=bus, concurrency=4,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        ids = await queue.add_upload_tree(source, "/up")
        await queue.wait_idle()
        assert {queue.job(i).state for i in ids} == {JobState.DONE}
    finally:
        await queue.close()
    verbs = transcript.verbs()
    assert verbs["STOR"] == verbs["SIZE"] == verbs["MFMT"] == count
    assert verbs["PASV"] + verbs["EPSV"] == count
    assert verbs["TYPE"] == verbs["USER"]
    _check_every_connection_seen(transcript, "STOR", count)
    assert len(list((ftp_server.root / "up").rglob("*.bin"))) == count


@pytest.mark.asyncio
async def test_a_pipelined_window_goes_out_in_one_write(ftp_server, tmp_path: Path):
    """MDTM for many files: a window of 32 commands is one write (one system call, one
    wake-up of the server), and each command is still a line of its own for the
    observers, each answer in order."""
    for index in range(40):
        ftp_server.write_file(f"p{index:02d}.txt", b"p")
    bus = EventBus()
    transcript = Transcript(bus)
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        transport = session.control.transport
        assert transport is not None
        writes: list[bytes] = []
        write = transport.write

        def counting_write(data: bytes) -> None:
            writes.append(bytes(data))
            write(data)

        transport.write = counting_write  # type: ignore[method-assign]
        times = await session.mdtm_many([f"/p{index:02d}.txt" for index in range(40)])
        transport.write = write  # type: ignore[method-assign]
    assert all(moment is not None for moment in times)
    assert len(writes) == 2 and writes[0].count(b"\r\n") == 32
    assert transcript.sent.count("MDTM /p00.txt") == 1
    assert [line for line in transcript.sent if line.startswith("MDTM")] == [
        f"MDTM /p{index:02d}.txt" for index in range(40)]
