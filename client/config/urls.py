"""The one URL parser of both front ends: ``ftp://[user[:password]@]host[:port]/path``,
``ftps://`` (implicit TLS, port 990), ``ftpes://`` (explicit TLS required),
``sftp://[user[:password]@]host[:port]/path`` (SSH, port 22) and
``site:NAME/path`` (:func:`parse_url`); the quickconnect host field also takes a bare
``host``, ``host:port`` or ``[v6]:port`` (:func:`parse_target`).

Percent-escapes are decoded in the user, the password and the path. A decoded CR, LF or
NUL is refused here, before anything connects: such a byte would end the FTP command
early and let the rest of the text be read as a second command (RFC 959 commands end
at CR LF); SFTP sends names as counted strings, but a name with such bytes is refused
for it too (one rule for every scheme, and no server path holds them on purpose).

The path follows RFC 1738 and curl: what follows the host's ``/`` is relative to the
login directory (``ftp://host/pub`` is ``pub``); an escaped slash makes it absolute
(``ftp://host/%2Fetc`` is ``/etc``); ``ftp://host//etc`` is also ``/etc``. ``sftp://``
follows the same rule (``sftp://host/x`` is ``x`` in the login folder, the user's home).
"""

from __future__ import annotations

import re
from dataclasses import field
from urllib.parse import unquote

from client.engine.schemes import SCHEME_PROTOCOL, Protocol
from client.engine.settings import TlsMode
from client.protocol.text import hide_url_password
from client.protocol.values import value

__all__ = ["RemoteUrl", "UrlError", "parse_url", "parse_target", "SCHEME_TLS", "Protocol"]

SCHEME_TLS: dict[str, TlsMode] = {
    "ftp": TlsMode.AUTO,
    "ftps": TlsMode.IMPLICIT,
    "ftpes": TlsMode.EXPLICIT,
}

_FORBIDDEN = {"\r": "CR", "\n": "LF", "\x00": "NUL"}
_PORT_RE = re.compile(r"^[0-9]{1,5}$")


class UrlError(ValueError):
    """The URL cannot be used; the message says which part and why."""


@value
class RemoteUrl:
    """A parsed command-line URL. ``site`` is set for ``site:NAME`` URLs (then ``host``
    is empty and the saved site supplies the connection). ``path`` is None for the
    login directory. ``password`` never appears in ``repr``."""

    scheme: str
    host: str = ""
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    path: str | None = None
    site: str | None = None

    @property
    def tls(self) -> TlsMode | None:
        """The TLS mode the scheme asks for; None for a bare host (no scheme) and for
        ``sftp://`` (SSH, not TLS)."""
        return SCHEME_TLS.get(self.scheme)

    @property
    def protocol(self) -> Protocol | None:
        """The protocol the scheme names; None for ``site:`` (the site says) and a bare
        host."""
        return SCHEME_PROTOCOL.get(self.scheme)

    @property
    def is_sftp(self) -> bool:
        return self.scheme == "sftp"

    def effective_port(self, tls: TlsMode | None = None) -> int:
        """The port to dial: the one given, else 22 for sftp://, 990 for implicit TLS,
        else 21."""
        if self.port is not None:
            return self.port
        if self.is_sftp:
            return 22
        return 990 if tls is TlsMode.IMPLICIT else 21

    def path_text(self) -> str:
        """The path as written in a URL: ``/pub`` (relative to the login folder),
        ``/%2Fetc`` (absolute), or "" for the login folder itself."""
        path = self.path or ""
        if path and not path.startswith("/"):
            return "/" + path
        if path.startswith("/"):
            return "/%2F" + path[1:]
        return ""

    def display(self) -> str:
        """The URL as it may be shown: never the password, control characters escaped."""
        from client.protocol.text import escape_control

        if self.site is not None:
            where = f"site:{self.site}"
        else:
            host = f"[{self.host}]" if ":" in self.host else self.host
            port = f":{self.port}" if self.port is not None else ""
            user = f"{self.user}@" if self.user else ""
            scheme = f"{self.scheme}://" if self.scheme else ""
            where = f"{scheme}{user}{host}{port}"
        return escape_control(where + self.path_text())


