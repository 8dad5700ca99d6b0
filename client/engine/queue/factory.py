"""Sessions for the queue by protocol: the settings' type says which engine connects
(FTP/FTPS: :class:`~client.engine.session.FtpSession`; SFTP:
:class:`~client.engine.sftp.session.SftpSession`), so a queue of SFTP jobs opens as
many SSH connections as it has workers, exactly as it opens FTP control connections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from client.engine.events import EventBus
from client.engine.remotefs import RemoteFileSystem
from client.engine.settings import ConnectionSettings
from client.engine.sftp.settings import SftpSettings

__all__ = ["session_factory", "new_session"]


def new_session(settings: ConnectionSettings | SftpSettings, *, bus: EventBus,
                **collaborators: Any) -> RemoteFileSystem:
    """An unconnected session for ``settings``. ``collaborators`` go to the engine that
    takes them: ``trust``/``pin_store`` (FTP), ``host_keys``/``ask_host_key``/``ask_secret`` (SFTP)."""
    if isinstance(settings, SftpSettings):
        from client.engine.sftp.session import SftpSession

        return SftpSession(settings, bus=bus, host_keys=collaborators.get("host_keys"),
                           ask_host_key=collaborators.get("ask_host_key"),
                           ask_secret=collaborators.get("ask_secret"))
    from client.engine.session import FtpSession

    return FtpSession(settings, bus=bus, trust=collaborators.get("trust"),
                      pin_store=collaborators.get("pin_store"))


def session_factory(settings: ConnectionSettings | SftpSettings, *, bus: EventBus,
                    **collaborators: Any) -> Callable[[], Awaitable[RemoteFileSystem]]:
    """What :class:`~client.engine.queue.TransferQueue` takes: each call connects a new
    session of the settings' protocol."""

    async def connect() -> RemoteFileSystem:
        session = new_session(settings, bus=bus, **collaborators)
        try:
            await session.connect()
        except BaseException:
            await session.close()
            raise
        return session

    return connect
