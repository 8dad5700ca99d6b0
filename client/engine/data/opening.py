"""Opening a data connection: passive (PASV with the 227 address policy, or EPSV) and
active (listen first, then PORT or EPRT, then wait for the server to dial in).

The command family follows the clients people know: on an IPv4 control connection PASV
and PORT (RFC 959), whose replies carry the address arithmetic the inspector decodes;
EPSV and EPRT (RFC 2428) when the settings ask for them, on IPv6, or once the server has
answered 500/502 to the classic command (remembered for the session). EPSV falls back to
PASV when refused or when its port refuses the connection, never after a connect that
timed out (the same firewall would drop PASV's connection too). In active mode the
listener exists *before* PORT/EPRT is sent (some servers dial back the moment it
arrives), and a connection from anyone but the server is refused and reported. The
functions work on a :class:`~client.engine.data.channel.DataTransfer`, whose command they
serve.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from client.engine.control import endpoint_of
from client.engine.data.rawsock import RawTransport
from client.engine.data.stream import DataStream
from client.engine.data.tracking import ChannelTracker, same_host
from client.engine.errors import (
    DataChannelError,
    FtpError,
    ProxyFailedError,
    ProxyModeError,
    SettingsError,
)
from client.engine.events import DataFailure, DataPhase, Endpoint, NoticeKind
from client.engine.settings import active_address_problem
from client.engine.tcpfacts import connect_failure
from client.engine.tcpstack import ConnectFailed, connect_observed_peer
from client.protocol.addresses import (
    PasvDecision,
    PasvPolicy,
    decide_pasv_address,
    format_eprt_argument,
    format_port_argument,
    parse_227,
    parse_229,
)
from client.protocol.annotate import Severity
from client.protocol.commands import Command
from client.protocol.errors import ProtocolError
from client.protocol.replies import Reply
from client.protocol.text import escape_control

if TYPE_CHECKING:
    from client.engine.data.channel import DataTransfer

__all__ = ["UNKNOWN_COMMAND_CODES", "extended_only", "open_active", "open_passive"]


#: Replies that say the server does not know a command at all (RFC 959 §4.2): only these
#: make the client try the other family; a 421/425/550 is an answer about this connection.
UNKNOWN_COMMAND_CODES = frozenset({500, 502})


def extended_only(control_peer: str) -> bool:
    """PASV and PORT carry four address bytes: over an IPv6 control connection only EPSV
    and EPRT (RFC 2428) can set up a data connection."""
    return ":" in control_peer and not control_peer.lower().startswith("::ffff:")


async def open_passive(xfer: DataTransfer) -> DataStream:
    """PASV on IPv4 (EPSV when asked for, on IPv6, or when the server does not know PASV)."""
    memory = xfer.setup.memory
    wants_epsv = (xfer.settings.use_epsv or memory.pasv_broken
                  or extended_only(xfer.control_peer))
    if wants_epsv and not memory.epsv_broken:
        stream = await open_epsv(xfer, may_fall_back=not memory.pasv_broken)
        if stream is not None:
            return stream
    return await open_pasv(xfer)


async def open_epsv(xfer: DataTransfer, *, may_fall_back: bool) -> DataStream | None:
    """EPSV and the dial to the control peer; None when PASV should be tried instead
    (only while ``may_fall_back``: the server refused EPSV, its 229 was unreadable, or
    the port refused the connection — a connect that timed out is not retried, since
    PASV would lead to the same host through the same firewall)."""
    memory = xfer.setup.memory
    reply = await xfer.control.execute(Command("EPSV"), step="EPSV")
    tracker = xfer.start_tracker("client", "EPSV")
    if reply.code != 229:
        if not may_fall_back:
            raise tracker.failure(
                DataFailure.SERVER_REFUSED,
                f"the server refused EPSV too: {reply.code} {escape_control(reply.text)} "
                "(try active mode)", step="EPSV", reply_code=reply.code)
        memory.epsv_broken = True
        xfer.notice(f"the server refused EPSV ({reply.code}); using PASV for this "
                     "session", NoticeKind.FALLBACK)
        return None
    try:
        address = parse_229(reply.lines[0])
    except ProtocolError as exc:
        if not may_fall_back:
            raise tracker.failure(DataFailure.SERVER_REFUSED,
                                  f"could not read the 229 reply: {exc}", step="EPSV",
                                  reply_code=reply.code) from None
        xfer.notice(f"could not read the EPSV reply ({exc}); trying PASV", NoticeKind.FALLBACK)
        memory.epsv_broken = True
        return None
    tracker.advertised = Endpoint(xfer.control_peer, address.port)
    tracker.emit(DataPhase.ADVERTISED)
    try:
        return await dial(xfer, tracker, xfer.control_peer, address.port)
    except DataChannelError as error:
        if (error.failure is not DataFailure.REFUSED or not may_fall_back
                or not xfer.settings.epsv_fallback):
            raise
        memory.epsv_broken = True
        xfer.notice(
            f"the EPSV port {tracker.advertised} refused the connection; trying PASV, "
            "and using PASV for the rest of this session", NoticeKind.FALLBACK, Severity.WARNING)
        return None


async def open_pasv(xfer: DataTransfer) -> DataStream:
    memory = xfer.setup.memory
    reply = await xfer.control.execute(Command("PASV"), step="PASV")
    if (reply.code in UNKNOWN_COMMAND_CODES and not memory.epsv_broken
            and not memory.pasv_broken):
        memory.pasv_broken = True
        xfer.notice(f"the server does not know PASV ({reply.code} "
                     f"{escape_control(reply.text)}); trying EPSV, and using it for the "
                     "rest of this session", NoticeKind.FALLBACK, Severity.WARNING)
        stream = await open_epsv(xfer, may_fall_back=False)
        assert stream is not None
        return stream
    tracker = xfer.start_tracker("client", "PASV")
    if reply.code != 227:
        raise tracker.failure(
            DataFailure.SERVER_REFUSED,
            f"the server refused passive mode: {reply.code} {escape_control(reply.text)}"
            " (try active mode)", step="PASV", reply_code=reply.code)
    try:
        address = parse_227(reply.lines[0])
    except ProtocolError as exc:
        raise tracker.failure(DataFailure.SERVER_REFUSED,
                              f"could not read the 227 reply: {exc}", step="PASV",
                              reply_code=reply.code) from None
    assert address.host is not None
    decision = pasv_decision(address.host, xfer.control_peer, xfer.settings.pasv_policy)
    tracker.advertised = Endpoint(address.host, address.port)
    if decision.refused:
        tracker.address_note = decision.reason
        tracker.emit(DataPhase.ADVERTISED)
        raise tracker.failure(DataFailure.UNROUTABLE, decision.reason, step="PASV",
                              reply_code=reply.code)
    if decision.replaced:
        tracker.address_note = decision.reason
        xfer.notice(decision.reason, NoticeKind.SUBSTITUTION, Severity.WARNING)
    tracker.emit(DataPhase.ADVERTISED)
    return await dial(xfer, tracker, decision.host, address.port)


@functools.lru_cache(maxsize=64)
def _is_address(host: str) -> bool:
    """``host`` (a zone id allowed) is an IP address, not a name (asked per data
    connection; a session has one control peer)."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def pasv_decision(advertised: str, control_peer: str, policy: PasvPolicy) -> PasvDecision:
    """The 227 address policy. Through a proxy the control peer may be a host name (the
    proxy resolved it, this computer never learned its address): then the policy's
    choice is the same host name, since the advertised address cannot be compared."""
    if not _is_address(control_peer):
        if policy is PasvPolicy.ADVERTISED:
            return decide_pasv_address(advertised, None, policy)
        return PasvDecision(
            control_peer, False,
            f"server advertised {advertised}; dialling {control_peer} instead, the host "
            "the control connection reached through the proxy (its address is known only "
            "to the proxy)")
    return decide_pasv_address(advertised, control_peer, policy)


