"""When FTP's data connections cannot work, SFTP may: it carries every transfer inside
the one SSH connection, so there is no data port to open, forward or dial back.

A diagnosis whose verdict says the data connections are blocked (passive, active or
both) reads the SSH banner of the same host on port 22; a diagnosis that could not log
in because the FTP port itself greets with ``SSH-2.0-…`` reads it there. When an SSH
server answers, the verdict says so and carries an :class:`SftpOffer` a front end turns
into "Connect with SFTP". Only the host the user named is ever dialled (through the
user's proxy when one carries the connections: behind a proxy the direct path may not
exist), and only to read the banner line the server sends first (nothing is sent). The
diagnosis keeps what the probe found (:class:`SshProbe`), so "no offer" has a reason
too: port 22 refused, filtered, or not SSH.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import time
from dataclasses import dataclass

from client.engine.diagnose.model import SftpOffer, SshProbe, SshProbeOutcome, Verdict
from client.engine.errors import ProxyFailedError
from client.engine.events import EventBus, ProxyHop, TcpFinding
from client.engine.proxy.settings import ProxySettings
from client.engine.tcpstack import ConnectFailed, connect_observed
from client.protocol.text import escape_control

__all__ = ["SSH_PORT", "SshAnswer", "BLOCKED_VERDICTS", "read_ssh_banner", "probe_ssh",
           "offer_sftp", "ssh_port_verdict", "consider_sftp", "WRONG_SERVICE",
           "PROBE_TIMEOUT"]

SSH_PORT = 22
#: the failure class of a row whose FTP port greeted with an SSH banner
WRONG_SERVICE = "ssh-service"
#: verdicts that mean FTP's data connections do not work from here
BLOCKED_VERDICTS = frozenset({"passive-blocked", "active-blocked", "data-blocked",
                              "data-stalls", "inconclusive"})
#: RFC 4253 4.2: the identification line is at most 255 bytes with CR LF; the server
#: may send other lines before it, so read a little more than one
_MAX_BANNER_BYTES = 2048
PROBE_TIMEOUT = 3.0


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


async def _connect(host: str, port: int, timeout: float,
                   tunnel: ProxySettings | None) -> socket.socket:
    if tunnel is None:
        return await connect_observed(host, port, timeout)
    from client.engine.proxy.tunnel import open_tunnel  # python-socks: only when used

    return await open_tunnel(tunnel, host, port, timeout=timeout, bus=EventBus(),
                             connection="ssh-probe")


def _proxy_outcome(error: ProxyFailedError) -> SshProbeOutcome:
    if error.hop is not ProxyHop.PROXY_SERVER:
        return SshProbeOutcome.FAILED  # the proxy itself: nothing learnt about the port
    if error.reply_code == 5:  # SOCKS5 "connection refused"
        return SshProbeOutcome.REFUSED
    # the proxy's leg to the server without a reply code is the tunnel's timeout
    return SshProbeOutcome.NO_ANSWER if error.reply_code is None else SshProbeOutcome.FAILED


async def probe_ssh(host: str, port: int = SSH_PORT, *, timeout: float = PROBE_TIMEOUT,
                    tunnel: ProxySettings | None = None) -> SshProbe:
    """Connect (through ``tunnel`` when the user's connections go through a proxy: the
    direct path may not exist at all), read what the server sends first, close. Waits
    ``timeout`` seconds at most for the connection and as long again for the line, so
    a filtered port costs a diagnosis a few seconds, not a connect timeout."""
    started = time.monotonic()
    via = tunnel.describe() if tunnel is not None else None

    def result(outcome: SshProbeOutcome, detail: str, banner: str | None = None) -> SshProbe:
        return SshProbe(host, port, outcome, time.monotonic() - started, timeout, detail,
                        banner, via)

    try:
        sock = await _connect(host, port, timeout, tunnel)
    except ConnectFailed as exc:
        if exc.finding is TcpFinding.SYN_UNANSWERED:
            return result(SshProbeOutcome.NO_ANSWER, f"no answer within {timeout:g} s "
                          f"({exc.message}): a firewall drops connections to port {port}")
        if exc.finding is TcpFinding.RESET:
            return result(SshProbeOutcome.REFUSED, f"refused ({exc.message}): nothing "
                          f"listens on port {port}, or a firewall rejects it")
        return result(SshProbeOutcome.FAILED, exc.message)
    except ProxyFailedError as exc:
        return result(_proxy_outcome(exc), escape_control(exc.message))
    except OSError as exc:
        return result(SshProbeOutcome.FAILED, escape_control(exc.strerror or str(exc)))
    writer = None
    data = b""
    try:
        reader, writer = await asyncio.open_connection(sock=sock)

        async def read_lines() -> None:
            nonlocal data
            while len(data) < _MAX_BANNER_BYTES and _banner_of(data) is None:
                chunk = await reader.read(_MAX_BANNER_BYTES - len(data))
                if not chunk:
                    return
                data += chunk

        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(read_lines(), timeout)
    except OSError as exc:
        sock.close()
        return result(SshProbeOutcome.FAILED, escape_control(exc.strerror or str(exc)))
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
    banner = _banner_of(data, ended=True)
    if banner is not None:
        return result(SshProbeOutcome.SSH, banner, banner)
    said = escape_control(data.split(b"\n", 1)[0].rstrip(b"\r").decode("latin-1")[:80])
    heard = f"it said {said!r}" if said else "nothing was said"
    return result(SshProbeOutcome.NOT_SSH,
                  f"connected, but {heard} within {timeout:g} s: not an SSH server")


async def read_ssh_banner(host: str, port: int = SSH_PORT, *,
                          timeout: float = PROBE_TIMEOUT) -> SshAnswer | None:
    """An :class:`SshAnswer` when ``host``:``port`` sends an SSH identification line
    (``SSH-2.0-…``), else None (refused, silent, other)."""
    probe = await probe_ssh(host, port, timeout=timeout)
    return SshAnswer(host, port, probe.banner) if probe.banner is not None else None


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
                        ftp_port: int, ssh_port: int = SSH_PORT, *,
                        tunnel: ProxySettings | None = None,
                        ) -> tuple[Verdict, SshProbe | None]:
    """The verdict, with the SFTP offer when it applies (see the module docstring), and
    the probe that decided it (None when the verdict did not call for one).
    ``failure_classes`` are those of the diagnosis's rows; ``tunnel``: the proxy that
    carries the user's connections, which carries the probe too."""
    if WRONG_SERVICE in failure_classes:
        probe = await probe_ssh(host, ftp_port, tunnel=tunnel)
        answer = _answer(probe)
        return (ssh_port_verdict(answer) if answer is not None else verdict), probe
    if verdict.key in BLOCKED_VERDICTS:
        probe = await probe_ssh(host, ssh_port, tunnel=tunnel)
        answer = _answer(probe)
        return (offer_sftp(verdict, answer) if answer is not None else verdict), probe
    return verdict, None


def _answer(probe: SshProbe) -> SshAnswer | None:
    return SshAnswer(probe.host, probe.port, probe.banner) if probe.banner is not None else None
