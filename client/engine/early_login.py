"""Logging in while the program is still loading (the command line, plain FTP).

A short command spends most of its time in two waits that do not depend on each other:
loading the engine (asyncio and the engine's modules) and the server's check of the
password (vsftpd's yescrypt hash: ~40 ms between ``PASS`` and ``230`` on a quiet
machine, several times that on a busy one). :class:`EarlyLogin` runs the first steps of
:mod:`client.engine.login` on a blocking socket in a thread, started before the engine is
imported; the session then takes the socket over (:meth:`ControlConnection.open_early`)
and every line the thread sent and received is shown to the inspector in order, with
the time it happened, as the login reads it.

The thread only sends what the login itself would send, in its order (``HOST`` too,
when offered), and stops at the first step where the login could decide otherwise: TLS
offered (``AUTH TLS`` follows), a reply other than ``220``/``331``/``230``, ``TYPE I``
refused. After ``230`` it goes on with the login's own last steps (``FEAT``, ``OPTS
UTF8 ON`` and ``OPTS MLST`` when the login would send them, ``SYST``, ``TYPE I``,
``PWD``), so that a command finds its session ready when the engine has loaded.
Everything after that is the login's own, on the same connection. Nothing here
imports asyncio.

What the thread saw is handed over as it was: replies that came before the command
they seem to answer are recorded as unrequested (the control connection shows and
ignores them, as it does any reply nobody asked for), the reply parser goes to the
control connection with any bytes of an unfinished line, and a reply that did not come
within the control timeout is reported as that timeout, without a second wait.
"""

from __future__ import annotations

import socket
import sys
import threading
import time

from client.engine.settings import ConnectionSettings, TlsMode
from client.protocol.charsets import normalize_charset, wire_charset
from client.protocol.commands import Command
from client.protocol.features import NO_FEATURES, Features, mlst_facts_command
from client.protocol.replies import Reply, ReplyParser
from client.protocol.values import value

__all__ = ["EarlyLogin", "EarlyStep", "start_early_login"]

#: While the thread waits for its turn, the main thread (importing) hands over the
#: interpreter this often instead of every 5 ms: one hand-over per reply, and only
#: when the thread has a reply to act on (a thread blocked in recv asks for nothing).
_SWITCH_INTERVAL = 0.0001


@value(slots=True)
class EarlyStep:
    """One line of the early conversation: a command sent or a reply received, and when
    (``time.monotonic()``); neither: the next reply did not come within the control
    timeout (the last step then)."""

    command: Command | None
    reply: Reply | None
    at: float

    @property
    def is_timeout(self) -> bool:
        return self.command is None and self.reply is None


def _host_for_resolver(host: str) -> str | bytes:
    """The host as ``getaddrinfo`` takes it: an ASCII name or address as bytes, which
    spares loading the IDNA codec (``encodings.idna`` with ``stringprep`` and
    ``unicodedata``, ~2 ms) that a ``str`` host goes through; an international name
    stays a ``str`` for that codec."""
    host = host.strip("[]")
    return host.encode("ascii") if host.isascii() else host


class _Stop(Exception):
    """The early part ends here; the login goes on from what was exchanged."""


