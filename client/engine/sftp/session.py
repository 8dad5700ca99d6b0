"""``SftpSession``: the remote-file-system interface over SFTP on one SSH connection.

Same shape as :class:`client.engine.session.FtpSession` for the panes and the queue
(connect, list, stat, download to ``NAME.part``, upload with resume, mkdir, rename …),
plus ``chmod`` and ``symlink``. Transfers are SFTP READ/WRITE requests inside the SSH
connection: many are kept in flight at once (``SftpSettings.max_requests``), which is
what makes SFTP fast on a link with latency.

Host keys: an unknown key raises :class:`UnknownHostKeyError` (policy STRICT), or is
put to ``ask_host_key`` (policy ASK: trust once / always / refuse, then the session
connects again with the answer), or is stored (ACCEPT_NEW). A CHANGED key always raises
:class:`ChangedHostKeyError`. See :mod:`client.engine.sftp.events` for what is emitted;
:mod:`client.engine.sftp.connecting` dials and turns connect failures into typed errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import asyncssh

from client.engine.errors import ConnectError, ConnectionLostError
from client.engine.events import (
    Endpoint,
    EventBus,
    SessionState,
    SessionStateChanged,
    TransferProgress,
)
from client.engine.ratelimit import SpeedLimiter, shared_limiter
from client.engine.schemes import Protocol
from client.engine.sftp.attrs import entry_from_attrs
from client.engine.sftp.connecting import open_ssh_connection
from client.engine.sftp.credentials import (
    MAX_PASSWORD_TRIES,
    AskSecret,
    SecretKind,
    SecretRequest,
    unlock_key_files,
)
from client.engine.sftp.errors import (
    SftpStatusError,
    SshAuthError,
    UnknownHostKeyError,
)
from client.engine.sftp.handshake import (
    Handshake,
    OfferedKey,
    agent_keys,
    load_key_files,
)
from client.engine.sftp.hostkeys import HostKeyJudge, TrustChoice
from client.engine.sftp.requests import RequestLog
from client.engine.sftp.settings import HostKeyPolicy, SftpSettings
from client.protocol.listing.entry import EntryKind, ListingEntry, ListingResult

__all__ = ["SftpSession", "SftpFeatures", "AskHostKey"]

#: Awaited with the refusal of an unknown key; returns what the user chose.
AskHostKey = Callable[[UnknownHostKeyError], Awaitable[TrustChoice]]

@dataclass(frozen=True)
class SftpFeatures:
    """What the queue asks of a session's features: SFTP always has sizes and times."""

    size: bool = True
    mdtm: bool = True
    mlst: bool = True