async def dial(xfer: DataTransfer, tracker: ChannelTracker, host: str, port: int) -> DataStream:
    loop = asyncio.get_running_loop()
    tracker.remote = Endpoint(host, port)
    tracker.emit(DataPhase.CONNECTING)
    stream = xfer.new_stream()
    timeout = xfer.settings.data_timeout
    tunnel = xfer.settings.tunnel
    try:
        if tunnel is not None:
            from client.engine.proxy.tunnel import open_tunnel  # python-socks: only when used

            sock = await open_tunnel(tunnel, host, port, timeout=timeout, bus=xfer.setup.bus,
                                     connection=xfer.control.connection_id,
                                     channel=tracker.channel)
            await loop.create_connection(lambda: stream, sock=sock)
        else:
            # Receiving connections (downloads, listings) take the quick connect and the
            # raw transport; uploads keep the loop's connect and asyncio's transport:
            # measured against pyftpdlib, uploads on the quick path finished later
            # (its single thread answered the earlier commands in smaller batches;
            # bench/HISTORY.md, 6 December), and they gained nothing against vsftpd.
            receiving = xfer.source is None
            sock, peer = await connect_observed_peer(host, port, timeout, quick=receiving)
            if receiving and xfer.setup.tls_context is None:  # plain: no asyncio transport
                try:
                    # reading starts when the command is accepted (see _transfer)
                    RawTransport(loop, sock, stream, peer, read_now=False)
                except BaseException:
                    sock.close()
                    raise
            else:
                await loop.create_connection(lambda: stream, sock=sock)
    except ProxyFailedError as failed:
        raise tracker.failure(DataFailure.PROXY, failed.message) from None
    except ConnectFailed as failed:
        tracker.tcp = failed.evidence
        raise tracker.failure(*connect_failure(failed, host, port, timeout)) from None
    except OSError as exc:
        raise tracker.failure(
            DataFailure.REFUSED,
            f"could not connect to {host}:{port}: {exc.strerror or exc}") from None
    tracker.local = endpoint_of(stream.local)
    if tunnel is None:  # through a proxy the socket's peer is the proxy, not the server
        tracker.remote = endpoint_of(stream.peer) or tracker.remote
    tracker.emit(DataPhase.CONNECTED)
    return stream