def _decode(text: str, what: str, *, raw_bytes: bool = False) -> str:
    """Percent-escapes decoded as UTF-8. ``raw_bytes`` (paths): an escape that is not
    part of UTF-8 (``%98``) is that byte of a name in another charset, kept as it is
    (``surrogateescape``) and sent as that byte."""
    try:
        errors = "surrogateescape" if raw_bytes else "strict"
        decoded = unquote(text, errors=errors) if "%" in text else text
    except UnicodeDecodeError:
        raise UrlError(f"the {what} of the URL is not UTF-8 after decoding its percent-escapes "
                       "(write other characters as UTF-8 escapes, e.g. %C3%A9 for é)") from None
    for char, name in _FORBIDDEN.items():
        if char in decoded:
            raise UrlError(
                f"the {what} of the URL contains a {name} (after decoding percent-escapes); "
                "it would end a command early and smuggle in another one, so it is "
                "refused before connecting")
    return decoded


def _split_host_port(hostport: str, scheme: str) -> tuple[str, int | None]:
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise UrlError(f"unclosed '[' in the host part {hostport!r} of the URL")
        host = hostport[1:end]
        rest = hostport[end + 1:]
        if rest and not rest.startswith(":"):
            raise UrlError(f"unexpected text {rest!r} after the IPv6 address in the URL")
        port_text = rest[1:] if rest else None
    else:
        host, colon, port_text = hostport.partition(":")
        if not colon:
            port_text = None
    if not host:
        raise UrlError(f"the {scheme}:// URL names no host")
    port: int | None = None
    if port_text is not None and port_text != "":
        if not _PORT_RE.match(port_text) or not 0 < int(port_text) < 65536:
            raise UrlError(f"the port {port_text!r} in the URL is not a number from 1 to 65535")
        port = int(port_text)
    return _decode(host, "host"), port


def _path(raw: str) -> str | None:
    """``raw`` is what follows the host, starting with '/' (or empty)."""
    if raw in ("", "/"):
        return None
    decoded = _decode(raw[1:], "path", raw_bytes=True)
    return decoded or None


def parse_url(text: str) -> RemoteUrl:
    """Parse a command-line URL (see the module docstring); raises :class:`UrlError`."""
    if text.startswith("site:"):
        rest = text[len("site:"):]
        if not rest.strip("/"):
            raise UrlError("site: needs the name of a saved site, e.g. site:Work/web/pub")
        return RemoteUrl(scheme="site", site=_decode(rest, "site name"))
    scheme, sep, rest = text.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEME_PROTOCOL:
        raise UrlError(
            f"expected a URL like ftp://[user[:password]@]host[:port]/path (or ftps://, "
            f"ftpes://, sftp://, site:NAME), got {hide_url_password(text)!r}")
    for cut in ("?", "#"):
        if cut in rest:
            raise UrlError(f"'{cut}' is not allowed in an FTP or SFTP URL; escape it as "
                           f"{'%3F' if cut == '?' else '%23'}")
    slash = rest.find("/")
    authority, raw_path = (rest, "") if slash < 0 else (rest[:slash], rest[slash:])
    user = password = None
    if "@" in authority:
        userinfo, _, hostport = authority.rpartition("@")
        raw_user, colon, raw_password = userinfo.partition(":")
        user = _decode(raw_user, "user name") or None
        if colon:
            password = _decode(raw_password, "password")
    else:
        hostport = authority
    host, port = _split_host_port(hostport, scheme)
    return RemoteUrl(scheme=scheme, host=host, port=port, user=user, password=password,
                     path=_path(raw_path))


def parse_target(text: str, *, sftp: bool = False) -> RemoteUrl:
    """What the quickconnect host field holds: a URL (the rules of :func:`parse_url`), or
    a bare ``host``, ``host:port``, ``[v6]:port`` or IPv6 address (``scheme`` is then "",
    ``tls`` None: the TLS choice beside the field decides). ``sftp://`` URLs are taken
    only by a caller that can open them (``sftp=True``). Raises :class:`UrlError`."""
    text = text.strip()
    if not text:
        raise UrlError("enter a host name, an address or an ftp:// URL")
    if "://" in text:
        url = parse_url(text)
        if url.is_sftp and not sftp:
            raise UrlError("sftp:// URLs are opened from the command line "
                           "(ftp-inspector ls|get|put|mirror sftp://…)")
        return url
    if text.startswith("site:"):
        raise UrlError("site: names are opened from the Site Manager or the command line")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise UrlError("the host contains control characters")
    if "@" in text:  # user information outside a URL: never echo it (a password may follow)
        raise UrlError(f"{hide_url_password(text)!r} is not a host name; write a user and "
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
        if not _PORT_RE.match(port_text) or not 0 < int(port_text) < 65536:
            raise UrlError(f"invalid port {port_text!r}")
        port = int(port_text)
    if not host or any(ch in host for ch in " /@%?#"):
        raise UrlError(f"invalid host {host!r}")
    return RemoteUrl(scheme="", host=host, port=port)
