"""Transfer details: ASCII conversion, checksum verification, REST refused, upload
failures, control loss mid-transfer, TLS phase sequence, active port range, no password
anywhere in the events."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
from fixtures.scripted_steps import free_port, in_turn, transfer

from client.engine.errors import (
    CommandFailedError,
    ConnectionLostError,
    DataChannelError,
    FtpError,
    LocalError,
    ServerProtocolError,
)
from client.engine.events import DataChannelEvent, DataFailure, DataPhase, TransferProgress
from client.engine.session import FtpSession
from client.engine.settings import TransferMode

from .conftest import Recorder

FAST = dict(data_timeout=5.0, control_timeout=5.0, connect_timeout=5.0)


def settings_for(server, **overrides):
    values = dict(FAST)
    values.update(overrides)
    return server.info.settings(**values)


@pytest.mark.asyncio
async def test_ascii_download_converts_crlf_and_restores_binary(scripted_server, bus, tmp_path):
    server = scripted_server({"RETR": transfer(payload=b"one\r\ntwo\r\nthree\r")})
    async with FtpSession(settings_for(server), bus=bus) as session:
        await session.download("t.txt", tmp_path / "t.txt", ascii=True)
    assert (tmp_path / "t.txt").read_bytes() == b"one\ntwo\nthree\r"
    types = [line for line in server.lines() if line.startswith("TYPE")]
    assert types == ["TYPE I", "TYPE A", "TYPE I"]


@pytest.mark.asyncio
async def test_ascii_upload_sends_crlf(scripted_server, bus, tmp_path):
    server = scripted_server()
    source = tmp_path / "u.txt"
    source.write_bytes(b"a\nb\r\nc\n")
    async with FtpSession(settings_for(server), bus=bus) as session:
        await session.upload(source, "u.txt", ascii=True)
    assert server.uploads["u.txt"] == b"a\r\nb\r\nc\r\n"


@pytest.mark.asyncio
async def test_verify_with_xsha256(scripted_server, bus, tmp_path):
    payload = b"verified payload" * 100
    digest = hashlib.sha256(payload).hexdigest()
    server = scripted_server({"RETR": transfer(payload=payload),
                              "XSHA256": f"250 {digest}\r\n".encode()},
                             features=["EPSV", "XSHA256", "XMD5"])
    async with FtpSession(settings_for(server), bus=bus) as session:
        result = await session.download("f.bin", tmp_path / "f.bin", verify=True)
    assert result.verified == "SHA-256"


@pytest.mark.asyncio
async def test_verify_mismatch_is_an_error_and_keeps_the_target_untouched(scripted_server, bus,
                                                                       tmp_path):
    server = scripted_server({"RETR": transfer(payload=b"data"),
                              "XMD5": b"250 00000000000000000000000000000000\r\n"},
                             features=["EPSV", "XMD5"])
    (tmp_path / "f.bin").write_bytes(b"previous version")
    async with FtpSession(settings_for(server), bus=bus) as session:
        with pytest.raises(FtpError) as caught:
            await session.download("f.bin", tmp_path / "f.bin", verify=True)
    assert caught.value.step == "verify"
    assert (tmp_path / "f.bin").read_bytes() == b"previous version"


@pytest.mark.asyncio
async def test_rest_refused_restarts_from_zero(scripted_server, bus, tmp_path):
    recorder = Recorder(bus)
    server = scripted_server({"REST": b"502 REST not implemented.\r\n",
                              "RETR": transfer(payload=b"complete file")})
    (tmp_path / "f.bin.part").write_bytes(b"compl")
    async with FtpSession(settings_for(server), bus=bus) as session:
        result = await session.download("f.bin", tmp_path / "f.bin", resume=True)
    assert (tmp_path / "f.bin").read_bytes() == b"complete file"
    assert result.resumed_from == 0
    assert any("again from the start" in n.text for n in recorder.notices())


@pytest.mark.asyncio
async def test_target_is_never_replaced_by_a_partial_file(scripted_server, bus, tmp_path):
    server = scripted_server({"RETR": transfer(payload=b"x" * 100, ending="reset", final=None)})
    (tmp_path / "f.bin").write_bytes(b"the good old file")
    async with FtpSession(settings_for(server), bus=bus) as session:
        with pytest.raises(DataChannelError):
            await session.download("f.bin", tmp_path / "f.bin")
    assert (tmp_path / "f.bin").read_bytes() == b"the good old file"


@pytest.mark.asyncio
async def test_control_closed_mid_transfer(scripted_server, bus, tmp_path):
    server = scripted_server({"RETR": transfer(payload=b"x" * 100, ending="stall",
                                               control_after="close")})
    async with FtpSession(settings_for(server, data_timeout=3.0), bus=bus) as session:
        with pytest.raises((ConnectionLostError, DataChannelError)):
            await session.download("f.bin", tmp_path / "f.bin")
    assert (tmp_path / "f.bin.part").read_bytes() == b"x" * 100


@pytest.mark.asyncio
async def test_421_mid_transfer(scripted_server, bus, tmp_path):
    server = scripted_server({"RETR": transfer(payload=b"x" * 100, ending="stall",
                                               control_after="421")})
    async with FtpSession(settings_for(server, data_timeout=3.0), bus=bus) as session:
        with pytest.raises(ConnectionLostError) as caught:
            await session.download("f.bin", tmp_path / "f.bin")
    assert "421" in str(caught.value)


@pytest.mark.asyncio
async def test_upload_reset_by_server(scripted_server, bus, tmp_path):
    def reset_data(session, argument):
        session.send(b"150 Ok to send data.\r\n")
        sock = session.data.open(transfer())
        if sock is not None:
            sock.recv(1000)
            from fixtures.scripted import abort_socket

            abort_socket(sock)
        session.send(b"426 Failure writing network stream.\r\n")

    server = scripted_server({"STOR": reset_data})
    source = tmp_path / "big.bin"
    source.write_bytes(b"u" * (8 * 1024 * 1024))
    async with FtpSession(settings_for(server), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.upload(source, "big.bin")
        await session.noop()
    assert caught.value.failure in (DataFailure.RESET, DataFailure.CLOSED_EARLY,
                                    DataFailure.SERVER_REFUSED)


@pytest.mark.asyncio
async def test_upload_of_a_missing_local_file(scripted_server, bus, tmp_path):
    server = scripted_server()
    async with FtpSession(settings_for(server), bus=bus) as session:
        with pytest.raises(LocalError):
            await session.upload(tmp_path / "missing.bin", "x.bin")
    assert "STOR" not in server.verbs()


@pytest.mark.asyncio
async def test_garbage_from_the_server_is_a_protocol_error(scripted_server, bus):
    server = scripted_server({"CWD": b"this is not ftp\r\n"})
    async with FtpSession(settings_for(server), bus=bus) as session:
        with pytest.raises(ServerProtocolError):
            await session.cwd("x")


@pytest.mark.asyncio
async def test_tls_phase_sequence(ftps_server, bus, tmp_path):
    recorder = Recorder(bus)
    async with FtpSession(ftps_server.settings(), bus=bus) as session:
        await session.download("hello.txt", tmp_path / "h.txt")
    assert recorder.phases() == ["advertised", "connecting", "connected", "tls-handshake",
                                 "tls-established", "first-byte", "closed"]
    assert all(e.tls for e in recorder.of(DataChannelEvent))


@pytest.mark.asyncio
async def test_active_port_range(ftp_server, bus, tmp_path):
    recorder = Recorder(bus)
    low = free_port()
    settings = ftp_server.settings(mode=TransferMode.ACTIVE, active_ports=(low, low))
    async with FtpSession(settings, bus=bus) as session:
        await session.download("hello.txt", tmp_path / "h.txt")
    listening = [e for e in recorder.of(DataChannelEvent) if e.phase is DataPhase.LISTENING]
    assert listening[0].local.port == low


@pytest.mark.asyncio
async def test_progress_is_throttled_and_ends_done(ftp_throttled_server, bus, tmp_path):
    recorder = Recorder(bus)
    async with FtpSession(ftp_throttled_server.settings(), bus=bus) as session:
        await session.download("hello.txt", tmp_path / "h.txt", transfer_id=77)
    progress = recorder.of(TransferProgress)
    assert progress and progress[-1].done and progress[-1].transfer_id == 77
    assert progress[-1].bytes_done == (tmp_path / "h.txt").stat().st_size


@pytest.mark.asyncio
async def test_password_never_appears_in_any_event(ftps_server, bus, tmp_path):
    recorder = Recorder(bus)
    async with FtpSession(ftps_server.settings(), bus=bus) as session:
        await session.list()
        await session.download("hello.txt", tmp_path / "h.txt")
        await session.quote("NOOP")
    text = "\n".join(repr(e) for e in recorder.events)
    assert ftps_server.password not in text
    assert ftps_server.password not in repr(session.settings)


@pytest.mark.asyncio
async def test_concurrent_operations_are_serialised(ftp_server, bus, tmp_path):
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        results = await asyncio.gather(
            session.list(), session.size("hello.txt"),
            session.download("hello.txt", tmp_path / "a.txt"), session.pwd())
    assert results[1] == (tmp_path / "a.txt").stat().st_size
    assert results[3] == "/"


def never_read(session, argument):
    """STOR handler: accepts the upload, opens the data connection, never reads it."""
    session.send(b"150 Ok to send data.\r\n")
    session.data.open(transfer())
    session.wait_until_stopped()


@pytest.mark.asyncio
async def test_upload_to_a_server_that_never_reads_is_a_stall(scripted_server, bus, tmp_path,
                                                             upload_path):
    server = scripted_server({"STOR": never_read})
    source = tmp_path / "big.bin"
    source.write_bytes(b"s" * (48 * 1024 * 1024))
    settings = settings_for(server, data_timeout=1.0, control_timeout=1.0)
    loop = asyncio.get_running_loop()
    watched_before = set(loop._selector.get_map())  # type: ignore[attr-defined]
    async with FtpSession(settings, bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.upload(source, "big.bin")
    assert caught.value.failure is DataFailure.STALLED
    # The blocked sendfile was stopped before its socket closed: the loop watches no
    # closed descriptor (a stale one breaks the next socket that gets its number, and
    # under Qt it is a notifier on an invalid socket).
    await asyncio.sleep(0)
    stale = {fd: key.data for fd, key in loop._selector.get_map().items() if fd not in watched_before}  # type: ignore[attr-defined]
    assert not stale


@pytest.mark.asyncio
async def test_verify_with_hash_command(scripted_server, bus, tmp_path):
    payload = b"hash me" * 50
    digest = hashlib.sha256(payload).hexdigest()
    server = scripted_server({"RETR": transfer(payload=payload),
                              "HASH": f"213 SHA-256 0-{len(payload) - 1} {digest} f.bin\r\n".encode()},
                             features=["EPSV", "HASH SHA-1;SHA-256*;MD5"])
    async with FtpSession(settings_for(server), bus=bus) as session:
        result = await session.download("f.bin", tmp_path / "f.bin", verify=True)
    assert result.verified == "SHA-256"
    assert "HASH f.bin" in server.lines()


@pytest.mark.asyncio
async def test_upload_resume_with_appe_when_rest_stream_is_not_offered(scripted_server, bus,
                                                                     tmp_path):
    server = scripted_server({"SIZE": in_turn(b"213 4\r\n", b"213 10\r\n")},
                             features=["EPSV", "SIZE"])
    source = tmp_path / "up.bin"
    source.write_bytes(b"0123456789")
    async with FtpSession(settings_for(server), bus=bus) as session:
        result = await session.upload(source, "up.bin", resume=True)
    assert result.resumed_from == 4
    assert server.uploads["up.bin"] == b"456789"
    assert "APPE up.bin" in server.lines() and "REST 4" not in server.lines()


@pytest.mark.asyncio
async def test_upload_resume_with_rest_stor(scripted_server, bus, tmp_path):
    server = scripted_server({"SIZE": in_turn(b"213 4\r\n", b"213 10\r\n")},
                             features=["EPSV", "SIZE", "REST STREAM"])
    source = tmp_path / "up.bin"
    source.write_bytes(b"0123456789")
    async with FtpSession(settings_for(server), bus=bus) as session:
        await session.upload(source, "up.bin", resume=True)
    lines = server.lines()
    assert lines.index("REST 4") + 1 == lines.index("STOR up.bin")
    assert server.uploads["up.bin"] == b"456789"


@pytest.mark.asyncio
async def test_times_are_preserved(ftp_server, bus, tmp_path):
    import os

    remote_file = ftp_server.root / "hello.txt"
    os.utime(remote_file, (1_600_000_000, 1_600_000_000))
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        await session.download("hello.txt", tmp_path / "h.txt")
    assert int((tmp_path / "h.txt").stat().st_mtime) == 1_600_000_000


@pytest.mark.asyncio
async def test_upload_sets_the_remote_time_with_mfmt(scripted_server, bus, tmp_path):
    import os

    server = scripted_server({"MFMT": b"213 Modify=20200913122640; up.bin\r\n"},
                             features=["EPSV", "MFMT"])
    source = tmp_path / "up.bin"
    source.write_bytes(b"x")
    os.utime(source, (1_600_000_000, 1_600_000_000))
    async with FtpSession(settings_for(server), bus=bus) as session:
        await session.upload(source, "up.bin")
    assert "MFMT 20200913122640 up.bin" in server.lines()


@pytest.mark.asyncio
async def test_cut_then_resume_gives_the_same_file(scripted_server, ftp_server, bus, tmp_path):
    """A real cut: the server stops after 300,000 bytes of the file and says 426; the
    .part keeps them, and a resume from a real server completes the file byte-identical."""
    from fixtures.sample_tree import BIG_FILE, big_file_bytes, sha256_of

    data = big_file_bytes()
    cutting = scripted_server({
        "SIZE": f"213 {len(data)}\r\n".encode(),
        "RETR": transfer(payload=data[:300_000],
                         final=b"426 Connection closed; transfer aborted.\r\n")})
    target = tmp_path / "big.bin"
    part = tmp_path / "big.bin.part"
    async with FtpSession(settings_for(cutting), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.download(BIG_FILE, target)
    assert caught.value.failure is DataFailure.CLOSED_EARLY
    kept = part.stat().st_size
    assert kept == 300_000
    assert part.read_bytes() == data[:kept]
    assert not target.exists()
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        result = await session.download(BIG_FILE, target, resume=True)
    assert result.resumed_from == kept
    assert sha256_of(target) == sha256_of(data)


@pytest.mark.asyncio
async def test_a_download_refused_before_any_byte_leaves_no_part(ftp_server, bus, tmp_path):
    """550 to RETR: nothing to resume, so no empty NAME.part is left behind; a .part
    holding bytes of an earlier attempt is kept for resume."""
    out = tmp_path / "out"
    out.mkdir()
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        with pytest.raises(CommandFailedError):
            await session.download("no-such-file.txt", out / "no-such-file.txt")
        kept = out / "kept.txt.part"
        kept.write_bytes(b"partial")
        with pytest.raises(CommandFailedError):
            await session.download("kept.txt", out / "kept.txt", resume=True)
    assert sorted(p.name for p in out.iterdir()) == ["kept.txt.part"]
    assert kept.read_bytes() == b"partial"


@pytest.mark.asyncio
async def test_upload_check_and_time_go_out_together(ftp_server, bus, tmp_path):
    """After STOR's 226, SIZE (the check that every byte was kept) and MFMT (the local
    time) are sent back to back and answered in order: one round trip, both done."""
    import os

    from client.engine.events import LineSent, ReplyReceived

    order: list[str] = []
    bus.subscribe(lambda e: order.append(f"> {e.text.split()[0]}") if isinstance(e, LineSent)
                  else order.append(f"< {e.reply.code}") if isinstance(e, ReplyReceived)
                  else None)
    source = tmp_path / "up.bin"
    source.write_bytes(b"y" * 5000)
    os.utime(source, (1_600_000_000, 1_600_000_000))
    async with FtpSession(ftp_server.settings(), bus=bus) as session:
        await session.upload(source, "upload/up.bin")
        assert session.features.size and session.features.mfmt
    after = order[order.index("> STOR"):]
    assert after[2:7] == ["< 226", "> SIZE", "> MFMT", "< 213", "< 213"]
    landed = ftp_server.root / "upload" / "up.bin"
    assert landed.read_bytes() == b"y" * 5000
    assert int(landed.stat().st_mtime) == 1_600_000_000


@pytest.mark.asyncio
async def test_a_short_upload_fails_its_size_check_with_mfmt_offered(scripted_server, bus,
                                                                     tmp_path):
    server = scripted_server({"SIZE": b"213 3\r\n", "MFMT": b"213 Modify=20200913122640; x\r\n"},
                             features=["EPSV", "SIZE", "MFMT"])
    source = tmp_path / "up.bin"
    source.write_bytes(b"x" * 10)
    async with FtpSession(settings_for(server), bus=bus) as session:
        with pytest.raises(DataChannelError) as caught:
            await session.upload(source, "up.bin")
        assert caught.value.step == "size-check" and "3 bytes" in caught.value.message
        assert (await session.noop()).code == 200  # both replies were read: still in step
