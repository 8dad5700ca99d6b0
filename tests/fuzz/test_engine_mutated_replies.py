"""A server whose every reply may be damaged (truncated, bytes flipped, control
characters inserted, line endings dropped or doubled, codes changed, multi-line replies
left open, overlong lines): the engine raises nothing but its typed errors
(client.engine.errors.FtpError subclasses) and never hangs past its timeouts.

Each seed is reproducible: ``mutated_handlers(seed)`` damages the same replies the same
way. A failure message names the seed and the operation.
"""

from __future__ import annotations

import asyncio
import contextlib
import traceback
from pathlib import Path

import pytest
from fixtures.scripted import start_scripted_server
from fixtures.scripted_fuzz import mutated_handlers
from fixtures.waiting import until

from client.engine.errors import FtpError
from client.engine.events import EventBus
from client.engine.session import FtpSession
from client.engine.settings import TransferMode

TIMEOUTS = dict(connect_timeout=1.0, control_timeout=1.0, data_timeout=1.0)
# Per operation: a few timeouts plus slack for a loaded machine; only catches hangs.
BOUND = 12.0


async def one_conversation(seed: int, rate: float, folder: Path) -> list[str]:
    """Run a whole session against the damaged server; return the problems found."""
    problems: list[str] = []
    server = start_scripted_server(mutated_handlers(seed, rate=rate))
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "up.bin"
    source.write_bytes(b"x" * 5000)
    mode = TransferMode.ACTIVE if seed % 3 == 0 else TransferMode.PASSIVE
    session = FtpSession(server.settings(**TIMEOUTS, mode=mode, fallback=seed % 2 == 0),
                         bus=EventBus())
    steps = [
        ("connect", lambda: session.connect()),
        ("pwd", lambda: session.pwd()),
        ("list", lambda: session.list("/")),
        ("cwd", lambda: session.cwd("/pub")),
        ("size", lambda: session.size("/file.bin")),
        ("mdtm", lambda: session.mdtm("/file.bin")),
        ("download", lambda: session.download("/file.bin", folder / "file.bin")),
        ("upload", lambda: session.upload(source, "/up.bin")),
        ("stat", lambda: session.stat("/file.bin")),
        ("quote", lambda: session.quote("NOOP")),
    ]
    try:
        for name, step in steps:
            try:
                await asyncio.wait_for(step(), BOUND)
            except FtpError:
                if name == "connect":
                    break
            except TimeoutError:
                problems.append(f"seed {seed}: {name} hung past {BOUND} s")
                break
            except Exception as error:  # noqa: BLE001 - exactly what is being hunted
                problems.append(f"seed {seed}: {name} raised untyped {error!r}\n"
                                + "".join(traceback.format_exception(error)[-6:]))
        try:
            await asyncio.wait_for(session.close(), BOUND)
        except TimeoutError:
            problems.append(f"seed {seed}: close hung")
        except Exception as error:  # noqa: BLE001
            problems.append(f"seed {seed}: close raised {error!r}")
    finally:
        server.stop()
    return problems


async def _tasks_ended(before: set[asyncio.Task]) -> None:
    """Wait (bounded) for the conversations' tasks to finish ending; the assertion after
    names any that never do."""
    with contextlib.suppress(TimeoutError):
        await until(lambda: all(t.done() for t in asyncio.all_tasks() - before
                                if t is not asyncio.current_task()), limit=5.0)


async def run_seeds(seeds: range, rate: float, tmp_path: Path, parallel: int = 12) -> None:
    tasks_before = asyncio.all_tasks()
    problems: list[str] = []
    gate = asyncio.Semaphore(parallel)

    async def guarded(seed: int) -> None:
        async with gate:
            problems.extend(await one_conversation(seed, rate, tmp_path / str(seed)))

    await asyncio.gather(*(guarded(seed) for seed in seeds))
    assert problems == [], "\n".join(problems)
    await _tasks_ended(tasks_before)
    leftover = [task for task in asyncio.all_tasks() - tasks_before if not task.done()]
    assert leftover == [], leftover


@pytest.mark.asyncio
async def test_mutated_replies_quick(tmp_path):
    await run_seeds(range(8), 0.3, tmp_path)


@pytest.mark.slow
@pytest.mark.asyncio
@pytest.mark.parametrize("rate", [0.1, 0.3, 0.7])
async def test_mutated_replies_many_seeds(tmp_path, rate):
    await run_seeds(range(100, 148), rate, tmp_path)


