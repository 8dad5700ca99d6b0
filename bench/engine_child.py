"""One engine operation in its own process, for the suite to time and weigh.

    python -m bench.engine_child download REMOTE LOCAL
    python -m bench.engine_child upload LOCAL REMOTE
    python -m bench.engine_child mirror-down REMOTE_DIR LOCAL_DIR --parallel 4
    python -m bench.engine_child mirror-up LOCAL_DIR REMOTE_DIR --parallel 4
    python -m bench.engine_child list REMOTE_DIR

The server comes from ``BENCH_FTP_HOST``/``BENCH_FTP_PORT``/``BENCH_FTP_USER`` (with
``BENCH_FTP_TLS=explicit`` and ``BENCH_FTP_CA`` for FTPS) and the password from
``FTP_PASSWORD`` (never on the command line). Prints one JSON line:
``{"op_s": seconds from connect to close, "op_cpu_s": this process's CPU time (user
and system, all threads) in the same span, ...}`` — the interpreter and imports are
outside those figures and inside the parent's wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path

from client.engine.events import EventBus
from client.engine.session import FtpSession
from client.engine.settings import ConnectionSettings, TlsMode


def settings_from_env() -> ConnectionSettings:
    tls = TlsMode.EXPLICIT if os.environ.get("BENCH_FTP_TLS") == "explicit" else TlsMode.OFF
    return ConnectionSettings(
        host=os.environ["BENCH_FTP_HOST"], port=int(os.environ["BENCH_FTP_PORT"]),
        user=os.environ["BENCH_FTP_USER"], password=os.environ["FTP_PASSWORD"],
        tls=tls, ca_file=os.environ.get("BENCH_FTP_CA") or None,
        connect_timeout=10, control_timeout=60, data_timeout=60)


async def download(settings: ConnectionSettings, remote: str, local: str) -> dict:
    async with FtpSession(settings, bus=EventBus()) as session:
        result = await session.download(remote, Path(local), preserve_time=False)
    return {"bytes": getattr(result, "bytes", None)}


async def upload(settings: ConnectionSettings, local: str, remote: str) -> dict:
    async with FtpSession(settings, bus=EventBus()) as session:
        await session.upload(Path(local), remote, preserve_time=False)
    return {}


async def mirror(settings: ConnectionSettings, source: str, target: str, parallel: int,
                 upload_tree: bool, observe: bool = False) -> dict:
    from client.engine.queue import ExistsPolicy, JobState, TransferQueue

    bus = EventBus()
    seen = [0]

    def count(_event: object) -> None:
        seen[0] += 1

    if observe:  # every event built and delivered, annotated, as the window takes them
        bus.subscribe(count)

    async def new_session() -> FtpSession:
        session = FtpSession(settings, bus=bus)
        await session.connect()
        return session

    queue = TransferQueue(new_session, bus=bus, concurrency=parallel,
                          exists_policy=ExistsPolicy.OVERWRITE)
    try:
        if upload_tree:
            ids = await queue.add_upload_tree(Path(source), target)
        else:
            ids = await queue.add_download_tree(source, Path(target))
        await queue.wait_idle()
        jobs = queue.jobs()
    finally:
        await queue.close()
    failed = [job for job in jobs if job.state is not JobState.DONE]
    if failed:
        raise SystemExit(f"{len(failed)} of {len(ids)} jobs did not finish: "
                         f"{failed[0].remote_path}: {failed[0].error}")
    return {"files": len(ids), "events": seen[0]}


async def listing(settings: ConnectionSettings, remote: str) -> dict:
    async with FtpSession(settings, bus=EventBus()) as session:
        result = await session.list(remote)
    return {"entries": len(result.entries), "unparsed": len(result.unparsed)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("operation", choices=["download", "upload", "mirror-down",
                                              "mirror-up", "list"])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--observe", action="store_true",
                        help="mirror: one observer takes every event, as the window does "
                             "(without it nobody listens, as the command line without -v)")
    parser.add_argument("--profile", metavar="FILE",
                        help="write cProfile statistics of the operation to FILE")
    args = parser.parse_args()
    settings = settings_from_env()
    op = args.operation
    if op == "download":
        work = download(settings, *args.paths)
    elif op == "upload":
        work = upload(settings, *args.paths)
    elif op == "list":
        work = listing(settings, args.paths[0])
    else:
        work = mirror(settings, args.paths[0], args.paths[1], args.parallel,
                      upload_tree=op == "mirror-up", observe=args.observe)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    cpu_started = time.process_time()
    extra = asyncio.run(work)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    print(json.dumps({"op_s": elapsed, "op_cpu_s": cpu, **extra}), flush=True)


if __name__ == "__main__":
    main()
