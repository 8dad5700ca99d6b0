"""Download a remote folder with the engine's transfer queue (its small files go in
batches, see client/engine/queue/batch.py) inside the lab's client namespace and print
what happened as JSON: ``python3 engine_batch.py HOST PORT USER REMOTE_DIR LOCAL_DIR``,
the password in FTP_PASSWORD. The lab tests start it with :meth:`Lab.run_python`."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from client.engine.events import DataChannelEvent, EventBus, Notice
from client.engine.queue import ExistsPolicy, TransferQueue, batch
from client.engine.session import FtpSession
from client.engine.settings import ConnectionSettings, TlsMode


async def _download(settings: ConnectionSettings, remote_dir: str, local_dir: Path) -> dict:
    bus = EventBus()
    channels: list[dict] = []
    notices: list[str] = []

    def seen(event: object) -> None:
        if isinstance(event, DataChannelEvent):
            channels.append({"phase": event.phase.value, "command": event.command,
                             "advertised": str(event.advertised) if event.advertised else "",
                             "remote": str(event.remote) if event.remote else ""})
        elif isinstance(event, Notice):
            notices.append(event.text)

    bus.subscribe(seen)
    sizes: list[int] = []
    run = batch.TransferBatch.run

    async def counted(self: batch.TransferBatch) -> bool:
        sizes.append(len(self.records))
        return await run(self)

    batch.TransferBatch.run = counted  # type: ignore[method-assign]

    async def connected() -> FtpSession:
        session = FtpSession(settings, bus=bus)
        await session.connect()
        return session

    async with TransferQueue(connected, bus=bus, concurrency=2,
                             exists_policy=ExistsPolicy.OVERWRITE) as queue:
        ids = await queue.add_download_tree(remote_dir, local_dir)
        await queue.wait_idle()
        states = [queue.job(i).state.value for i in ids]
    return {"batches": sizes, "states": states, "channels": channels, "notices": notices}


def main(argv: list[str]) -> int:
    host, port, user, remote_dir, local_dir = argv[:5]
    settings = ConnectionSettings(host=host, port=int(port), user=user,
                                  password=os.environ["FTP_PASSWORD"], tls=TlsMode.OFF,
                                  connect_timeout=10, control_timeout=10, data_timeout=10)
    json.dump(asyncio.run(_download(settings, remote_dir, Path(local_dir))), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
