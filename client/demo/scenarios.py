"""pyftpdlib handlers that implement the demo scenarios, one small class per fault.

Every scenario is a subclass of :class:`DemoHandler` (or of its TLS twin) that changes
exactly one thing: what the server says to PASV/EPSV/PORT/EPRT, or how its data handler
behaves once a data connection exists. :func:`handler_for` builds a per-server subclass
carrying that server's settings (pyftpdlib reads its options from class attributes).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from OpenSSL import SSL
from OpenSSL._util import lib as _openssl  # SSL_session_reused has no public wrapper
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import (
    DTPHandler,
    FTPHandler,
    ThrottledDTPHandler,
    TLS_DTPHandler,
    TLS_FTPHandler,
)

from client.demo.base_handler import DemoHandler
from client.demo.catalog import scenario_details

__all__ = ["HandlerConfig", "handler_for", "UNROUTABLE_PASV_ADDRESS"]

logger = logging.getLogger(__name__)

# RFC 5737 TEST-NET-1: reserved for documentation, never routed on the Internet.
UNROUTABLE_PASV_ADDRESS = "192.0.2.10"


@dataclass(frozen=True)
class HandlerConfig:
    """What a scenario handler needs from the server that runs it."""

    scenario: str
    authorizer: DummyAuthorizer
    give_up_after: float  # seconds from a doomed data command to its 425
    throttle_bytes_per_second: int
    trap_port: int | None = None  # advertised by passive-blocked / passive-refused
    cert_file: Path | None = None
    key_file: Path | None = None


def _passive_reply(handler: FTPHandler, extmode: bool, port: int) -> None:
    """Answer PASV/EPSV with ``port`` on the control connection's own address."""
    if extmode:
        handler.respond(f"229 Entering extended passive mode (|||{port}|).")
        return
    host = handler.socket.getsockname()[0]
    handler.respond(
        f"227 Entering passive mode ({host.replace('.', ',')},{port // 256},{port % 256})."
    )


# --- the scenarios --------------------------------------------------------------------


class PassiveTrapHandler(DemoHandler):
    """passive-blocked and passive-refused: 227/229 name the server's trap port."""

    trap_reason = "the passive data connection never arrived"

    def _make_epasv(self, extmode: bool = False) -> None:
        assert self.trap_port is not None, "a passive trap scenario needs a trap port"
        self._doom_data_channel(self.trap_reason)
        _passive_reply(self, extmode, self.trap_port)


class NatMisconfiguredHandler(DemoHandler):
    """EPSV is unknown (500) and 227 names an address that is never routed."""

    masquerade_address = UNROUTABLE_PASV_ADDRESS
    proto_cmds = {name: spec for name, spec in FTPHandler.proto_cmds.items() if name != "EPSV"}


class ActiveBlockedHandler(DemoHandler):
    """PORT/EPRT get 200, but the server never dials the client's listener."""

    def _make_eport(self, ip: str, port: int) -> None:
        self._undoom()
        refusal = self._port_refusal(ip, port)  # the same checks as a server that dials
        if refusal is not None:
            self._data_setup_pending = False
            self.respond(refusal)
            return
        self._doom_data_channel(f"no connection could be made to {ip}:{port}")
        self.respond(f"200 {self._current_command} command successful. Consider using PASV.")


class StallingDTPHandler(DTPHandler):
    """A data handler that accepts outgoing data (listings, downloads) and never sends it.

    It keeps watching the connection for reads so that it notices when the client gives
    up and closes, and then reports the transfer as aborted (426) instead of pyftpdlib's
    "226 Transfer complete" for a channel with nothing queued.
    """

    _stalled = False

    def _stall(self) -> None:
        self._stalled = True
        self._initialized = True
        self._wanted_io_events = self.ioloop.READ
        self.modify_ioloop_events(self.ioloop.READ)

    def push(self, data: bytes) -> None:
        self._stall()

    def push_with_producer(self, producer: Any) -> None:
        self._stall()

    def close_when_done(self) -> None:
        if not self._stalled:
            super().close_when_done()

    def readable(self) -> bool:
        return True if self._stalled else super().readable()

    def writable(self) -> bool:
        return False if self._stalled else super().writable()

    def handle_read(self) -> None:
        if not self._stalled:
            super().handle_read()
            return
        try:
            self.recv(self.ac_in_buffer_size)  # b"" on EOF: asyncore calls handle_close
        except OSError:
            self.handle_close()

    handle_read_event = handle_read

    def handle_close(self) -> None:
        if self._stalled and not self._closed:
            self._resp = ("426 Connection closed; transfer aborted (the server stalled).", logger.info)
            self.close()
            return
        super().handle_close()


class StallHandler(DemoHandler):
    dtp_handler = StallingDTPHandler

    def ftp_ABOR(self, line: str) -> None:
        """RFC 959: a transfer command still outstanding is answered 426, then ABOR 226.
        (pyftpdlib would answer a single 225 because no byte has moved.)"""
        channel = self.data_channel
        # pyftpdlib's data handler keeps its state in underscore attributes, its only API
        if (isinstance(channel, StallingDTPHandler) and channel._stalled  # noqa: SLF001
                and not channel._closed):  # noqa: SLF001
            channel._resp = ("426 Transfer aborted via ABOR (the server stalled).",  # noqa: SLF001
                             logger.info)
            channel.close()
            self.data_channel = None
            self.respond("226 ABOR command successful.")
            return
        super().ftp_ABOR(line)