def tls_mutated_handlers(seed: int, rate: float) -> dict[str, object]:
    """Like ``mutated_handlers`` but for an explicit-TLS server (AUTH, PBSZ, PROT too)."""
    import random
    import threading

    from fixtures.scripted_fuzz import mutated
    from fixtures.scripted_steps import default_handlers

    rng = random.Random(seed)
    lock = threading.Lock()
    return {verb: mutated(step, rng, rate, lock)
            for verb, step in default_handlers(None, tls="explicit").items()}


@pytest.mark.slow
@pytest.mark.asyncio
async def test_mutated_replies_over_tls(tmp_path):
    """The same hunt with AUTH TLS, PBSZ and PROT in the conversation (a damaged 234 or
    a handshake that meets garbage must be a typed TLS error, never a crash)."""
    from client.engine.settings import TlsMode

    problems: list[str] = []

    async def conversation(seed: int) -> None:
        server = start_scripted_server(tls_mutated_handlers(seed, 0.3), tls="explicit")
        session = FtpSession(server.settings(**TIMEOUTS, tls=TlsMode.EXPLICIT),
                             bus=EventBus())
        try:
            for name, step in (("connect", session.connect),
                               ("list", lambda: session.list("/")),
                               ("download", lambda: session.download(
                                   "/f", tmp_path / f"f{seed}"))):
                try:
                    await asyncio.wait_for(step(), BOUND)
                except FtpError:
                    if name == "connect":
                        break
                except TimeoutError:
                    problems.append(f"seed {seed}: {name} hung")
                    break
                except Exception as error:  # noqa: BLE001
                    problems.append(f"seed {seed}: {name} raised untyped {error!r}")
            await asyncio.wait_for(session.close(), BOUND)
        finally:
            server.stop()

    await asyncio.gather(*(conversation(seed) for seed in range(200, 224)))
    assert problems == [], "\n".join(problems)


@pytest.mark.slow
@pytest.mark.asyncio
@pytest.mark.parametrize("seed", range(300, 308))
async def test_queue_tree_download_under_mutated_replies(tmp_path, seed):
    """The queue's folder download against a server whose control replies are damaged:
    the walk and wait_idle return within bounds, every job ends DONE, FAILED or
    SKIPPED, every DONE file is exactly right, nothing is written outside the
    destination, and no task is left running."""
    import random
    import threading

    from fixtures.scripted_faults import unix_listing
    from fixtures.scripted_fuzz import mutated
    from fixtures.scripted_steps import transfer

    from client.engine.queue import ExistsPolicy, JobState, TransferQueue

    top = unix_listing([("-", b"a.txt", 9), ("-", b"b.txt", 9), ("d", b"sub", 4096)])
    sub = unix_listing([("-", b"c.txt", 13)])

    def content(path: str) -> bytes:
        return b"data of " + path.encode()

    def listing(session, argument):
        transfer(payload=sub if argument.rstrip("/").endswith("sub") else top
                 ).run(session, argument)

    def retrieve(session, argument):
        transfer(payload=content(argument)).run(session, argument)

    rng, lock = random.Random(seed), threading.Lock()
    handlers = mutated_handlers(seed, rate=0.08)
    handlers["LIST"] = mutated(listing, rng, 0.08, lock)
    handlers["RETR"] = mutated(retrieve, rng, 0.3, lock)
    server = start_scripted_server(handlers)
    bus = EventBus()

    async def make() -> FtpSession:
        session = FtpSession(server.settings(**TIMEOUTS), bus=bus)
        await session.connect()
        return session

    destination = tmp_path / "dest"
    destination.mkdir()
    tasks_before = asyncio.all_tasks()
    queue = TransferQueue(make, bus=bus, concurrency=3, retries=2, retry_delay=0.05,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        try:
            await asyncio.wait_for(queue.add_download_tree("/top", destination), BOUND * 2)
        except FtpError:
            pass  # the listing itself may be too damaged: a typed error is the answer
        await asyncio.wait_for(queue.wait_idle(), BOUND * 4)
        for job in queue.jobs():
            assert job.state in (JobState.DONE, JobState.FAILED, JobState.SKIPPED), job
            if job.state is JobState.DONE:
                assert job.local_path.read_bytes() == content(job.remote_path), job
    finally:
        await asyncio.wait_for(queue.close(), BOUND)
        server.stop()
    assert [p for p in tmp_path.iterdir() if p != destination] == []
    await _tasks_ended(tasks_before)
    leftover = [t for t in asyncio.all_tasks() - tasks_before if not t.done()]
    assert leftover == [], leftover
