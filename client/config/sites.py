"""Saved sites as JSON in the config folder; their passwords only in the OS keyring.

No Qt here: the CLI resolves ``site:NAME`` URLs with :func:`SiteStore.find` and
:meth:`SiteStore.connection_settings` (FTP/FTPS) or :meth:`SiteStore.sftp_settings`
(SFTP sites: ``protocol`` is "sftp"; a key file and the SSH agent may log on instead
of, or before, the password).

The JSON file never holds a secret. A password lives in the keyring under service
``ftp-inspector`` with the site's id as the user name. When no usable keyring backend
exists (``keyring_available()`` is False), the site manager offers "ask for password"
instead of storing the password anywhere.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import keyring
import keyring.errors

from client.config.appdirs import config_dir
from client.config.bookmarks import Bookmark, bookmarks_from_json
from client.config.jsonfile import write_json_atomically
from client.config.proxies import ProxyStore, normalise_choice, site_proxy_key
from client.engine.schemes import Protocol
from client.engine.settings import CommandFamily, ConnectionSettings, TlsMode, TransferMode
from client.engine.sftp.settings import HostKeyPolicy, SftpSettings
from client.protocol.addresses import PasvPolicy
from client.protocol.charsets import AUTO, CharsetError, normalize_charset

__all__ = [
    "KEYRING_SERVICE",
    "LOGON_TYPES",
    "MAX_KEEPALIVE",
    "Site",
    "SiteStore",
    "SiteNotFoundError",
    "PasswordRequiredError",
    "keyring_available",
    "passphrase_key",
]

log = logging.getLogger(__name__)

KEYRING_SERVICE = "ftp-inspector"
LOGON_TYPES = ("anonymous", "normal", "ask")
#: the longest keep-alive interval a site may ask for, in seconds
MAX_KEEPALIVE = 3600
_FILE_VERSION = 1


class SiteNotFoundError(LookupError):
    """``site:NAME`` named no saved site."""


class PasswordRequiredError(LookupError):
    """The site logs on with a password that is not in the keyring (logon type "ask", or
    the keyring is unavailable): the front end must ask the user."""


@dataclass(frozen=True)
class Site:
    """One saved site. Everything but the password (see :class:`SiteStore`)."""

    name: str
    host: str
    site_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    folder: str = ""  # "Work/Servers": nested folders joined with "/"
    port: int = 21
    tls: str = TlsMode.AUTO.value
    logon: str = "normal"  # one of LOGON_TYPES
    user: str = ""
    mode: str = TransferMode.PASSIVE.value
    commands: str = CommandFamily.CLASSIC.value  # PASV/PORT or EPSV/EPRT on IPv4
    pasv_policy: str = PasvPolicy.AUTO.value
    active_address: str = ""
    active_ports: tuple[int, int] | None = None
    local_dir: str = ""
    remote_dir: str = ""
    connection_limit: int = 2
    charset: str = AUTO  # "auto" or a charset name (client.protocol.charsets)
    comments: str = ""
    keepalive_interval: int = 0  # NOOP after this many idle seconds; 0: off
    list_hidden: bool = False  # LIST -a
    protocol: str = Protocol.FTP.value  # "ftp" (FTP and FTPS, see tls) or "sftp"
    key_file: str = ""  # SFTP: a private-key file (its passphrase only in the keyring)
    use_agent: bool = True  # SFTP: offer the SSH agent's keys (SSH_AUTH_SOCK)
    # "default" (the app's default proxy), "none", or a proxy URL without its password
    # (the password is in the keyring: client/config/proxies.py)
    proxy: str = "default"
    # remote folders with the local folder that goes with each (client/config/bookmarks.py)
    bookmarks: tuple[Bookmark, ...] = ()

    @property
    def is_sftp(self) -> bool:
        return self.protocol == Protocol.SFTP.value

    @property
    def path(self) -> str:
        """Folder and name, as typed in ``site:Work/Servers/name``."""
        return f"{self.folder}/{self.name}" if self.folder else self.name

    def replace(self, **changes: object) -> Site:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def to_json(self) -> dict[str, object]:
        data = dataclasses.asdict(self)
        data["active_ports"] = list(self.active_ports) if self.active_ports else None
        data["bookmarks"] = [bookmark.to_json() for bookmark in self.bookmarks]
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Site:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        ports = values.get("active_ports")
        if isinstance(ports, list) and len(ports) == 2:
            values["active_ports"] = (int(ports[0]), int(ports[1]))
        else:
            values["active_ports"] = None
        if values.get("logon") not in LOGON_TYPES:
            values["logon"] = "normal"
        keepalive = values.get("keepalive_interval", 0)
        values["keepalive_interval"] = (keepalive if isinstance(keepalive, int)
                                        and not isinstance(keepalive, bool)
                                        and 0 <= keepalive <= MAX_KEEPALIVE else 0)
        values["list_hidden"] = values.get("list_hidden") is True
        values["proxy"] = normalise_choice(values.get("proxy"))
        values["bookmarks"] = bookmarks_from_json(values.get("bookmarks"))
        if values.get("protocol") not in (Protocol.FTP.value, Protocol.SFTP.value):
            values["protocol"] = Protocol.FTP.value
        if not isinstance(values.get("key_file", ""), str):
            values["key_file"] = ""
        values["use_agent"] = values.get("use_agent", True) is not False
        try:
            values["charset"] = normalize_charset(str(values.get("charset") or AUTO))
        except CharsetError:
            values["charset"] = AUTO
        return cls(**values)  # type: ignore[arg-type]


def passphrase_key(site_id: str) -> str:
    """The keyring user name under which an SFTP site's key passphrase is kept."""
    return f"{site_id}:passphrase"


