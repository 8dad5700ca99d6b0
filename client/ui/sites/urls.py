"""What the user typed into the quickconnect bar (or passed on the command line) ->
connection settings. Accepts a bare host, ``host:port``, ``[v6]:port`` and full
``ftp://``, ``ftps://`` (implicit TLS, port 990) and ``ftpes://`` (explicit TLS) URLs
with optional percent-encoded credentials and a start path. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from client.engine.settings import TlsMode
from client.protocol.text import hide_url_password

__all__ = ["QuickTarget", "parse_target", "URL_SCHEMES"]

URL_SCHEMES = {"ftp": TlsMode.AUTO, "ftps": TlsMode.IMPLICIT, "ftpes": TlsMode.EXPLICIT}


@dataclass(frozen=True)
class QuickTarget:
    host: str
    port: int | None = None  # None: the default of the TLS mode (21, or 990 implicit)
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: TlsMode | None = None  # None: the scheme did not say
    path: str | None = None

    def effective_port(self, tls: TlsMode) -> int:
        if self.port is not None:
            return self.port
        return 990 if tls is TlsMode.IMPLICIT else 21


def parse_target(text: str) -> QuickTarget:
    """Parse the host field. Raises ValueError with a message for the user."""
    text = text.strip()
    if not text:
        raise ValueError("enter a host name, an address or an ftp:// URL")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise ValueError("the host contains control characters")
    if "://" in text:
        scheme = text.split("://", 1)[0].lower()
        if scheme not in URL_SCHEMES:
            raise ValueError(
                f"unsupported scheme {scheme}://; use ftp://, ftps:// (implicit TLS) or "
                "ftpes:// (explicit TLS)"
            )
        parts = urlsplit(text)
        try:
            port = parts.port
        except ValueError as exc:
            raise ValueError(f"invalid port in {hide_url_password(text)!r}: {exc}") from None
        if not parts.hostname:
            raise ValueError(f"no host in {hide_url_password(text)!r}")
        return QuickTarget(
            host=parts.hostname,
            port=port,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            tls=URL_SCHEMES[scheme],
            path=unquote(parts.path) if parts.path not in ("", "/") else None,
        )
    if "@" in text:  # user information outside a URL: never echo it (a password may follow)
        raise ValueError(f"{hide_url_password(text)!r} is not a host name; write a user and "
                         "password as ftp://user:password@host, or use the User and Password "
                         "fields")
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host, port_text = text, ""  # a bare IPv6 address has several colons
    port: int | None = None
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"invalid port {port_text!r}")
        port = int(port_text)
    if not host or any(ch in host for ch in " /@"):
        raise ValueError(f"invalid host {host!r}")
    return QuickTarget(host=host, port=port)
