"""A server answering every command with random (often wrong) replies: the engine must
only ever raise its typed errors, and always within its timeouts."""

from __future__ import annotations

import asyncio
import random

import pytest
from fixtures.scripted_steps import epsv, pasv, transfer

from client.engine.errors import FtpError
from client.engine.session import FtpSession

REPLIES = [
    b"200 OK\r\n", b"250 Done\r\n", b"226 Transfer complete\r\n", b"150 Here it comes\r\n",
    b"331 Password please\r\n", b"230 Welcome\r\n", b"350 Pending\r\n", b"425 No data\r\n",
    b"426 Aborted\r\n", b"500 What?\r\n", b"502 No\r\n", b"530 Not logged in\r\n",
    b"550 No such file\r\n", b"213 12\r\n", b"213 not-a-number\r\n",
    b'257 "/weird""dir" created\r\n', b"257 no quotes at all\r\n",
    b"211-Features:\r\n MLST type*;size*;\r\n EPSV\r\n211 End\r\n",
    b"227 Entering Passive Mode (10,0,0,5,0,0)\r\n", b"227 (300,1,1,1,1,1)\r\n",
    b"229 Extended (|||0|)\r\n", b"229 (|||99999|)\r\n", b"229 garbage\r\n",
    b"garbage without a code\r\n", b"2\r\n", b"\x1b[31m999 bad\r\n",
    b"200-first line\r\nmiddle\r\n", b"421 Going away\r\n",
    b"220-multi\r\n220 line\r\n", b"\r\n", b"200 " + b"x" * 5000 + b"\r\n",
]
VERBS = ["FEAT", "USER", "PASS", "SYST", "OPTS", "TYPE", "PWD", "EPSV", "PASV", "SIZE",
         "MDTM", "REST", "MLSD", "LIST", "RETR", "STOR", "MKD", "DELE", "CWD", "NOOP"]

LOGIN_VERBS = {"FEAT", "USER", "PASS", "TYPE", "SYST", "OPTS", "PWD"}


def random_handlers(rng: random.Random) -> dict:
    handlers: dict = {}
    for verb in VERBS:
        roll = rng.random()
        # Login verbs stay polite most of the time so most runs reach the data commands.
        if roll < (0.92 if verb in LOGIN_VERBS else 0.5):
            continue  # polite default
        if verb in ("EPSV", "PASV") and roll < 0.7:
            handlers[verb] = epsv() if verb == "EPSV" else pasv(rng.choice(["10.0.0.5", "0.0.0.0"]))
        elif verb in ("LIST", "MLSD", "RETR") and roll < 0.75:
            handlers[verb] = transfer(payload=rng.randbytes(rng.randint(0, 300)),
                                      final=rng.choice(REPLIES),
                                      ending=rng.choice(["close", "reset"]))
        else:
            handlers[verb] = b"".join(rng.choice(REPLIES) for _ in range(rng.randint(1, 2)))
    return handlers


@pytest.mark.asyncio
@pytest.mark.parametrize("seed", range(24))
async def test_random_replies_only_raise_typed_errors(scripted_server, bus, tmp_path, seed):
    rng = random.Random(seed)
    server = scripted_server(random_handlers(rng), password="")
    settings = server.info.settings(data_timeout=0.5, control_timeout=0.5, connect_timeout=2)
    source = tmp_path / "up.bin"
    source.write_bytes(b"u" * 1000)

    async def scenario() -> None:
        session = FtpSession(settings, bus=bus)
        try:
            await session.connect()
            for operation in (lambda: session.list(), lambda: session.pwd(),
                              lambda: session.download("f.bin", tmp_path / "f.bin"),
                              lambda: session.upload(source, "up.bin"),
                              lambda: session.mkdir("d"), lambda: session.size("f.bin")):
                try:
                    await operation()
                except FtpError:
                    pass
        except FtpError:
            pass
        finally:
            await session.close()

    # Every step is bounded by the 0.5 s timeouts; 20 s means something hung.
    await asyncio.wait_for(scenario(), 20)
