"""The window's handle on the engine: one browsing session, serialised.

A control connection does one thing at a time, so every operation takes a lock; widgets
call these coroutines and never touch the session. The session is a
:class:`~client.engine.remotefs.RemoteFileSystem` made by a session factory (FTP by
default); what only FTP offers goes through :attr:`RemoteConnection.ftp`, None for a
session without it. Every session (browsing and the queue's workers) emits on the one
:class:`EventBus` the bridge observes, so the console shows all of them on one clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from client.engine.events import EventBus, TransferProgress
from client.engine.remotefs import FtpControls, RemoteFileSystem, ftp_controls
from client.engine.session import FtpSession
from client.engine.settings import CommandFamily, ConnectionSettings, TransferMode
from client.engine.sftp.settings import SftpSettings
from client.protocol.listing import ListingResult
from client.protocol.replies import Reply

__all__ = ["NotConnectedError", "NotOfferedError", "RemoteConnection", "SessionFactory",
           "ftp_session_factory"]

log = logging.getLogger(__name__)
T = TypeVar("T")


#: Makes an unconnected session for settings, on the window's bus, with the window's
#: certificate trust.
SessionFactory = Callable[[ConnectionSettings, EventBus, Any], RemoteFileSystem]


def ftp_session_factory(settings: ConnectionSettings, bus: EventBus,
                        trust: Any) -> RemoteFileSystem:
    """An FTP/FTPS session (the default)."""
    pin_store = getattr(trust, "pin_store", None)
    return FtpSession(settings, bus=bus, trust=trust, pin_store=pin_store)


class NotConnectedError(RuntimeError):
    """An operation was asked for while no session is open."""


class NotOfferedError(RuntimeError):
    """An FTP-only operation was asked of a session that is not FTP."""


class RemoteConnection(QObject):
    connected = Signal(str)  # "host:port" of the server
    disconnected = Signal()
    busy_changed = Signal(bool)
    mode_changed = Signal(object)  # TransferMode
    commands_changed = Signal(object)  # CommandFamily

    def __init__(self, bus: EventBus, *, trust: object | None = None,
                 session_factory: SessionFactory = ftp_session_factory,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bus = bus
        self.trust = trust
        self.session_factory = session_factory
        self.settings: ConnectionSettings | SftpSettings | None = None
        self.session: RemoteFileSystem | None = None
        self._lock = asyncio.Lock()
        self._busy = 0
        #: the task running an operation now (the hung-listing banner can cancel it)
        self.current_task: asyncio.Task[Any] | None = None
        #: the bus name ("c3") of the browsing session, from the start of its login: the
        #: status bar follows it, not the queue's or Diagnose's sessions on the same bus
        self.connection_id: str | None = None

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def is_connected(self) -> bool:
        return self.session is not None

    @property
    def ftp(self) -> FtpControls | None:
        """The open session's FTP-only controls (None: not connected, or not FTP)."""
        return ftp_controls(self.session)

    @property
    def busy(self) -> bool:
        """An operation of the window's is running on the browsing session."""
        return self._busy > 0

    def new_session(self, settings: ConnectionSettings | None = None) -> RemoteFileSystem:
        """A fresh engine session on the shared bus (the queue's workers use this too)."""
        settings = settings or self.settings
        if settings is None:
            raise NotConnectedError("no site is open")
        return self.session_factory(settings, self.bus, self.trust)

    async def open_session(self) -> RemoteFileSystem:
        """A connected extra session with the current settings (for the transfer queue)."""
        session = self.new_session()
        await session.connect()
        return session

    async def connect(self, settings: ConnectionSettings) -> None:
        """Open the browsing session (the engine's login already asked PWD; the first
        listing uses that answer, ``FtpSession.current_directory``)."""
        await self.disconnect()
        self.settings = settings
        session = self.new_session(settings)
        self.connection_id = session.connection_id
        async with self._busy_login():
            try:
                await session.connect()
            except BaseException:
                await _quietly(session.close())
                raise
        logged_in = getattr(session, "settings", None)
        if isinstance(logged_in, SftpSettings):  # with the password the person typed
            self.settings = logged_in
        self.session = session
        self.connected.emit(f"{settings.host}:{settings.port}")

    async def disconnect(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            await _quietly(session.close())
            self.disconnected.emit()

    def set_mode(self, mode: TransferMode) -> None:
        """Passive/Active for the next data connection (the current one is not touched)."""
        if isinstance(self.settings, ConnectionSettings):
            self.settings = self.settings.replace(mode=mode)
        ftp = self.ftp
        if ftp is not None:
            ftp.mode = mode
        self.mode_changed.emit(mode)

    def set_commands(self, family: CommandFamily) -> None:
        """Classic (PASV/PORT) or extended (EPSV/EPRT) commands for the next data
        connection, like :meth:`set_mode`."""
        if isinstance(self.settings, ConnectionSettings):
            self.settings = self.settings.with_commands(family)
        ftp = self.ftp
        if ftp is not None:
            ftp.set_commands(family)
        self.commands_changed.emit(family)

    # -- operations ----------------------------------------------------------------------
    async def run(self, work: Callable[[RemoteFileSystem], Awaitable[T]]) -> T:
        """Run several session calls as one unit (nothing interleaves)."""
        async with self._guard() as session:
            return await work(session)

    async def list(self, path: str | None = None) -> ListingResult:
        async with self._guard() as session:
            return await session.list(path)

    async def stat_listing(self, path: str | None = None) -> ListingResult:
        """A listing over the control connection (no data connection at all)."""
        async with self._guard() as session:
            return await _ftp_of(session, "a listing over the control connection"
                                 ).stat_listing(path)

    async def mkdir(self, path: str) -> str:
        async with self._guard() as session:
            return await session.mkdir(path)

    async def rename(self, old: str, new: str) -> None:
        async with self._guard() as session:
            await session.rename(old, new)

    async def quote(self, command_line: str) -> Reply:
        """A raw command typed by the user."""
        async with self._guard() as session:
            return await _ftp_of(session, "a raw command").quote(command_line)

    async def download(self, remote: str, local: Path,
                       on_progress: Callable[[TransferProgress], None] | None = None
                       ) -> object:
        async with self._guard() as session:
            return await session.download(remote, local, on_progress=on_progress)

    async def upload(self, local: Path, remote: str,
                     on_progress: Callable[[TransferProgress], None] | None = None
                     ) -> object:
        async with self._guard() as session:
            return await session.upload(local, remote, on_progress=on_progress)

    @contextlib.asynccontextmanager
    async def _guard(self) -> AsyncIterator[RemoteFileSystem]:
        """The lock plus the busy signal (the window shows a busy cursor, never freezes);
        yields the open session, or raises :class:`NotConnectedError`."""
        async with self._lock:
            self.current_task = asyncio.current_task()
            self._busy += 1
            if self._busy == 1:
                self.busy_changed.emit(True)
            try:
                if self.session is None:
                    raise NotConnectedError("not connected: connect to a server first")
                yield self.session
            finally:
                self.current_task = None
                self._busy -= 1
                if self._busy == 0:
                    self.busy_changed.emit(False)

    @contextlib.asynccontextmanager
    async def _busy_login(self) -> AsyncIterator[None]:
        """The lock and the busy signal while a new session logs in (none is open yet)."""
        async with self._lock:
            self._busy += 1
            if self._busy == 1:
                self.busy_changed.emit(True)
            try:
                yield
            finally:
                self._busy -= 1
                if self._busy == 0:
                    self.busy_changed.emit(False)


def _ftp_of(session: RemoteFileSystem, what: str) -> FtpControls:
    ftp = ftp_controls(session)
    if ftp is None:
        raise NotOfferedError(f"{what} is an FTP command; this session is not FTP")
    return ftp


async def _quietly(awaitable: Awaitable[object]) -> None:
    try:
        await asyncio.wait_for(awaitable, 5)
    except Exception as exc:  # noqa: BLE001 - closing must not raise over the real error
        log.debug("ignored while closing: %s", exc)