class SlowHandler(DemoHandler):
    dtp_handler = ThrottledDTPHandler  # limits set per server by handler_for


def _session_reused(connection: SSL.Connection) -> bool:
    return bool(_openssl.SSL_session_reused(connection._ssl))  # noqa: SLF001 - pyOpenSSL


class ReuseRequiredTlsDTPHandler(TLS_DTPHandler):
    """Answers 522 (as vsftpd's ``require_ssl_reuse``) when the data connection's TLS
    handshake did not resume a session of this server, without sending a single byte.

    Two rules make that hold whatever the order of events: nothing is written before
    the handshake has finished and been judged (pyftpdlib would otherwise let OpenSSL
    finish the handshake inside a write and send at once), and the verdict is given when
    both the handshake is done and a transfer command has given the channel work —
    so a client that handshakes before sending RETR gets the 522 as the reply to RETR,
    never as an unsolicited line.
    """

    _reuse_missing = False

    def handle_ssl_established(self) -> None:
        self._reuse_missing = not _session_reused(self.socket)
        if self._reuse_missing and self._initialized:
            self._refuse()

    def initiate_send(self) -> None:
        if self._closed or not self._ssl_established:
            return  # the handshake is still running: data waits for the verdict
        if self._reuse_missing:
            self._refuse()
            return
        super().initiate_send()

    def enable_receiving(self, type: str, cmd: str) -> None:
        super().enable_receiving(type, cmd)
        if self._reuse_missing and self._ssl_established:
            self._refuse()

    def _refuse(self) -> None:
        if self._closed:
            return
        self.producer_fifo.clear()
        self.ac_out_buffer = b""
        self._resp = ("522 SSL connection failed: session reuse required.", logger.info)
        self.close()


class ReuseRequiredTlsHandler(TLS_FTPHandler, DemoHandler):
    """Explicit FTPS: AUTH TLS before login, PROT P before any data connection."""

    tls_control_required = True
    tls_data_required = True
    dtp_handler = ReuseRequiredTlsDTPHandler

    def process_command(self, cmd: str, *args: Any, **kwargs: Any) -> None:
        # TLS_FTPHandler calls FTPHandler.process_command directly, skipping DemoHandler's.
        self._current_command = cmd
        if self._refuse_transfer_without_setup(cmd):
            return
        TLS_FTPHandler.process_command(self, cmd, *args, **kwargs)
        if not self._closed:
            self._after_command(cmd)


_SCENARIO_HANDLERS: dict[str, type[FTPHandler]] = {
    "healthy": DemoHandler,
    "passive-blocked": PassiveTrapHandler,
    "passive-refused": PassiveTrapHandler,
    "nat-misconfigured": NatMisconfiguredHandler,
    "active-blocked": ActiveBlockedHandler,
    "slow": SlowHandler,
    "stall": StallHandler,
    "tls": ReuseRequiredTlsHandler,
}

_TRAP_REASONS = {
    "passive-blocked": "nothing answered on the advertised passive port",
    "passive-refused": "the advertised passive port refuses connections",
}


def _tls_context(cert_file: Path, key_file: Path) -> SSL.Context:
    context = SSL.Context(SSL.TLS_SERVER_METHOD)
    context.set_min_proto_version(SSL.TLS1_2_VERSION)
    context.set_options(SSL.OP_NO_COMPRESSION)
    context.use_certificate_chain_file(str(cert_file))
    context.use_privatekey_file(str(key_file))
    # Session IDs (TLS 1.2) and tickets (TLS 1.3) are only resumable within this id.
    context.set_session_id(b"ftp-inspector-demo")
    return context


def handler_for(config: HandlerConfig) -> type[FTPHandler]:
    """A handler class for one server: the scenario's class with that server's settings."""
    details = scenario_details(config.scenario)
    base = _SCENARIO_HANDLERS[details.name]
    attributes: dict[str, Any] = {
        "authorizer": config.authorizer,
        "banner": f"FTP Inspector demo server ready (scenario: {details.name}).",
        "give_up_after": config.give_up_after,
        "trap_port": config.trap_port,
    }
    if details.name in _TRAP_REASONS:
        attributes["trap_reason"] = _TRAP_REASONS[details.name]
    if details.name == "slow":
        limit = config.throttle_bytes_per_second
        attributes["dtp_handler"] = type(
            "DemoThrottledDTPHandler", (ThrottledDTPHandler,),
            {"read_limit": limit, "write_limit": limit},
        )
    if details.name == "tls":
        if config.cert_file is None or config.key_file is None:
            raise ValueError("the tls scenario needs a certificate and a key")
        attributes["certfile"] = str(config.cert_file)
        attributes["keyfile"] = str(config.key_file)
        attributes["ssl_context"] = _tls_context(config.cert_file, config.key_file)
    return type(f"Demo{base.__name__}", (base,), attributes)
