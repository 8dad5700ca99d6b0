"""Command-line URLs: ``ftp://[user[:password]@]host[:port]/path``, ``ftps://`` (implicit
TLS, port 990), ``ftpes://`` (explicit TLS required) and ``site:NAME/path``.

Percent-escapes are decoded in the user, the password and the path. A decoded CR, LF or
NUL is refused here, before anything connects: such a byte would end the FTP command
early and let the rest of the text be read as a second command (RFC 959 commands end
at CR LF).

The path follows RFC 1738 and curl: what follows the host's ``/`` is relative to the
login directory (``ftp://host/pub`` is ``pub``); an escaped slash makes it absolute
(``ftp://host/%2Fetc`` is ``/etc``); ``ftp://host//etc`` is also ``/etc``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from client.engine.settings import TlsMode
from client.protocol.text import hide_url_password

__all__ = ["RemoteUrl", "UrlError", "parse_url", "SCHEME_TLS"]

SCHEME_TLS: dict[str, TlsMode] = {
    "ftp": TlsMode.AUTO,
    "ftps": TlsMode.IMPLICIT,
    "ftpes": TlsMode.EXPLICIT,
}

_FORBIDDEN = {"\r": "CR", "\n": "LF", "\x00": "NUL"}
_PORT_RE = re.compile(r"^[0-9]{1,5}$")


class UrlError(ValueError):
    """The URL cannot be used; the message says which part and why."""


@dataclass(frozen=True)
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
        return SCHEME_TLS.get(self.scheme)

    def display(self) -> str:
        """The URL as it may be shown: never the password, control characters escaped."""
        from client.protocol.text import escape_control

        if self.site is not None:
            where = f"site:{self.site}"
        else:
            host = f"[{self.host}]" if ":" in self.host else self.host
            port = f":{self.port}" if self.port is not None else ""
            user = f"{self.user}@" if self.user else ""
            where = f"{self.scheme}://{user}{host}{port}"
        path = self.path or ""
        if path and not path.startswith("/"):
            path = "/" + path
        elif path.startswith("/"):
            path = "/%2F" + path[1:]
        return escape_control(where + path)


def _decode(text: str, what: str) -> str:
    try:
        decoded = unquote(text, errors="strict") if "%" in text else text
    except UnicodeDecodeError:
        raise UrlError(f"the {what} of the URL is not UTF-8 after decoding its percent-escapes "
                       "(write other characters as UTF-8 escapes, e.g. %C3%A9 for é)") from None
    for char, name in _FORBIDDEN.items():
        if char in decoded:
            raise UrlError(
                f"the {what} of the URL contains a {name} (after decoding percent-escapes); "
                "it would end the FTP command early and smuggle in another one, so it is "
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
    decoded = _decode(raw[1:], "path")
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
    if not sep or scheme not in SCHEME_TLS:
        raise UrlError(
            f"expected a URL like ftp://[user[:password]@]host[:port]/path (or ftps://, "
            f"ftpes://, site:NAME), got {hide_url_password(text)!r}")
    for cut in ("?", "#"):
        if cut in rest:
            raise UrlError(f"'{cut}' is not allowed in an FTP URL; escape it as "
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
