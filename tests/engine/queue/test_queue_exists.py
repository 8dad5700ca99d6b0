"""The exists policy: each choice against a real server (pyftpdlib), ASK with "apply to
all", and the pure rules of :func:`client.engine.exists.resolve`."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from pathlib import Path

import pytest

from client.engine.events import EventBus
from client.engine.exists import ExistsDecision, ExistsInfo, ExistsPolicy, resolve
from client.engine.queue import JobState, TransferQueue

from ..conftest import Recorder
from ..sessions import session_factory

# bounds for a loaded machine: no test here waits for a timeout to happen
FAST = dict(data_timeout=15.0, control_timeout=15.0)
REMOTE = b"remote version of the file\n" * 40
OLD = dt.datetime(2001, 1, 1, tzinfo=dt.UTC).timestamp()


def factory_for(server, bus: EventBus, **overrides):
    return session_factory(server, bus, **{**FAST, **overrides})


async def run_download(server, bus, local: Path, policy: ExistsPolicy, **options):
    queue = TransferQueue(factory_for(server, bus), bus=bus, exists_policy=policy, **options)
    try:
        job_id = queue.add_download("/e.bin", local)
        await queue.wait_idle()
        return queue.job(job_id)
    finally:
        await queue.close()


@pytest.fixture
def remote(ftp_server):
    path = ftp_server.write_file("e.bin", REMOTE)
    os.utime(path, (OLD + 3600, OLD + 3600))  # remote: 2001-01-01 01:00 UTC
    return ftp_server


@pytest.mark.asyncio
async def test_overwrite(remote, bus, tmp_path):
    (tmp_path / "e.bin").write_bytes(b"local")
    job = await run_download(remote, bus, tmp_path / "e.bin", ExistsPolicy.OVERWRITE)
    assert job.state is JobState.DONE
    assert (tmp_path / "e.bin").read_bytes() == REMOTE


@pytest.mark.asyncio
async def test_skip_leaves_the_local_file_and_says_why(remote, bus, tmp_path):
    recorder = Recorder(bus)
    (tmp_path / "e.bin").write_bytes(b"local")
    job = await run_download(remote, bus, tmp_path / "e.bin", ExistsPolicy.SKIP)
    assert job.state is JobState.SKIPPED and "already exists" in (job.error or "")
    assert (tmp_path / "e.bin").read_bytes() == b"local"
    assert any("e.bin" in n.text for n in recorder.notices("skipped"))


@pytest.mark.asyncio
async def test_rename_keeps_both(remote, bus, tmp_path):
    (tmp_path / "e.bin").write_bytes(b"local")
    (tmp_path / "e (1).bin").write_bytes(b"an earlier copy")
    job = await run_download(remote, bus, tmp_path / "e.bin", ExistsPolicy.RENAME)
    assert job.state is JobState.DONE
    assert job.local_path == tmp_path / "e (2).bin"
    assert (tmp_path / "e (2).bin").read_bytes() == REMOTE
    assert (tmp_path / "e.bin").read_bytes() == b"local"
    assert (tmp_path / "e (1).bin").read_bytes() == b"an earlier copy"


@pytest.mark.asyncio
async def test_resume_continues_the_existing_file(remote, bus, tmp_path):
    recorder = Recorder(bus)
    (tmp_path / "e.bin").write_bytes(REMOTE[:333])
    job = await run_download(remote, bus, tmp_path / "e.bin", ExistsPolicy.RESUME)
    assert job.state is JobState.DONE
    assert (tmp_path / "e.bin").read_bytes() == REMOTE
    assert any(getattr(e, "text", "") == "REST 333" for e in recorder.events)


@pytest.mark.asyncio
async def test_resume_of_a_complete_file_is_skipped(remote, bus, tmp_path):
    (tmp_path / "e.bin").write_bytes(REMOTE)
    job = await run_download(remote, bus, tmp_path / "e.bin", ExistsPolicy.RESUME)
    assert job.state is JobState.SKIPPED
    assert job.error == f"the file locally is already complete ({len(REMOTE)} bytes)"
    assert (tmp_path / "e.bin").read_bytes() == REMOTE


@pytest.mark.asyncio
async def test_overwrite_if_newer(remote, bus, tmp_path):
    older, newer = tmp_path / "older" / "e.bin", tmp_path / "newer" / "e.bin"
    for path, stamp in ((older, OLD), (newer, OLD + 7200)):
        path.parent.mkdir()
        path.write_bytes(b"local")
        os.utime(path, (stamp, stamp))
    assert (await run_download(remote, bus, older, ExistsPolicy.OVERWRITE_IF_NEWER)).state \
        is JobState.DONE
    assert older.read_bytes() == REMOTE
    skipped = await run_download(remote, bus, newer, ExistsPolicy.OVERWRITE_IF_NEWER)
    assert skipped.state is JobState.SKIPPED
    assert skipped.error == "the file locally is not older than the one being transferred"
    assert newer.read_bytes() == b"local"


@pytest.mark.asyncio
async def test_overwrite_if_different_size(remote, bus, tmp_path):
    same, other = tmp_path / "same" / "e.bin", tmp_path / "other" / "e.bin"
    same.parent.mkdir()
    other.parent.mkdir()
    same.write_bytes(b"x" * len(REMOTE))
    other.write_bytes(b"x")
    policy = ExistsPolicy.OVERWRITE_IF_DIFFERENT_SIZE
    skipped = await run_download(remote, bus, same, policy)
    assert skipped.state is JobState.SKIPPED
    assert skipped.error == f"the file locally has the same size ({len(REMOTE)} bytes)"
    assert (await run_download(remote, bus, other, policy)).state is JobState.DONE
    assert other.read_bytes() == REMOTE


@pytest.mark.asyncio
async def test_ask_once_and_apply_to_all(ftp_server, bus, tmp_path):
    for i in range(3):
        ftp_server.write_file(f"ask/f{i}.bin", REMOTE)
        (tmp_path / f"f{i}.bin").write_bytes(b"mine")
    questions: list[ExistsInfo] = []

    async def ask(job, info: ExistsInfo) -> ExistsDecision:
        questions.append(info)
        return ExistsDecision(ExistsPolicy.OVERWRITE, apply_to_all=True)

    queue = TransferQueue(factory_for(ftp_server, bus), bus=bus, concurrency=3,
                          ask_exists=ask)
    try:
        ids = [queue.add_download(f"/ask/f{i}.bin", tmp_path / f"f{i}.bin") for i in range(3)]
        await queue.wait_idle()
    finally:
        await queue.close()
    assert len(questions) == 1
    info = questions[0]
    assert info.local_size == 4 and info.remote_size == len(REMOTE)
    assert info.remote_mtime is not None and info.local_mtime is not None
    assert queue.exists_policy is ExistsPolicy.OVERWRITE
    assert {queue.job(i).state for i in ids} == {JobState.DONE}


@pytest.mark.asyncio
async def test_ask_without_a_callback_never_overwrites(remote, bus, tmp_path):
    (tmp_path / "e.bin").write_bytes(b"local")
    job = await run_download(remote, bus, tmp_path / "e.bin", ExistsPolicy.ASK)
    assert job.state is JobState.SKIPPED
    assert (tmp_path / "e.bin").read_bytes() == b"local"


@pytest.mark.asyncio
async def test_upload_policies(real_server, bus, tmp_path):
    real_server.write_file("up/u.bin", b"remote")
    source = tmp_path / "u.bin"
    source.write_bytes(b"remote and more")

    async def upload(policy: ExistsPolicy):
        queue = TransferQueue(factory_for(real_server, bus), bus=bus, exists_policy=policy)
        try:
            job_id = queue.add_upload(source, "/up/u.bin")
            await queue.wait_idle()
            return queue.job(job_id)
        finally:
            await queue.close()

    skipped = await upload(ExistsPolicy.SKIP)
    assert skipped.state is JobState.SKIPPED
    assert skipped.error == "the file already exists on the server"
    assert (real_server.root / "up" / "u.bin").read_bytes() == b"remote"
    renamed = await upload(ExistsPolicy.RENAME)
    assert renamed.state is JobState.DONE and renamed.remote_path == "/up/u (1).bin"
    assert (real_server.root / "up" / "u (1).bin").read_bytes() == b"remote and more"
    resumed = await upload(ExistsPolicy.RESUME)
    assert resumed.state is JobState.DONE
    assert (real_server.root / "up" / "u.bin").read_bytes() == b"remote and more"
    os.utime(source, (OLD, OLD))
    assert (await upload(ExistsPolicy.OVERWRITE_IF_NEWER)).state is JobState.SKIPPED


# --- the pure rules -----------------------------------------------------------------------

def info(local_size=10, remote_size=20, local_time=None, remote_time=None,
         direction="download") -> ExistsInfo:
    def when(seconds):
        return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC)

    return ExistsInfo(direction, Path("x"), "/x", local_size, when(local_time), remote_size,
                      when(remote_time))


@pytest.mark.parametrize(("policy", "facts", "expected"), [
    (ExistsPolicy.OVERWRITE, info(), ExistsPolicy.OVERWRITE),
    (ExistsPolicy.SKIP, info(), ExistsPolicy.SKIP),
    (ExistsPolicy.RENAME, info(), ExistsPolicy.RENAME),
    (ExistsPolicy.RESUME, info(10, 20), ExistsPolicy.RESUME),
    (ExistsPolicy.RESUME, info(20, 20), ExistsPolicy.SKIP),
    (ExistsPolicy.RESUME, info(30, 20), ExistsPolicy.OVERWRITE),  # not a prefix of it
    (ExistsPolicy.RESUME, info(10, None), ExistsPolicy.RESUME),
    (ExistsPolicy.RESUME, info(10, 20, direction="upload"), ExistsPolicy.OVERWRITE),
    (ExistsPolicy.OVERWRITE_IF_DIFFERENT_SIZE, info(20, 20), ExistsPolicy.SKIP),
    (ExistsPolicy.OVERWRITE_IF_DIFFERENT_SIZE, info(10, 20), ExistsPolicy.OVERWRITE),
    (ExistsPolicy.OVERWRITE_IF_DIFFERENT_SIZE, info(10, None), ExistsPolicy.OVERWRITE),
    (ExistsPolicy.OVERWRITE_IF_NEWER, info(local_time=100, remote_time=200),
     ExistsPolicy.OVERWRITE),
    (ExistsPolicy.OVERWRITE_IF_NEWER, info(local_time=200, remote_time=100), ExistsPolicy.SKIP),
    (ExistsPolicy.OVERWRITE_IF_NEWER, info(local_time=100.7, remote_time=100),
     ExistsPolicy.SKIP),  # MDTM has whole seconds: the same time
    (ExistsPolicy.OVERWRITE_IF_NEWER, info(local_time=200, remote_time=100,
                                           direction="upload"), ExistsPolicy.OVERWRITE),
    (ExistsPolicy.OVERWRITE_IF_NEWER, info(20, 20, None, 100), ExistsPolicy.SKIP),
    (ExistsPolicy.OVERWRITE_IF_NEWER, info(10, 20, None, 100), ExistsPolicy.OVERWRITE),
])
def test_resolve(policy, facts, expected):
    assert resolve(policy, facts) is expected


def test_ask_is_not_an_answer():
    with pytest.raises(ValueError):
        ExistsDecision(ExistsPolicy.ASK)
    with pytest.raises(ValueError):
        resolve(ExistsPolicy.ASK, info())


@pytest.mark.asyncio
async def test_cancel_while_the_question_is_open(remote, bus, tmp_path):
    (tmp_path / "e.bin").write_bytes(b"local")
    asked = asyncio.Event()

    async def ask(job, info):
        asked.set()
        await asyncio.Event().wait()  # the user never answers
        raise AssertionError("unreachable")

    queue = TransferQueue(factory_for(remote, bus), bus=bus, ask_exists=ask)
    try:
        job_id = queue.add_download("/e.bin", tmp_path / "e.bin")
        async with asyncio.timeout(15):
            await asked.wait()
        queue.cancel(job_id)
        await queue.wait_idle()
    finally:
        await queue.close()
    assert queue.job(job_id).state is JobState.CANCELLED
    assert (tmp_path / "e.bin").read_bytes() == b"local"
    assert not (tmp_path / "e.bin.part").exists()