async def open_active(xfer: DataTransfer) -> tuple[DataStream, ChannelTracker, Reply]:
    """Listen, announce (EPRT/PORT), send the command and wait for the server to
    dial in; returns the accepted stream, its tracker and the preliminary reply."""
    loop = asyncio.get_running_loop()
    tunnel = xfer.settings.tunnel
    if tunnel is not None:
        raise ProxyModeError(
            f"active mode (PORT/EPRT) cannot work through the {tunnel.describe()}: the "
            "server would have to connect back to this computer, and a SOCKS or HTTP "
            "CONNECT proxy only carries connections this computer opens; use passive "
            "mode (the data connection then goes through the proxy too)",
            setting="mode", step="active-mode")
    control_local = xfer.control.local
    assert control_local is not None
    bind_host = control_local.host
    configured = xfer.settings.active_address
    problem = active_address_problem(configured) if configured else None
    if problem is not None:  # before listening, before EPRT/PORT goes out
        raise SettingsError(f"the active-mode address setting (active_address) cannot be "
                            f"used: {problem}", setting="active_address",
                            step="active-address")
    advertise_host = configured or bind_host
    tracker = xfer.start_tracker("server", "PORT")
    accepted: asyncio.Future[DataStream] = loop.create_future()
    wrong_peers: list[str] = []

    def on_connected(stream: DataStream) -> bool:
        peer = endpoint_of(stream.peer)
        if peer is None or not same_host(peer.host, xfer.control_peer) or accepted.done():
            shown = str(peer) if peer else "an unknown peer"
            if not accepted.done():
                wrong_peers.append(shown)
                xfer.notice(
                    f"refused a data connection from {shown}: only the server "
                    f"{xfer.control_peer} may connect to our active-mode port",
                    NoticeKind.INFO, Severity.WARNING)
            return False
        accepted.set_result(stream)
        return True

    server = await listen(xfer, tracker, bind_host,
                                lambda: xfer.new_stream(on_connected))
    try:
        port = server.sockets[0].getsockname()[1]
        tracker.local = Endpoint(bind_host, port)
        tracker.advertised = Endpoint(advertise_host, port)
        await announce_active(xfer, tracker, advertise_host, port)
        tracker.emit(DataPhase.LISTENING)
        await xfer.send_rest()
        xfer.send_command()
        first = await await_dial_back(xfer, tracker, accepted, wrong_peers)
    finally:
        server.close()
    stream = accepted.result()
    xfer.stream = stream
    tracker.remote = endpoint_of(stream.peer)
    tracker.local = endpoint_of(stream.local)
    tracker.emit(DataPhase.CONNECTED)
    return stream, tracker, first


async def listen(xfer: DataTransfer, tracker: ChannelTracker, host: str,
                  factory: Callable[[], DataStream]) -> asyncio.base_events.Server:
    loop = asyncio.get_running_loop()
    ports: list[int] = [0]
    if xfer.settings.active_ports is not None:
        low, high = xfer.settings.active_ports
        ports = list(range(low, high + 1))
    last_error: OSError | None = None
    for port in ports:
        try:
            return await loop.create_server(factory, host, port, backlog=4,
                                            reuse_address=False)
        except OSError as exc:
            last_error = exc
    raise tracker.failure(
        DataFailure.LOCAL,
        f"could not listen for the active-mode data connection on {host} "
        f"(ports {xfer.settings.active_ports or 'any'}): {last_error}")


