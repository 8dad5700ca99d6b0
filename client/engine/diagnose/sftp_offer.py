"""When FTP's data connections cannot work, SFTP may: it carries every transfer inside
the one SSH connection, so there is no data port to open, forward or dial back.

A diagnosis whose verdict says the data connections are blocked (passive, active or
both) reads the SSH banner of the same host on port 22; a diagnosis that could not log
in because the FTP port itself greets with ``SSH-2.0-…`` reads it there. When an SSH
server answers, the verdict says so and carries an :class:`SftpOffer` a front end turns
into "Connect with SFTP". Only the host the user named is ever dialled, and only to read
the banner line the server sends first (nothing is sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from dataclasses import dataclass

from client.engine.diagnose.model import SftpOffer, Verdict
from client.protocol.text import escape_control

__all__ = ["SSH_PORT", "SshAnswer", "BLOCKED_VERDICTS", "read_ssh_banner", "offer_sftp",
           "ssh_port_verdict", "consider_sftp", "WRONG_SERVICE"]

SSH_PORT = 22
#: the failure class of a row whose FTP port greeted with an SSH banner
WRONG_SERVICE = "ssh-service"
#: verdicts that mean FTP's data connections do not work from here
BLOCKED_VERDICTS = frozenset({"passive-blocked", "active-blocked", "data-blocked",
                              "data-stalls", "inconclusive"})
#: RFC 4253 4.2: the identification line is at most 255 bytes with CR LF; the server
#: may send other lines before it, so read a little more than one
_MAX_BANNER_BYTES = 2048
_PROBE_TIMEOUT = 3.0


@dataclass(frozen=True)
class SshAnswer:
    """An SSH server answered at ``host``:``port`` with ``banner`` (escaped)."""

    host: str
    port: int
    banner: str


def _banner_of(data: bytes, *, ended: bool = False) -> str | None:
    """The identification line among the complete lines of ``data`` (and the last,
    unterminated one once the server has stopped sending)."""
    lines = data.split(b"\n")
    if not ended:
        lines = lines[:-1]
    for raw in lines:
        line = raw.rstrip(b"\r").decode("latin-1")
        if line.startswith("SSH-"):
            return escape_control(line[:255])
    return None


async def read_ssh_banner(host: str, port: int = SSH_PORT, *,
                          timeout: float = _PROBE_TIMEOUT) -> SshAnswer | None:
    """Connect, read what the server sends first, close; an :class:`SshAnswer` when it
    is an SSH identification line (``SSH-2.0-…``), else None (refused, silent, other)."""
    writer = None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        data = b""

        async def read_lines() -> None:
            nonlocal data
            while len(data) < _MAX_BANNER_BYTES and _banner_of(data) is None:
                chunk = await reader.read(_MAX_BANNER_BYTES - len(data))
                if not chunk:
                    return
                data += chunk

        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(read_lines(), timeout)
    except (TimeoutError, OSError):
        return None
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
    banner = _banner_of(data, ended=True)
    return SshAnswer(host, port, banner) if banner is not None else None


def offer_sftp(verdict: Verdict, answer: SshAnswer) -> Verdict:
    """``verdict`` with a sentence saying SFTP avoids the data connections, and the offer."""
    reason = (f"{answer.host} also answers SSH on port {answer.port} ({answer.banner}). "
              "SFTP carries every listing and transfer inside that one connection, so it "
              "needs no data connection and no passive range: if the server lets you log "
              "in over SSH, Connect with SFTP works through this firewall.")
    return dataclasses.replace(
        verdict, explanation=f"{verdict.explanation} {reason}",
        sftp=SftpOffer(answer.host, answer.port, answer.banner, reason))


def ssh_port_verdict(answer: SshAnswer) -> Verdict:
    """The FTP port itself is an SSH server: the wrong service, and the offer."""
    reason = (f"port {answer.port} of {answer.host} greets with {answer.banner!r}: it is "
              "an SSH server, not an FTP server. Its file transfer is SFTP: connect with "
              "SFTP there, or use the server's FTP port (usually 21) for FTP.")
    return Verdict("ssh-port", "this port is an SSH server, not FTP", reason,
                   sftp=SftpOffer(answer.host, answer.port, answer.banner, reason))


async def consider_sftp(verdict: Verdict, failure_classes: set[str | None], host: str,
                        ftp_port: int, ssh_port: int = SSH_PORT) -> Verdict:
    """The verdict, with the SFTP offer when it applies (see the module docstring).
    ``failure_classes`` are those of the diagnosis's rows."""
    if WRONG_SERVICE in failure_classes:
        answer = await read_ssh_banner(host, ftp_port)
        return ssh_port_verdict(answer) if answer is not None else verdict
    if verdict.key in BLOCKED_VERDICTS:
        answer = await read_ssh_banner(host, ssh_port)
        if answer is not None:
            return offer_sftp(verdict, answer)
    return verdict