class SftpSession:
    protocol = Protocol.SFTP

    def __init__(self, settings: SftpSettings, *, bus: EventBus | None = None,
                 host_keys: HostKeyJudge | None = None,
                 ask_host_key: AskHostKey | None = None,
                 ask_secret: AskSecret | None = None) -> None:
        self.settings = settings
        #: asked for a key's passphrase and for the password (None: nobody to ask)
        self.ask_secret = ask_secret
        self.bus = bus or EventBus()
        self.connection = self.bus.next_connection_id()
        self.host_keys = host_keys
        self.ask_host_key = ask_host_key
        self.features = SftpFeatures()
        self.requests = RequestLog(self.bus, self.connection, settings.request_timeout)
        #: speed limits, shared with every FTP session of the process unless replaced
        self.limiter: SpeedLimiter = shared_limiter()
        self._state = SessionState.DISCONNECTED
        self._conn: asyncssh.SSHClientConnection | None = None
        self._sftp: asyncssh.SFTPClient | None = None
        self._handshake: Handshake | None = None
        self._keys: tuple[tuple[object, ...], list[OfferedKey]] | None = None
        #: the authentication attempts of the last connect ("publickey (…): rejected" …)
        self.auth_tried: tuple[str, ...] = ()

    # ------------------------------------------------------------------ state
    @property
    def connection_id(self) -> str:
        """The bus's name of this connection (``"c1"``), as on ``FtpSession``."""
        return self.connection

    @property
    def server(self) -> Endpoint | None:
        """The address the SSH connection reached (None before connecting)."""
        peer = self._conn.get_extra_info("peername") if self._conn is not None else None
        return Endpoint(str(peer[0]), int(peer[1])) if peer else None

    @property
    def current_directory(self) -> str | None:
        """Not known without asking: SFTP has no current folder (the window asks
        :meth:`pwd`, one REALPATH)."""
        return None

    @property
    def answers_size(self) -> bool:
        """:meth:`size` is one LSTAT that answers None for a missing file."""
        return True

    @property
    def answers_mtime(self) -> bool:
        """SFTP attributes carry exact modification times."""
        return True

    @property
    def state(self) -> SessionState:
        if self._state in (SessionState.READY, SessionState.BUSY) and (
                self._handshake is None or self._handshake.lost):
            return SessionState.FAILED
        return self._state

    def _set_state(self, state: SessionState, detail: str | None = None,
                   server: Endpoint | None = None, local: Endpoint | None = None) -> None:
        self._state = state
        self.bus.emit(SessionStateChanged(t=self.bus.now(), connection=self.connection,
                                          state=state, server=server, local=local,
                                          detail=detail))

    @property
    def sftp(self) -> asyncssh.SFTPClient:
        if self._sftp is None or self.state is SessionState.FAILED:
            raise ConnectionLostError("not connected to the SFTP server", step="connect")
        return self._sftp

    # ------------------------------------------------------------------ connect
    async def connect(self) -> None:
        self._set_state(SessionState.CONNECTING, detail=self.settings.target)
        try:
            settings, ask = self.settings, self.ask_secret
            if ask is not None:
                settings = await unlock_key_files(settings, ask)
            refused = False
            for tries in range(MAX_PASSWORD_TRIES + 1):
                try:
                    settings = await self._open_trusting(settings)
                    break
                except SshAuthError:
                    # OpenSSH's order: keys first; a password is asked only of a server
                    # that takes one (password or keyboard-interactive)
                    offered = self._handshake is not None and self._handshake.password_offered
                    if ask is None or not offered or tries == MAX_PASSWORD_TRIES:
                        raise
                    refused = refused or settings.password is not None
                    password = await ask(SecretRequest(SecretKind.PASSWORD, settings.host,
                                                       settings.port, settings.user,
                                                       refused=refused))
                    if password is None:
                        raise
                    settings, refused = settings.replace(password=password), True
            self.settings = settings  # the queue's sessions log in as this one did
        except BaseException as exc:
            self._set_state(SessionState.FAILED, detail=str(exc))
            raise

    async def _open_trusting(self, settings: SftpSettings) -> SftpSettings:
        """Open; an unknown host key is put to ``ask_host_key`` (policy ASK) and the
        connection opened again with the answer. Returns the settings that connected."""
        try:
            await self._open(settings)
            return settings
        except UnknownHostKeyError as unknown:
            if settings.host_key_policy is not HostKeyPolicy.ASK or \
                    self.ask_host_key is None:
                raise
            choice = await self.ask_host_key(unknown)
            if choice is TrustChoice.REFUSE:
                raise
            key = self._handshake.host_key if self._handshake else None
            if choice is TrustChoice.ALWAYS and self.host_keys and key is not None:
                self.host_keys.remember(settings.host, settings.port, key)
            settings = settings.replace(trusted_fingerprint=unknown.fingerprint)
            await self._open(settings)
            return settings

    async def _open(self, settings: SftpSettings) -> None:
        wanted = (settings.key_files, settings.key_passphrase, settings.key_passphrases)
        if self._keys is None or self._keys[0] != wanted:  # read once per connect
            # an encrypted key costs a second or more of bcrypt: off the event loop
            self._keys = (wanted, await asyncio.to_thread(
                load_key_files, settings.key_files, settings.key_passphrase,
                dict(settings.key_passphrases)))
        keys = list(self._keys[1])
        agent_list, agent = await agent_keys(settings.use_agent)
        try:
            handshake = Handshake(settings=settings, bus=self.bus, connection=self.connection,
                                  judge=self.host_keys, keys=keys + agent_list,
                                  asks=self.ask_host_key is not None)
            self._handshake = handshake
            known_types = ()
            if self.host_keys is not None and hasattr(self.host_keys, "known_types"):
                known_types = self.host_keys.known_types(settings.host, settings.port)
            conn = await open_ssh_connection(settings, handshake, known_types)
        except SshAuthError as refused:
            self.auth_tried = refused.tried
            raise
        finally:
            if agent is not None:
                agent.close()
        self.auth_tried = tuple(handshake.tried)
        self._conn = conn
        try:
            self._sftp = await conn.start_sftp_client(path_errors="surrogateescape")
        except (asyncssh.Error, OSError) as exc:
            conn.close()
            raise ConnectError(f"{settings.target} accepted the SSH login but not the SFTP "
                               f"subsystem: {exc}", step="sftp-init") from None
        self.requests.emit("INIT", "", f"VERSION {self._sftp.version}")
        peer = conn.get_extra_info("peername") or (settings.host, settings.port)
        if settings.proxy is not None:  # the socket's peer is the proxy, not the server
            peer = (settings.host, settings.port)
        sock = conn.get_extra_info("sockname")
        self._set_state(SessionState.READY, server=Endpoint(str(peer[0]), int(peer[1])),
                        local=Endpoint(str(sock[0]), int(sock[1])) if sock else None)

    async def close(self) -> None:
        if self._state is SessionState.DISCONNECTED:
            return
        self._state = SessionState.CLOSING
        if self._sftp is not None:
            self._sftp.exit()
        if self._conn is not None:
            self._conn.close()
            with contextlib.suppress(Exception):
                await self._conn.wait_closed()
        self._sftp = self._conn = None
        self._set_state(SessionState.DISCONNECTED)

    async def __aenter__(self) -> SftpSession:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ navigation
    async def pwd(self) -> str:
        return await self.requests.run("REALPATH", ".", self.sftp.getcwd(), step="pwd",
                                       result="name")

    async def cwd(self, path: str) -> str:
        sftp = self.sftp
        target = await self.requests.run("REALPATH", path, sftp.realpath(path), step="cwd",
                                         result="name")
        attrs = await self.requests.run("STAT", target, sftp.stat(target), step="cwd",
                                        result="attrs")
        if entry_from_attrs(target, attrs).kind is not EntryKind.DIR:
            raise SftpStatusError(status=19, server_text="", request=f"CWD {path}", step="cwd")
        await sftp.chdir(target)  # SFTP has no current folder: asyncssh keeps it for us
        return target

    async def noop(self) -> None:
        """A cheap request to see that the connection still answers."""
        await self.requests.run("REALPATH", ".", self.sftp.realpath("."), step="noop",
                                result="name")

    # ------------------------------------------------------------------ listings
    async def list(self, path: str | None = None) -> ListingResult:
        from client.engine.sftp.browse import list_directory

        return await list_directory(self, path or ".")

    async def stat(self, path: str) -> ListingEntry | None:
        from client.engine.sftp.browse import stat_entry

        return await stat_entry(self, path)

    async def size(self, path: str) -> int | None:
        entry = await self.stat(path)
        return entry.size if entry is not None else None

    async def mdtm(self, path: str) -> _dt.datetime | None:
        entry = await self.stat(path)
        return entry.modified if entry is not None else None

    async def mdtm_many(self, paths: list[str]) -> list[_dt.datetime | None]:
        """Times of several files, the LSTATs in flight together."""
        return list(await asyncio.gather(*(self.mdtm(path) for path in paths)))

    # ------------------------------------------------------------------ changes
    async def mkdir(self, path: str) -> str:
        await self.requests.run("MKDIR", path, self.sftp.mkdir(path), step="mkdir")
        return path

    async def rmdir(self, path: str) -> None:
        await self.requests.run("RMDIR", path, self.sftp.rmdir(path), step="rmdir")

    async def delete(self, path: str) -> None:
        await self.requests.run("REMOVE", path, self.sftp.remove(path), step="delete")

    async def rename(self, old: str, new: str) -> None:
        """posix-rename@openssh.com when offered (replaces an existing target, as FTP's
        RNTO does on most servers); else RENAME, which refuses an existing target."""
        sftp = self.sftp
        try:
            await self.requests.run("posix-rename@openssh.com", f"{old} -> {new}",
                                    sftp.posix_rename(old, new), step="rename")
        except SftpStatusError as exc:
            if exc.status != 8:  # SSH_FX_OP_UNSUPPORTED: the extension is not offered
                raise
            await self.requests.run("RENAME", f"{old} -> {new}", sftp.rename(old, new),
                                    step="rename")

    async def chmod(self, path: str, mode: int) -> None:
        await self.requests.run("SETSTAT", f"{path} mode={mode:04o}",
                                self.sftp.chmod(path, mode), step="chmod")

    async def symlink(self, target: str, link: str) -> None:
        """Create ``link`` pointing at ``target``."""
        await self.requests.run("SYMLINK", f"{link} -> {target}",
                                self.sftp.symlink(target, link), step="symlink")

    async def readlink(self, path: str) -> str:
        return await self.requests.run("READLINK", path, self.sftp.readlink(path),
                                       step="readlink", result="name")

    # ------------------------------------------------------------------ transfers
    async def download(self, remote: str, local: Path, *, resume: bool = False,
                       on_progress: Callable[[TransferProgress], None] | None = None,
                       preserve_time: bool = True, transfer_id: int | None = None,
                       **_options: Any) -> Any:
        from client.engine.sftp.transfers import download

        return await download(self, remote, Path(local), resume=resume,
                              on_progress=on_progress, preserve_time=preserve_time,
                              transfer_id=transfer_id)

    async def download_stream(self, remote: str, out: BinaryIO) -> int:
        """``remote``'s bytes written to ``out`` in order as they arrive (``cat``); see
        :mod:`client.engine.sftp.streaming`. Returns how many."""
        from client.engine.sftp.streaming import stream_download

        return await stream_download(self, remote, out)

    async def upload(self, local: Path, remote: str, *, resume: bool = False,
                     on_progress: Callable[[TransferProgress], None] | None = None,
                     preserve_time: bool = True, transfer_id: int | None = None,
                     **_options: Any) -> Any:
        from client.engine.sftp.transfers import upload

        return await upload(self, Path(local), remote, resume=resume,
                            on_progress=on_progress, preserve_time=preserve_time,
                            transfer_id=transfer_id)