def keyring_available() -> bool:
    """True when the active keyring backend really keeps secrets (not the "fail" backend,
    not an empty chain, not a plaintext file backend)."""
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a broken keyring setup means "not available"
        return False
    return _backend_usable(backend)


def _backend_usable(backend: object) -> bool:
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if name.startswith("keyring.backends.fail") or "Plaintext" in name:
        return False
    chained = getattr(backend, "backends", None)
    if name.startswith("keyring.backends.chainer"):
        return bool(chained) and any(_backend_usable(b) for b in chained)
    return True


class SiteStore:
    """Load and save sites (``sites.json`` in the config folder) and their passwords."""

    def __init__(self, path: Path | None = None, proxies: ProxyStore | None = None) -> None:
        self.path = path or (config_dir() / "sites.json")
        self.proxies = proxies or ProxyStore(self.path.parent / "proxy.json")

    # -- the JSON file -------------------------------------------------------------
    def load(self) -> list[Site]:
        """All saved sites; a missing file is an empty list, a corrupt one is logged and
        kept aside (renamed ``.corrupt``) rather than silently overwritten."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        try:
            data = json.loads(raw)
            return [Site.from_json(item) for item in data.get("sites", [])]
        except (ValueError, TypeError, AttributeError) as exc:
            aside = self.path.with_suffix(".json.corrupt")
            log.warning("sites file %s is not valid (%s); moved to %s", self.path, exc, aside)
            os.replace(self.path, aside)
            return []

    def save(self, sites: list[Site]) -> None:
        """Write atomically (a crash never leaves half a file), readable by the user only."""
        payload = {"version": _FILE_VERSION, "sites": [s.to_json() for s in sites]}
        write_json_atomically(self.path, payload)

    def upsert(self, site: Site) -> None:
        sites = [s for s in self.load() if s.site_id != site.site_id]
        sites.append(site)
        self.save(sites)

    def remove(self, site_id: str) -> None:
        self.save([s for s in self.load() if s.site_id != site_id])
        self.delete_password(site_id)
        self.delete_password(passphrase_key(site_id))
        self.proxies.delete_password(site_proxy_key(site_id))

    def find(self, name: str) -> Site:
        """A site by ``folder/name`` path or by bare name (case-insensitive when unique)."""
        sites = self.load()
        for matcher in (
            lambda s: s.path == name,
            lambda s: s.name == name,
            lambda s: s.path.casefold() == name.casefold(),
            lambda s: s.name.casefold() == name.casefold(),
        ):
            found = [s for s in sites if matcher(s)]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise SiteNotFoundError(
                    f"site:{name} matches {len(found)} saved sites "
                    f"({', '.join(s.path for s in found)}); use the folder path to choose one"
                )
        known = ", ".join(s.path for s in sites) or "none saved yet"
        raise SiteNotFoundError(f"no saved site named {name!r} (known: {known})")

    def find_with_path(self, text: str) -> tuple[Site, str | None]:
        """``Folder/Name/some/path`` (a decoded ``site:`` reference) -> (site, path).

        Folder names contain '/', so the longest prefix that names a site wins. The path
        after it follows the URL rule of :mod:`client.config.urls`: ``pub/x`` is relative
        to the login folder, ``/etc`` (written ``%2Fetc`` in a URL) is absolute; None when
        nothing follows the name (the caller falls back to the site's remote folder)."""
        parts = text.split("/")
        first_error: SiteNotFoundError | None = None
        for cut in range(len(parts), 0, -1):
            name = "/".join(parts[:cut])
            if not name:
                continue
            try:
                site = self.find(name)
            except SiteNotFoundError as exc:
                first_error = first_error or exc
                continue
            return site, "/".join(parts[cut:]) or None
        raise first_error or SiteNotFoundError(f"no saved site named {text!r}")

    # -- passwords: keyring only ---------------------------------------------------
    def set_password(self, site_id: str, password: str) -> None:
        """Store in the keyring. Raises ``keyring.errors.KeyringError`` when there is no
        usable backend: the caller switches the site to "ask for password"."""
        if not keyring_available():
            raise keyring.errors.NoKeyringError(
                "no secure keyring backend is available; use 'ask for password' instead"
            )
        keyring.set_password(KEYRING_SERVICE, site_id, password)

    def get_password(self, site_id: str) -> str | None:
        if not keyring_available():
            return None
        try:
            return keyring.get_password(KEYRING_SERVICE, site_id)
        except keyring.errors.KeyringError as exc:
            log.warning("keyring lookup failed: %s", exc)
            return None

    def delete_password(self, site_id: str) -> None:
        if not keyring_available():
            return
        try:
            keyring.delete_password(KEYRING_SERVICE, site_id)
        except keyring.errors.PasswordDeleteError:
            pass

    def copy_secrets(self, source_id: str, target_id: str) -> bool:
        """Copy a site's keyring secrets (password, key passphrase, proxy password) under
        another site's keys, keyring to keyring: a duplicated site logs on as its
        original did, and no secret passes through a file. False when the keyring
        refused one of them (the ones it took stay)."""
        complete = True
        for key in (lambda i: i, passphrase_key, site_proxy_key):  # one service for all
            secret = self.get_password(key(source_id))
            if secret is None:
                continue
            try:
                self.set_password(key(target_id), secret)
            except keyring.errors.KeyringError as exc:
                log.warning("the keyring refused a copied secret: %s", exc)
                complete = False
        return complete

    # -- to the engine -------------------------------------------------------------
    def sftp_settings(self, site: Site, *, password: str | None = None,
                      policy: HostKeyPolicy = HostKeyPolicy.STRICT) -> SftpSettings:
        """Settings for an SFTP site. ``password`` overrides the keyring. With logon
        "normal" a missing password is no error (a key or the agent may log on); with
        "ask" and no key file it raises :class:`PasswordRequiredError`. The key file's
        passphrase, when the keyring holds one, is under ``SITE_ID:passphrase``."""
        secret = password
        if secret is None and site.logon == "normal":
            secret = self.get_password(site.site_id)
        if secret is None and site.logon == "ask" and not site.key_file:
            raise PasswordRequiredError(
                f"site {site.path!r} needs a password for {site.user!r}: it is set to ask "
                "for it")
        passphrase = self.get_password(passphrase_key(site.site_id)) if site.key_file else None
        return SftpSettings(
            host=site.host, port=site.port, user=site.user, password=secret,
            key_files=(site.key_file,) if site.key_file else (),
            key_passphrase=passphrase, use_agent=site.use_agent, host_key_policy=policy,
            keepalive_interval=float(site.keepalive_interval) if site.keepalive_interval
            else None,
            encoding="utf-8" if site.charset in ("", AUTO) else site.charset,
            proxy=self.proxies.for_site(site.proxy, site.site_id))

    def connection_settings(self, site: Site, *, password: str | None = None) -> ConnectionSettings:
        """Settings for the engine. ``password`` overrides the keyring (the "ask" dialog).

        Raises :class:`PasswordRequiredError` when a password is needed and unknown.
        """
        user = site.user
        if site.logon == "anonymous":
            user, secret = "anonymous", password or "anonymous@"
        else:
            secret = password if password is not None else (
                None if site.logon == "ask" else self.get_password(site.site_id)
            )
            if secret is None:
                raise PasswordRequiredError(
                    f"site {site.path!r} needs a password for {user!r}: it is set to ask for "
                    "it, or the keyring holds none"
                )
        try:
            tls = TlsMode(site.tls)
        except ValueError:
            tls = TlsMode.AUTO
        try:
            mode = TransferMode(site.mode)
        except ValueError:
            mode = TransferMode.PASSIVE
        try:
            policy = PasvPolicy(site.pasv_policy)
        except ValueError:
            policy = PasvPolicy.AUTO
        try:
            commands = CommandFamily(site.commands)
        except ValueError:
            commands = CommandFamily.CLASSIC
        extended = commands is CommandFamily.EXTENDED
        return ConnectionSettings(
            host=site.host,
            port=site.port,
            user=user or "anonymous",
            password=secret,
            tls=tls,
            mode=mode,
            use_epsv=extended,
            use_eprt=extended,
            pasv_policy=policy,
            active_address=site.active_address or None,
            active_ports=site.active_ports,
            keepalive_interval=float(site.keepalive_interval) if site.keepalive_interval
            else None,
            list_hidden=site.list_hidden,
            encoding=site.charset or AUTO,
            proxy=self.proxies.for_site(site.proxy, site.site_id),
        )