class EarlyLogin:
    """The thread and what it exchanged. Use :meth:`finish` (joins the thread) before
    reading :attr:`steps`, :attr:`sock` and :attr:`connect_error`."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self.settings = settings
        self.started = time.monotonic()
        self.started_wall = time.time()
        self.connected_at: float | None = None
        self.steps: list[EarlyStep] = []
        self.sock: socket.socket | None = None
        #: the exception of a connect that failed (raised again by the session)
        self.connect_error: OSError | None = None
        #: True when the bytes received cannot be handed over (not FTP): the socket is
        #: closed and the session connects by itself
        self.unusable = False
        #: True when a reply did not come within the control timeout: the session reports
        #: that timeout when it reaches that reply, without waiting a second time
        self.timed_out = False
        self._encoding = wire_charset(normalize_charset(settings.encoding))
        #: the replies read so far; handed to the control connection with what it holds
        self.parser = ReplyParser(encoding=None if self._encoding == "utf-8"
                                  else self._encoding)
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(_SWITCH_INTERVAL)
        self._thread = threading.Thread(target=self._run, name="early-login", daemon=True)
        self._thread.start()

    def finish(self) -> EarlyLogin:
        """Wait for the thread (bounded by the connect and control timeouts)."""
        self._thread.join()
        sys.setswitchinterval(self._switch)
        if self.unusable and self.sock is not None:
            self.sock.close()
            self.sock = None
        return self

    def discard(self) -> None:
        """Not used after all: close the connection."""
        self.finish()
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    # ------------------------------------------------------------------ the thread
    def _run(self) -> None:
        settings = self.settings
        try:
            self.sock = socket.create_connection((_host_for_resolver(settings.host),
                                                  settings.port),
                                                 timeout=settings.connect_timeout)
        except OSError as exc:
            self.connect_error = exc
            return
        self.connected_at = time.monotonic()
        try:
            self.sock.settimeout(settings.control_timeout)
            self._log_in()
            self._take_unrequested()
        except TimeoutError:
            # the session reports it when it reads that reply, without a second wait
            self.timed_out = True
            self.steps.append(EarlyStep(None, None, time.monotonic()))
        except (_Stop, OSError):
            pass  # what was exchanged is replayed; the login reads on from there
        except Exception:  # noqa: BLE001 - not FTP, a name that cannot be sent, …:
            self.unusable = True  # the session's own connection meets and reports it
            return
        try:
            self._parse_unrequested()  # read already, whatever ended the early part
        except Exception:  # noqa: BLE001 - not FTP: as above
            self.unusable = True

    def _log_in(self) -> None:
        """:mod:`client.engine.login`'s order for a plain connection, up to ``PASS`` and,
        once logged in, on to ``PWD``."""
        settings = self.settings
        banner = self._final_reply()
        if banner.code != 220:
            return
        feat = self._execute(Command("FEAT"))
        features = Features.parse(feat) if feat.is_success else None
        if features is not None and features.host:
            self._execute(Command.host(settings.host))  # whatever it answers, on it goes
        if settings.tls is TlsMode.AUTO and (features is None or features.auth_tls):
            return  # AUTH TLS comes next
        reply = self._execute(Command.user(settings.user))
        if reply.code != 331:
            return
        password = settings.password
        if password is None:
            password = "anonymous@" if settings.user in ("anonymous", "ftp") else ""
        reply = self._execute(Command.password(password))
        if reply.code in (230, 202):
            self._after_login(features if features is not None else NO_FEATURES)

    def _after_login(self, features: Features) -> None:
        """:func:`client.engine.login._after_login`'s commands, decided by its rules."""
        feat = self._execute(Command("FEAT"))
        if feat.is_success:
            features = Features.parse(feat)
        if features.utf8 and self._encoding == "utf-8":
            self._execute(Command.opts("UTF8 ON"))
        mlst = mlst_facts_command(features)
        if mlst is not None:
            self._execute(mlst)
        self._execute(Command("SYST"))
        if not self._execute(Command.type_(True)).is_success:
            return  # the login stops there with its error
        self._execute(Command("PWD"))

    def _execute(self, command: Command) -> Reply:
        assert self.sock is not None
        self._take_unrequested()
        self.sock.sendall(command.to_bytes(self._encoding))
        self.steps.append(EarlyStep(command, None, time.monotonic()))
        return self._final_reply()

    def _take_unrequested(self) -> None:
        """Record the replies that arrived before the next command is sent: nothing asked
        for them, and the control connection ignores them as it would have, had they
        arrived on its own watch. A ``ProtocolError`` (not FTP) ends the early part."""
        sock = self.sock
        assert sock is not None
        timeout = sock.gettimeout()
        sock.settimeout(0.0)
        try:
            while True:
                try:
                    data = sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    break
                if not data:
                    break  # the server closed: the session meets the end itself
                self.parser.feed(data)
        finally:
            sock.settimeout(timeout)
        self._parse_unrequested()

    def _parse_unrequested(self) -> None:
        if self.steps and self.steps[-1].is_timeout:
            return
        while (reply := self.parser.next_reply()) is not None:
            self.steps.append(EarlyStep(None, reply, time.monotonic()))
            if reply.code == 421:
                raise _Stop

    def _final_reply(self) -> Reply:
        """The next reply that is not preliminary (1xx replies are recorded too)."""
        assert self.sock is not None
        while True:
            reply = self.parser.next_reply()
            if reply is None:
                data = self.sock.recv(65536)
                if not data:
                    raise _Stop
                self.parser.feed(data)
                continue
            self.steps.append(EarlyStep(None, reply, time.monotonic()))
            if reply.code == 421:
                raise _Stop
            if not reply.is_preliminary:
                return reply


def start_early_login(settings: object) -> EarlyLogin | None:
    """An :class:`EarlyLogin` for ``settings`` when the login can start before the engine
    loads: plain FTP or TLS only if offered, no proxy. None otherwise (the session then
    does everything itself)."""
    if not isinstance(settings, ConnectionSettings) or settings.proxy is not None:
        return None
    if settings.tls not in (TlsMode.OFF, TlsMode.AUTO):
        return None
    return EarlyLogin(settings)
