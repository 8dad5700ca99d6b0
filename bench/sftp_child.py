"""One SFTP engine operation in its own process, for the suite to time and weigh.

    python -m bench.sftp_child download REMOTE LOCAL
    python -m bench.sftp_child upload LOCAL REMOTE

The server comes from ``BENCH_SFTP_HOST``/``BENCH_SFTP_PORT``/``BENCH_SFTP_USER``, the
key from ``BENCH_SFTP_KEY`` and the trusted host key from ``BENCH_SFTP_KNOWN_HOSTS`` (a
known_hosts file). ``BENCH_SFTP_BLOCK``/``BENCH_SFTP_REQUESTS`` override the request
size and the requests in flight. Prints one JSON line ``{"op_s": …}`` (connect to
close), like :mod:`bench.engine_child`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path

from client.config.known_hosts import KnownHostsStore
from client.engine.events import EventBus
from client.engine.sftp.session import SftpSession
from client.engine.sftp.settings import SftpSettings


def settings_from_env() -> SftpSettings:
    settings = SftpSettings(
        host=os.environ["BENCH_SFTP_HOST"], port=int(os.environ["BENCH_SFTP_PORT"]),
        user=os.environ["BENCH_SFTP_USER"], key_files=(os.environ["BENCH_SFTP_KEY"],),
        use_agent=False)
    if os.environ.get("BENCH_SFTP_BLOCK"):
        settings = settings.replace(block_size=int(os.environ["BENCH_SFTP_BLOCK"]))
    if os.environ.get("BENCH_SFTP_REQUESTS"):
        settings = settings.replace(max_requests=int(os.environ["BENCH_SFTP_REQUESTS"]))
    return settings


async def run(operation: str, source: str, target: str) -> None:
    store = KnownHostsStore(Path(os.environ["BENCH_SFTP_KNOWN_HOSTS"]), ())
    started = time.perf_counter()
    async with SftpSession(settings_from_env(), bus=EventBus(), host_keys=store) as session:
        if operation == "download":
            await session.download(source, Path(target), preserve_time=False)
        else:
            await session.upload(Path(source), target, preserve_time=False)
    print(json.dumps({"op_s": time.perf_counter() - started}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("operation", choices=["download", "upload"])
    parser.add_argument("source")
    parser.add_argument("target")
    args = parser.parse_args()
    asyncio.run(run(args.operation, args.source, args.target))


if __name__ == "__main__":
    main()
