"""The quickconnect history: the last servers connected to by hand, newest first.

A JSON file in the config folder (``quickconnect.json``), Qt-free like the site store so
either front end can read it. An entry has no password field at all: the history can
never hold one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from client.config.appdirs import config_dir
from client.config.jsonfile import write_json_atomically
from client.engine.schemes import Protocol
from client.engine.settings import CommandFamily, ConnectionSettings, TlsMode, TransferMode
from client.engine.sftp.settings import SftpSettings

__all__ = ["HISTORY_LIMIT", "QuickconnectHistory", "RecentServer"]

log = logging.getLogger(__name__)

#: How many servers the history keeps.
HISTORY_LIMIT = 10
_FILE_VERSION = 1


@dataclass(frozen=True)
class RecentServer:
    """One server of the history: where, who, and how (never a password)."""

    host: str
    port: int
    user: str = "anonymous"
    tls: TlsMode = TlsMode.AUTO
    mode: TransferMode = TransferMode.PASSIVE
    commands: CommandFamily = CommandFamily.CLASSIC
    #: FTP (and FTPS: see ``tls``) or SFTP (``tls``, ``mode`` and ``commands`` unused)
    protocol: Protocol = Protocol.FTP

    @classmethod
    def of(cls, settings: ConnectionSettings | SftpSettings) -> RecentServer:
        if isinstance(settings, SftpSettings):
            return cls(settings.host, settings.port, settings.user, protocol=Protocol.SFTP)
        return cls(settings.host, settings.port, settings.user, settings.tls, settings.mode,
                   settings.commands)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data.update(tls=self.tls.value, mode=self.mode.value, commands=self.commands.value,
                    protocol=self.protocol.value)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> RecentServer:
        """An entry from the file; unknown keys are ignored, unknown values fall back to
        the defaults; ValueError when host or port is missing or not usable."""
        host, port = data.get("host"), data.get("port")
        if not isinstance(host, str) or not host or not isinstance(port, int | str):
            raise ValueError("a history entry needs a host and a port")
        return cls(host, int(port), str(data.get("user") or "anonymous"),
                   _enum(TlsMode, data.get("tls"), TlsMode.AUTO),
                   _enum(TransferMode, data.get("mode"), TransferMode.PASSIVE),
                   _enum(CommandFamily, data.get("commands"), CommandFamily.CLASSIC),
                   Protocol.SFTP if data.get("protocol") == Protocol.SFTP.value
                   else Protocol.FTP)


E = TypeVar("E")


def _enum(kind: Callable[[Any], E], value: object, default: E) -> E:
    try:
        return kind(value)
    except ValueError:
        return default


def _servers(items: Iterable[object]) -> list[RecentServer]:
    servers: list[RecentServer] = []
    for item in items:
        if isinstance(item, Mapping):
            try:
                servers.append(RecentServer.from_json(item))
            except ValueError:
                continue
    return servers


class QuickconnectHistory:
    """Load and change the history file (``quickconnect.json`` in the config folder)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or (config_dir() / "quickconnect.json")

    def load(self) -> list[RecentServer]:
        """The servers, newest first; a missing or unreadable file is an empty history."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("quickconnect history %s is not readable (%s); starting empty",
                        self.path, exc)
            return []
        items = data.get("servers", []) if isinstance(data, dict) else []
        return _servers(items if isinstance(items, list) else [])

    def remember(self, server: RecentServer) -> None:
        """Put ``server`` first (once), keeping the newest :data:`HISTORY_LIMIT`."""
        rest = [s for s in self.load() if s != server]
        self._save([server, *rest][:HISTORY_LIMIT])

    def import_once(self, items: Iterable[object]) -> bool:
        """Take over a history kept elsewhere before (JSON-like dicts), only when this
        file does not exist yet; returns whether it did. Passwords are never read."""
        if self.path.exists():
            return False
        self._save(_servers(items)[:HISTORY_LIMIT])
        return True

    def _save(self, servers: list[RecentServer]) -> None:
        write_json_atomically(self.path, {"version": _FILE_VERSION,
                                          "servers": [s.to_json() for s in servers]})
