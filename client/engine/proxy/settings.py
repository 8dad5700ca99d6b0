"""Which proxy a connection goes through, as a value, and the one parser of proxy URLs.

Two families: *tunnels* (SOCKS5, SOCKS4a, HTTP CONNECT) carry any TCP connection, so
the control connection and every passive data connection are dialled through them;
*FTP proxies* (the logon types FileZilla calls ``USER user@host``, ``SITE host`` and
``OPEN host``) are FTP servers themselves that are told, in the login, where to go.

URL forms (user and password percent-encoded, the password never stored with the URL):

- ``socks5://[user[:password]@]host[:1080]`` (``socks5h://`` is the same: the proxy
  resolves host names)
- ``socks4a://[userid@]host[:1080]``
- ``http://[user[:password]@]host[:8080]`` (HTTP CONNECT)
- ``ftp-user://[user[:password]@]host[:21]``, ``ftp-site://…``, ``ftp-open://…``
"""

from __future__ import annotations

import dataclasses
import enum
import ipaddress
from dataclasses import field
from urllib.parse import quote, unquote, urlsplit

from client.protocol.text import escape_control
from client.protocol.values import value

__all__ = ["ProxyKind", "ProxySettings", "ProxyUrlError", "parse_proxy_url", "NO_PROXY_WORDS"]

#: what ``--proxy`` and a site's proxy choice accept for "no proxy at all"
NO_PROXY_WORDS = frozenset({"none", "direct", "off"})


class ProxyUrlError(ValueError):
    """A proxy URL that cannot be used; the message says what is wrong with it."""


class ProxyKind(enum.Enum):
    """How the proxy is spoken to. The values are the URL schemes."""

    SOCKS5 = "socks5"
    SOCKS4A = "socks4a"
    HTTP = "http"
    FTP_USER = "ftp-user"  # USER user@host
    FTP_SITE = "ftp-site"  # SITE host
    FTP_OPEN = "ftp-open"  # OPEN host

    @property
    def is_tunnel(self) -> bool:
        """A tunnel carries any TCP connection (control, data, SSH); an FTP proxy only
        relays an FTP login."""
        return self in (ProxyKind.SOCKS5, ProxyKind.SOCKS4A, ProxyKind.HTTP)

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def default_port(self) -> int:
        return _PORTS[self]


_LABELS = {
    ProxyKind.SOCKS5: "SOCKS5",
    ProxyKind.SOCKS4A: "SOCKS4a",
    ProxyKind.HTTP: "HTTP CONNECT",
    ProxyKind.FTP_USER: "FTP proxy (USER user@host)",
    ProxyKind.FTP_SITE: "FTP proxy (SITE host)",
    ProxyKind.FTP_OPEN: "FTP proxy (OPEN host)",
}
_PORTS = {ProxyKind.SOCKS5: 1080, ProxyKind.SOCKS4A: 1080, ProxyKind.HTTP: 8080,
          ProxyKind.FTP_USER: 21, ProxyKind.FTP_SITE: 21, ProxyKind.FTP_OPEN: 21}
_ALIASES = {"socks5h": ProxyKind.SOCKS5, "socks": ProxyKind.SOCKS5}


@value
class ProxySettings:
    """One proxy. ``password`` is kept out of ``repr``, of :meth:`url` (unless asked)
    and of every event: it lives in the keyring and in memory only."""

    kind: ProxyKind
    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    def replace(self, **changes: object) -> ProxySettings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def address(self) -> str:
        """``host:port`` (IPv6 in brackets), for messages."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def url(self, *, with_password: bool = False) -> str:
        """The URL form; without the password unless ``with_password`` (never shown,
        never saved: only handed to a library that needs it in that form)."""
        userinfo = ""
        if self.user:
            userinfo = quote(self.user, safe="")
            if with_password and self.password is not None:
                userinfo += ":" + quote(self.password, safe="")
            userinfo += "@"
        return f"{self.kind.value}://{userinfo}{self.address}"

    def describe(self) -> str:
        """``SOCKS5 proxy 127.0.0.1:1080 (user bob)``: safe to show."""
        who = f" (user {escape_control(self.user)})" if self.user else ""
        noun = self.kind.label if not self.kind.is_tunnel else f"{self.kind.label} proxy"
        return f"{noun} {escape_control(self.address)}{who}"

    def __str__(self) -> str:
        return self.url()


def parse_proxy_url(text: str) -> ProxySettings:
    """A :class:`ProxySettings` from ``socks5://user:pass@host:1080`` and the other forms
    in the module docstring; :class:`ProxyUrlError` saying what is wrong otherwise."""
    raw = text.strip()
    if "://" not in raw:
        raise ProxyUrlError(
            f"{escape_control(raw)!r} is not a proxy URL: write it as "
            "socks5://host:1080, socks4a://host:1080, http://host:3128 or "
            "ftp-user://host:21 (ftp-site://, ftp-open://)")
    scheme = raw.split("://", 1)[0].lower()
    kind = _ALIASES.get(scheme)
    if kind is None:
        try:
            kind = ProxyKind(scheme)
        except ValueError:
            known = ", ".join(k.value for k in ProxyKind)
            raise ProxyUrlError(f"unknown proxy type {escape_control(scheme)!r} "
                                f"(known: {known})") from None
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise ProxyUrlError(f"the proxy URL cannot be read: {escape_control(str(exc))}") from None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ProxyUrlError("a proxy URL names a host and a port only (no path, no query)")
    host = parts.hostname or ""
    if not host:
        raise ProxyUrlError(f"the proxy URL {escape_control(raw)!r} names no host")
    if any(ch in host for ch in "\r\n\0 "):
        raise ProxyUrlError("the proxy host contains a control character or a space")
    try:
        host = str(ipaddress.ip_address(host))
    except ValueError:
        pass
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if kind is ProxyKind.SOCKS4A and password:
        raise ProxyUrlError("SOCKS4a has a user id but no password; leave the password out")
    return ProxySettings(kind=kind, host=host, port=port or kind.default_port, user=user,
                         password=password)
