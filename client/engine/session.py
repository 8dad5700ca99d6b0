"""FtpSession: one control connection, logged in, with the file operations on top.

The session owns the control connection, what was learned about the server (FEAT,
which passive/active commands work) and the TLS context its data connections resume.
Connect/login is in :mod:`client.engine.login`, listings in :mod:`client.engine.listing`,
downloads and uploads in :mod:`client.engine.download` and :mod:`client.engine.upload`
(one object per transfer), checksums in :mod:`client.engine.verify`; this module holds
the state, the simple commands and the fallback to the other transfer mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from client.engine.control import ControlConnection
from client.engine.data.channel import FALLBACK_FAILURES, ChannelSetup, ModeMemory
from client.engine.download import Download
from client.engine.errors import (
    CommandFailedError,
    ConnectionLostError,
    DataChannelError,
    FtpError,
)
from client.engine.events import (
    Endpoint,
    EventBus,
    Notice,
    NoticeKind,
    SessionState,
    SessionStateChanged,
    TlsEstablished,
    TransferProgress,
)
from client.engine.file_facts import read_mdtm, read_mdtm_pipelined, read_size
from client.engine.keepalive import KeepAlive
from client.engine.localpaths import as_path
from client.engine.login import login
from client.engine.ratelimit import SpeedLimiter, shared_limiter
from client.engine.settings import CommandFamily, ConnectionSettings, TransferMode
from client.engine.tls import SessionResumingContext
from client.engine.transfer import TransferResult
from client.protocol.annotate import Severity
from client.protocol.charsets import AUTO, normalize_charset, wire_charset
from client.protocol.commands import Command
from client.protocol.errors import CommandArgumentError, ProtocolError
from client.protocol.features import NO_FEATURES, Features
from client.protocol.paths import join_remote, parse_257
from client.protocol.replies import Reply
from client.protocol.text import escape_control

__all__ = ["FtpSession", "TransferResult"]

if TYPE_CHECKING:  # the guess is made (and its module loaded) by the first listing
    from client.engine.early_login import EarlyLogin
    from client.engine.trust import CertificateInfo, CertificateTrust, PinStore
    from client.protocol.charset_guess import CharsetGuess

T = TypeVar("T")


class FtpSession:
    """An FTP/FTPS session: the façade the front ends use (docs/guide/engine.md).

    Every operation takes the control connection's lock, so operations from several
    tasks are serialised, one command in flight at a time. Cancelling a transfer's task
    sends ABOR and keeps the ``.part`` file for resume.
    """

    def __init__(self, settings: ConnectionSettings, *, bus: EventBus | None = None,
                 trust: CertificateTrust | None = None,
                 pin_store: PinStore | None = None,
                 early_login: EarlyLogin | None = None) -> None:
        self.settings = settings
        #: a login already under way on its own connection (the command line starts one
        #: while the engine loads); the first connect takes it over
        self._early_login = early_login
        self.bus = bus if bus is not None else EventBus()
        self.trust = trust
        self.pin_store = pin_store
        self.connection_id = self.bus.next_connection_id()
        self.features: Features = NO_FEATURES
        self.state = SessionState.DISCONNECTED
        self.mode: TransferMode = settings.mode
        self.tls_info: TlsEstablished | None = None
        self.certificate: CertificateInfo | None = None
        self.banner: str | None = None
        self.system: str | None = None  # the SYST answer, e.g. "UNIX Type: L8"
        self.memory = ModeMemory()
        #: the charset chosen for this session ("auto" or a charset name) and, in "auto",
        #: the one the listings' bytes suggest (offered to the user, never applied alone)
        self.charset = normalize_charset(settings.encoding)
        self.charset_guess: CharsetGuess | None = None
        self.control = ControlConnection(bus=self.bus, connection_id=self.connection_id,
                                          encoding=wire_charset(self.charset),
                                          timeout=settings.control_timeout)
        self.control.on_failure = self._control_failed
        self.control_context: SessionResumingContext | None = None
        self.data_protected = False
        self.binary = True
        self.cwd_cache: str | None = None
        #: paces file transfers (the process's global and per-transfer speed limits)
        self.limiter: SpeedLimiter = shared_limiter()
        self._keepalive: KeepAlive | None = None
        self._closed = False

    # ------------------------------------------------------------------ properties
    @property
    def closed(self) -> bool:
        """close() was called (the keep-alive stops, a lost connection is expected)."""
        return self._closed

    @property
    def _keepalive_noop(self) -> bool:
        """The keep-alive's NOOP holds the lock (not the person)."""
        return self._keepalive is not None and self._keepalive.sending

    @property
    def server(self) -> Endpoint | None:
        return self.control.server

    @property
    def local(self) -> Endpoint | None:
        return self.control.local

    @property
    def current_directory(self) -> str | None:
        """The last directory PWD reported (no round trip)."""
        return self.cwd_cache

    @property
    def answers_size(self) -> bool:
        """The server offers SIZE (one line on the control connection)."""
        return self.features.size

    @property
    def answers_mtime(self) -> bool:
        """The server offers MDTM."""
        return self.features.mdtm

    @property
    def wire_charset(self) -> str:
        """The charset commands, 257 replies and listings use now."""
        return wire_charset(self.charset)

    def set_charset(self, name: str) -> str:
        """Use ``name`` ("auto" or a charset) for names from now on, without a new
        login; returns the name as stored. Raises CharsetError for an unknown one."""
        self.charset = normalize_charset(name)
        self.settings = self.settings.replace(encoding=self.charset)
        self.control.set_encoding(self.wire_charset)
        if self.charset != AUTO:
            self.charset_guess = None
        return self.charset

    def set_commands(self, family: CommandFamily) -> None:
        """Ask for ``family`` on the next data connections (no new login): what the
        session learned about the server's refusals is forgotten, since the user asked
        for these commands now."""
        self.settings = self.settings.with_commands(family)
        self.memory = ModeMemory()

    # ------------------------------------------------------------------ internals
    def take_early_login(self) -> EarlyLogin | None:
        """The early login for the first connect (None afterwards, and normally)."""
        early, self._early_login = self._early_login, None
        return early

    def new_control(self) -> None:
        if self.control.transport is not None:
            self.control.abort()
        self.control = ControlConnection(bus=self.bus, connection_id=self.connection_id,
                                          encoding=self.wire_charset,
                                          timeout=self.settings.control_timeout)
        self.control.on_failure = self._control_failed
        if self.control.context is not None:
            self.control.context.pasv_policy = self.settings.pasv_policy

    def set_state(self, state: SessionState, detail: str | None = None) -> None:
        self.state = state
        if not self.bus.wants(SessionStateChanged):
            return
        self.bus.emit(SessionStateChanged(t=self.bus.now(), connection=self.connection_id,
                                          state=state, server=self.server, local=self.local,
                                          detail=detail))

    def _control_failed(self, error: Exception) -> None:
        """The server closed or broke the control connection (421, FIN, RST, bytes that
        are not FTP). Said at once, not at the next command: the state becomes FAILED
        (the status bar stops saying "Ready") and, when no command of the user's is
        waiting for a reply (that command reports the error itself), a Notice says what
        happened, with the server's 421 text."""
        if self._closed or self.state not in (SessionState.READY, SessionState.BUSY):
            return  # closing, or still logging in (login reports its own failure)
        message = error.message if isinstance(error, FtpError) else str(error)
        if not self.control.lock.locked() or self._keepalive_noop:
            when = "during the keep-alive NOOP" if self._keepalive_noop else "while idle"
            idle = time.monotonic() - self.control.last_activity
            timer = ""
            if idle >= 1 and not self._keepalive_noop:
                timer = (f"; it had been idle for {idle:.0f} s: if a NAT router or firewall "
                         "forgets idle connections, a keep-alive interval below that "
                         f"(e.g. {max(1, int(idle / 2))} s) keeps it")
            self.notice(f"{message} ({when}){timer}; reconnect to continue",
                         NoticeKind.CONNECTION_LOST, Severity.WARNING)
        self.set_state(SessionState.FAILED, detail=message)

    def notice(self, text: str, kind: NoticeKind = NoticeKind.INFO, severity: Severity = Severity.INFO) -> None:
        self.bus.emit(Notice(t=self.bus.now(), connection=self.connection_id,
                             severity=severity, text=text, kind=kind))

    def channel_setup(self, mode: TransferMode | None = None) -> ChannelSetup:
        context = self.control_context if self.data_protected else None
        return ChannelSetup(
            control=self.control, bus=self.bus, settings=self.settings,
            mode=mode or self.mode, memory=self.memory, tls_context=context,
            server_hostname=self.settings.host.strip("[]") if context is not None else None,
            control_fingerprint=self.certificate.fingerprint_sha256 if self.certificate else None,
        )

    def _ensure_ready(self) -> None:
        if self.state in (SessionState.DISCONNECTED, SessionState.CLOSING) or self._closed:
            raise ConnectionLostError("the session is not connected", step="session")
        if not self.control.is_open:
            if self.state is not SessionState.FAILED:
                self.set_state(SessionState.FAILED, detail="control connection lost")
            raise ConnectionLostError("the control connection is no longer open; reconnect",
                                      step="session")

    @contextlib.asynccontextmanager
    async def locked(self, busy: bool = False):
        self._ensure_ready()
        async with self.control.lock:
            self._ensure_ready()
            if busy:
                self.set_state(SessionState.BUSY)
            try:
                yield self.control
            except ConnectionLostError:
                if self.state is not SessionState.FAILED:  # not yet said by _control_failed
                    self.set_state(SessionState.FAILED, detail="control connection lost")
                raise
            finally:
                if busy and self.state is SessionState.BUSY:
                    self.set_state(SessionState.READY)

    async def _command(self, command: Command, *, step: str | None = None,
                       expect: tuple[int, ...] = (2,)) -> Reply:
        async with self.locked():
            return await self.command_locked(command, step=step, expect=expect)

    async def command_locked(self, command: Command, *, step: str | None = None,
                              expect: tuple[int, ...] = (2,)) -> Reply:
        reply = await self.control.execute(command, step=step or command.verb)
        if reply.category not in expect and reply.code not in expect:
            raise CommandFailedError(
                f"{command.display} failed: the server answered {reply.code} "
                f"{escape_control(reply.text)}", reply_code=reply.code,
                reply_text=escape_control(reply.text), command=command.display,
                step=step or command.verb)
        return reply

    def path_command(self, verb: str, path: str) -> Command:
        try:
            return Command.with_path(verb, path)
        except CommandArgumentError as exc:
            raise FtpError(str(exc), step=verb) from None

    async def with_fallback(self, operation: Callable[[TransferMode], Awaitable[T]]) -> T:
        """Run a data operation; on a connectivity failure and ``settings.fallback``,
        retry once in the other mode (announced as a Notice of kind "fallback"). The
        mode that worked is kept for the rest of the session."""
        mode = self.mode
        try:
            return await operation(mode)
        except DataChannelError as error:
            if (not self.settings.fallback or error.failure not in FALLBACK_FAILURES
                    or self.settings.tunnel is not None):  # no active mode through a tunnel
                raise
            if not self.control.is_open:
                raise
            other = TransferMode.ACTIVE if mode is TransferMode.PASSIVE else TransferMode.PASSIVE
            self.notice(f"{mode.value} mode failed ({error.failure.value}); retrying once in "
                         f"{other.value} mode", NoticeKind.FALLBACK, Severity.WARNING)
            result = await operation(other)
            self.mode = other
            self.notice(f"{other.value} mode worked; using it for the rest of this session",
                         NoticeKind.FALLBACK)
            return result

    # ------------------------------------------------------------------ lifecycle
    async def connect(self) -> None:
        self._closed = False
        try:
            await login(self)
        except BaseException as exc:
            self.control.abort()
            detail = exc.message if isinstance(exc, FtpError) else type(exc).__name__
            self.set_state(SessionState.FAILED, detail=detail)
            if isinstance(exc, ProtocolError):
                raise FtpError(str(exc), step="login") from exc
            raise
        self.set_state(SessionState.READY)
        interval = self.settings.keepalive_interval
        if interval:
            self._keepalive = KeepAlive(self, interval)

    async def close(self) -> None:
        """QUIT with a bounded wait, then close. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._keepalive is not None:
            await self._keepalive.stop()
        control = self.control
        if control.resync is not None:
            # the server has not answered an ABOR yet: QUIT would wait behind it
            control.resync.cancel()
            with contextlib.suppress(BaseException):
                await control.resync
        elif control.is_open and not control.lock.locked():
            self.state = SessionState.CLOSING
            self.bus.emit(SessionStateChanged(t=self.bus.now(), connection=self.connection_id,
                                              state=SessionState.CLOSING))
            try:
                async with asyncio.timeout(min(2.0, self.settings.control_timeout)):
                    async with control.lock:
                        await control.execute(Command("QUIT"), step="quit")
            except (FtpError, TimeoutError, OSError):
                pass
        control.close()
        self.set_state(SessionState.DISCONNECTED)

    async def __aenter__(self) -> FtpSession:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ navigation
    async def pwd_locked(self) -> str:
        reply = await self.command_locked(Command("PWD"), step="pwd")
        try:
            return parse_257(reply.decoded(self.wire_charset))
        except ProtocolError as exc:
            raise FtpError(f"could not read the directory from the PWD reply: {exc}",
                           step="pwd") from None

    async def pwd(self) -> str:
        async with self.locked():
            self.cwd_cache = await self.pwd_locked()
            return self.cwd_cache

    async def cwd(self, path: str) -> str:
        async with self.locked():
            await self.command_locked(self.path_command("CWD", path), step="cwd")
            self.cwd_cache = await self.pwd_locked()
            return self.cwd_cache

    async def cdup(self) -> str:
        async with self.locked():
            await self.command_locked(Command("CDUP"), step="cdup")
            self.cwd_cache = await self.pwd_locked()
            return self.cwd_cache

    async def noop(self) -> Reply:
        return await self._command(Command("NOOP"), step="noop")

    # ------------------------------------------------------------------ file operations
    async def mkdir(self, path: str) -> str:
        """MKD; returns the path the server reports (or ``path`` joined to the cwd)."""
        reply = await self._command(self.path_command("MKD", path), step="mkdir")
        try:
            made = parse_257(reply.decoded(self.wire_charset))
        except ProtocolError:
            made = path
        if not made.startswith("/"):
            made = path if path.startswith("/") else join_remote(self.cwd_cache or "/", made)
        return made

    async def rmdir(self, path: str) -> None:
        await self._command(self.path_command("RMD", path), step="rmdir")

    async def delete(self, path: str) -> None:
        await self._command(self.path_command("DELE", path), step="delete")

    async def rename(self, old: str, new: str) -> None:
        # Both commands are built (and checked for CR/LF/NUL) before RNFR goes out, so a
        # refused new name never leaves the server waiting for an RNTO.
        rename_from = self.path_command("RNFR", old)
        rename_to = self.path_command("RNTO", new)
        async with self.locked():
            await self.command_locked(rename_from, step="rename", expect=(3,))
            await self.command_locked(rename_to, step="rename")

    async def chmod(self, path: str, mode: int) -> None:
        await self._command(self.path_command("SITE", f"CHMOD {mode:o} {path}"), step="chmod")

    async def size(self, path: str) -> int | None:
        """SIZE in bytes, or None when the server cannot tell (no SIZE, or refused)."""
        async with self.locked():
            return await self.size_locked(path)

    async def size_locked(self, path: str) -> int | None:
        return await read_size(self.control, self.path_command("SIZE", path))

    async def mdtm(self, path: str) -> _dt.datetime | None:
        """MDTM as an aware UTC datetime (RFC 3659 §3), or None if unavailable."""
        async with self.locked():
            return await self.mdtm_locked(path)

    async def mdtm_many(self, paths: list[str]) -> list[_dt.datetime | None]:
        """MDTM of each path, pipelined (see :func:`read_mdtm_pipelined`)."""
        commands = [self.path_command("MDTM", path) for path in paths]
        async with self.locked():
            return await read_mdtm_pipelined(self.control, commands)

    async def mdtm_locked(self, path: str) -> _dt.datetime | None:
        return await read_mdtm(self.control, self.path_command("MDTM", path))

    async def quote(self, command_line: str) -> Reply:
        """Send a raw command typed by the user; returns its final reply (any code)."""
        line = command_line.strip()
        verb, _, argument = line.partition(" ")
        try:
            command = Command(verb.upper(), argument if argument else None)
        except CommandArgumentError as exc:
            raise FtpError(str(exc), step="quote") from None
        async with self.locked():
            return await self.control.execute(command, step="quote")

    # ------------------------------------------------------------------ listings
    # The listing code (and the parsers under it) loads on the first listing: a plain
    # get or put never needs it.
    async def list(self, path: str | None = None):  # -> ListingResult
        from client.engine.listing import list_directory

        return await list_directory(self, path)

    async def stat(self, path: str):  # -> ListingEntry | None
        from client.engine.listing import stat_path

        return await stat_path(self, path)

    async def stat_listing(self, path: str | None = None):  # -> ListingResult
        from client.engine.listing import stat_listing

        return await stat_listing(self, path)

    # ------------------------------------------------------------------ transfers
    async def download(self, remote: str, local: Path, *, resume: bool = False,
                       on_progress: Callable[[TransferProgress], None] | None = None,
                       ascii: bool = False, verify: bool = False,
                       preserve_time: bool = True,
                       transfer_id: int | None = None,
                       known_size: int | None = None,
                       known_mtime: _dt.datetime | None = None) -> TransferResult:
        return await Download(self, remote, as_path(local), resume=resume,
                              on_progress=on_progress, ascii=ascii, verify=verify,
                              preserve_time=preserve_time, transfer_id=transfer_id,
                              known_size=known_size, known_mtime=known_mtime).run()

    async def upload(self, local: Path, remote: str, *, resume: bool = False,
                     on_progress: Callable[[TransferProgress], None] | None = None,
                     ascii: bool = False, verify: bool = False, preserve_time: bool = True,
                     transfer_id: int | None = None) -> TransferResult:
        from client.engine.upload import Upload  # a download never needs it

        return await Upload(self, Path(local), remote, resume=resume,
                            on_progress=on_progress, ascii=ascii, verify=verify,
                            preserve_time=preserve_time, transfer_id=transfer_id).run()

