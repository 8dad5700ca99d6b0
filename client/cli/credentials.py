"""Where the CLI finds the user name and password, in a fixed order.

1. the URL (``ftp://user:password@host``),
2. the ``FTP_PASSWORD`` environment variable (for scripts: keeps the password out of
   the process list and the shell history),
3. ``~/.netrc`` (``$NETRC`` if set): the ``machine`` entry for the host, or ``default``;
   its login is used when the URL names no user, its password only when the logins agree,
4. the system keyring, for ``site:NAME`` URLs (read by the site store),
5. a prompt, only when stdin is a terminal,
6. no user anywhere: anonymous login (``anonymous`` / ``anonymous@``).

The password is never printed; errors say where it was looked for, not what it is.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import field
from pathlib import Path

from client.protocol.values import value

__all__ = ["Credentials", "CredentialsError", "resolve_credentials", "netrc_lookup",
           "ANONYMOUS_USER", "ANONYMOUS_PASSWORD"]

ANONYMOUS_USER = "anonymous"
ANONYMOUS_PASSWORD = "anonymous@"


class CredentialsError(Exception):
    """No password could be found and none can be asked for."""


@value
class Credentials:
    user: str
    password: str | None = field(repr=False)
    source: str  # "url", "FTP_PASSWORD", "netrc", "keyring", "prompt", "anonymous", "site"


def netrc_lookup(host: str, env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(login, password) from the netrc file for ``host``; (None, None) when there is no
    file or no entry. A malformed file is ignored with a note on stderr (a broken netrc
    should not stop a command that has its password elsewhere)."""
    path = Path(env["NETRC"]) if env.get("NETRC") else Path(env.get("HOME") or Path.home()) / ".netrc"
    if not path.is_file():
        return None, None
    import netrc  # and shlex with it: only when there is a file to read

    try:
        parsed = netrc.netrc(str(path))
    except (netrc.NetrcParseError, OSError) as exc:
        print(f"ftp-inspector: note: ignoring {path}: {exc}", file=sys.stderr)
        return None, None
    entry = parsed.authenticators(host)
    if entry is None:
        return None, None
    login, _account, password = entry
    return (login or None), (password or None)


def resolve_credentials(
    host: str,
    url_user: str | None,
    url_password: str | None,
    *,
    env: Mapping[str, str] | None = None,
    interactive: bool | None = None,
    prompt: Callable[[str], str] | None = None,
) -> Credentials:
    """Apply the order of the module docstring. Raises :class:`CredentialsError` when a
    named user has no password and stdin is not a terminal. ``prompt`` asks for the
    password (default ``getpass.getpass``, loaded only then: it brings termios)."""
    env = os.environ if env is None else env
    if url_password is not None:
        return Credentials(url_user or ANONYMOUS_USER, url_password, "url")
    if url_user is not None and env.get("FTP_PASSWORD"):
        # what the netrc file could add (a login, a password) is decided already
        return Credentials(url_user, env["FTP_PASSWORD"], "FTP_PASSWORD")
    net_login, net_password = netrc_lookup(host, env)
    user = url_user or net_login
    if user is None:
        if env.get("FTP_PASSWORD"):
            return Credentials(ANONYMOUS_USER, env["FTP_PASSWORD"], "FTP_PASSWORD")
        return Credentials(ANONYMOUS_USER, ANONYMOUS_PASSWORD, "anonymous")
    if env.get("FTP_PASSWORD"):
        return Credentials(user, env["FTP_PASSWORD"], "FTP_PASSWORD")
    if net_password is not None and (net_login is None or net_login == user):
        return Credentials(user, net_password, "netrc")
    if user == ANONYMOUS_USER or user == "ftp":
        return Credentials(user, ANONYMOUS_PASSWORD, "anonymous")
    if interactive is None:
        interactive = sys.stdin is not None and sys.stdin.isatty()
    if interactive:
        if prompt is None:
            import getpass

            prompt = getpass.getpass
        return Credentials(user, prompt(f"Password for {user}@{host}: "), "prompt")
    raise CredentialsError(
        f"no password for {user!r} at {host}: give it in the URL (user:password@), in "
        "FTP_PASSWORD, in ~/.netrc, or run on a terminal to be asked")