async def announce_active(xfer: DataTransfer, tracker: ChannelTracker, host: str, port: int) -> None:
    """PORT on IPv4 (EPRT when asked for, for an IPv6 address, or when the server does
    not know PORT); the other command once when the server does not know the first."""
    memory = xfer.setup.memory
    family6 = extended_only(host)
    wants_eprt = xfer.settings.use_eprt or memory.port_broken or family6
    if wants_eprt and not memory.eprt_broken:
        tracker.method = "EPRT"
        reply = await xfer.control.execute(
            Command("EPRT", format_eprt_argument(host, port)), step="EPRT")
        if reply.is_success:
            return
        if family6 or memory.port_broken:
            why = ("PORT cannot carry an IPv6 address" if family6
                   else "the server does not know PORT either")
            raise tracker.failure(
                DataFailure.SERVER_REFUSED,
                f"the server refused EPRT ({reply.code} {escape_control(reply.text)}) and "
                f"{why} (try passive mode)", step="EPRT", reply_code=reply.code)
        memory.eprt_broken = True
        xfer.notice(f"the server refused EPRT ({reply.code}); using PORT for this session",
                     NoticeKind.FALLBACK)
    tracker.method = "PORT"
    reply = await xfer.control.execute(Command("PORT", format_port_argument(host, port)),
                                       step="PORT")
    if reply.is_success:
        return
    if reply.code in UNKNOWN_COMMAND_CODES and not memory.eprt_broken:
        memory.port_broken = True
        xfer.notice(f"the server does not know PORT ({reply.code} "
                     f"{escape_control(reply.text)}); trying EPRT, and using it for the "
                     "rest of this session", NoticeKind.FALLBACK, Severity.WARNING)
        tracker.method = "EPRT"
        reply = await xfer.control.execute(
            Command("EPRT", format_eprt_argument(host, port)), step="EPRT")
        if reply.is_success:
            return
        raise tracker.failure(
            DataFailure.SERVER_REFUSED,
            f"the server refused EPRT too: {reply.code} {escape_control(reply.text)} "
            "(try passive mode)", step="EPRT", reply_code=reply.code)
    raise tracker.failure(
        DataFailure.SERVER_REFUSED,
        f"the server refused active mode: {reply.code} {escape_control(reply.text)} "
        "(try passive mode)", step="PORT", reply_code=reply.code)


async def await_dial_back(xfer: DataTransfer, tracker: ChannelTracker, accepted: asyncio.Future[DataStream],
                           wrong_peers: list[str]) -> Reply:
    """Wait for the server to connect to our listener, watching the control
    connection at the same time: a 425 ("could not connect to you") ends the wait at
    once instead of after the timeout."""
    timeout = xfer.settings.data_timeout
    deadline = time.monotonic() + timeout
    first: Reply | None = None
    reply_task: asyncio.Future[Reply] | None = xfer.control.reply_future(
        None, step=xfer.command.verb)
    try:
        while not (accepted.done() and first is not None):
            waiting = [f for f in (accepted, reply_task) if f is not None and not f.done()]
            if accepted.done():
                budget = xfer.control.timeout  # connected: only the reply is missing
            else:
                budget = deadline - time.monotonic()
                if budget <= 0:
                    break
            done, _ = await asyncio.wait(waiting, timeout=budget,
                                         return_when=asyncio.FIRST_COMPLETED)
            if reply_task is not None and reply_task.done():
                reply = reply_task.result()
                reply_task = None
                if reply.is_error:
                    raise xfer.refused_by_server(tracker, reply)
                if first is None:
                    first = reply
                    if not accepted.done() and reply.is_preliminary:
                        reply_task = xfer.control.reply_future(None, step=xfer.command.verb)
                else:
                    xfer.control.unread(reply)  # the final reply: _transfer reads it
            if not done and accepted.done():
                raise FtpError(f"no reply to {xfer.command.verb} within "
                               f"{xfer.control.timeout:g} s", step=xfer.command.verb)
        if not accepted.done():
            if wrong_peers:
                raise tracker.failure(
                    DataFailure.WRONG_PEER,
                    f"only {', '.join(wrong_peers)} connected to our active-mode port, "
                    f"never the server {xfer.control_peer}; those connections were "
                    "refused (someone else is probing the port, or the server's data "
                    "connections come from another address)")
            raise tracker.failure(
                DataFailure.NEVER_CONNECTED_BACK,
                f"the server never connected back to {tracker.advertised} within "
                f"{timeout:g} s: a firewall or NAT in front of this computer blocks "
                "incoming connections, or the advertised address is not reachable from "
                "the server (use passive mode)")
        assert first is not None
        return first
    finally:
        if reply_task is not None and not reply_task.done():
            reply_task.cancel()  # a reply that comes later stays queued
