"""A server whose every reply may be damaged (truncated, bytes flipped, control
characters inserted, line endings dropped or doubled, codes changed, multi-line replies
left open, overlong lines): the engine raises nothing but its typed errors
(client.engine.errors.FtpError subclasses) and never hangs past its timeouts.

Each seed is reproducible: ``mutated_handlers(seed)`` damages the same replies the same
way. A failure message names the seed and the operation.
"""

from __future__ import annotations

import asyncio
import traceback
from pathlib import Path

import pytest
from fixtures.scripted import start_scripted_server
from fixtures.scripted_fuzz import mutated_handlers

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


async def run_seeds(seeds: range, rate: float, tmp_path: Path, parallel: int = 12) -> None:
    tasks_before = asyncio.all_tasks()
    problems: list[str] = []
    gate = asyncio.Semaphore(parallel)

    async def guarded(seed: int) -> None:
        async with gate:
            problems.extend(await one_conversation(seed, rate, tmp_path / str(seed)))

    await asyncio.gather(*(guarded(seed) for seed in seeds))
    assert problems == [], "\n".join(problems)
    await asyncio.sleep(0.1)
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
