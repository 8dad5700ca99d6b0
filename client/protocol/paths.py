"""Remote paths: the quoted path of a 257 reply (PWD/MKD), pure path arithmetic on the
server's ``/``-separated names, and the check a server-supplied name must pass before it
becomes a local file name.

Everything here is pure string work. The remote side is treated as POSIX-like (RFC 959
leaves the syntax to the server, but every server this client meets uses ``/``); no
function here looks at the local filesystem.
"""

from __future__ import annotations

import functools
import re

from client.protocol.errors import PathReplyError, UnsafeNameError
from client.protocol.replies import Reply
from client.protocol.text import escape_control

__all__ = [
    "parse_257",
    "join_remote",
    "remote_parent",
    "remote_basename",
    "safe_local_name",
    "MAX_LOCAL_NAME_BYTES",
]

#: Longest file name most local filesystems accept (NAME_MAX on Linux, in bytes).
MAX_LOCAL_NAME_BYTES = 255

# C0, DEL, C1, and the bidi/format characters that can make a name read as something
# else ("photo\u202egpj.exe" displays as "photoexe.jpg").
_CONTROL_IN_PATH = re.compile("[\x00-\x1f\x7f-\x9f]")
_WINDOWS_FORBIDDEN = re.compile('[<>:"|?*]')


@functools.cache
def _unsafe_name_chars() -> re.Pattern[str]:
    """Compiled on first need: only a name that is not all printable is searched (each
    of these characters is one ``str.isprintable()`` rejects)."""
    return re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
)


def parse_257(reply: Reply | str) -> str:
    """The directory named by a 257 reply: ``257 "/a ""b"" dir" is current directory``.

    RFC 959 appendix II quotes the path and doubles any quote inside it; text may come
    before the opening quote (``257 MKD command successful: "/new"``). A reply with no
    quote at all is accepted only if its first word is an absolute path, which some
    old servers send. When quotes follow the closing quote, the server did not double
    the quotes in the name (pure-ftpd): the path then ends at the last quote. Raises :class:`PathReplyError` for an unclosed quote, an empty path,
    or a path with control characters (which no real directory name should carry and
    which would be dangerous to echo into later commands).
    """
    if isinstance(reply, Reply):
        shown = reply.lines[0] if reply.lines else ""
        text = reply.first_line_text
    else:
        shown = text = reply
        if len(text) >= 4 and text[:3].isdigit() and text[3] in " -":
            text = text[4:]
    start = text.find('"')
    if start < 0:
        first = text.split(None, 1)[0] if text.strip() else ""
        if not first.startswith("/"):
            raise PathReplyError(
                "expected a quoted path in the 257 reply (RFC 959 appendix II), got "
                f"{escape_control(shown)!r}: the server did not say which directory it means"
            )
        path = first
    else:
        chars: list[str] = []
        index = start + 1
        end = len(text)
        while True:
            if index >= end:
                raise PathReplyError(
                    f"the 257 reply opens a quoted path but never closes it: "
                    f"{escape_control(shown)!r}; the reply is truncated or the server "
                    "did not double a quote inside the name"
                )
            ch = text[index]
            if ch == '"':
                if index + 1 < end and text[index + 1] == '"':
                    chars.append('"')
                    index += 2
                    continue
                break
            chars.append(ch)
            index += 1
        path = "".join(chars)
        if '"' in text[index + 1 :]:
            # More quotes after the "closing" one: the server did not double the quotes
            # inside the name (pure-ftpd sends 257 "with "quote"" : ...). The path then
            # runs from the first quote to the last one; doubled quotes are undone.
            path = text[start + 1 : text.rindex('"')].replace('""', '"')
    if not path:
        raise PathReplyError(f"the 257 reply names an empty path: {escape_control(shown)!r}")
    if _CONTROL_IN_PATH.search(path):
        raise PathReplyError(
            f"the 257 reply names a path with control characters ({escape_control(path)!r}); "
            "refusing to use it in later commands"
        )
    return path


def join_remote(directory: str, name: str) -> str:
    """``directory`` + ``/`` + ``name``; an absolute ``name`` is returned as it is.

    No ``.``/``..`` folding: the server resolves those, and folding them here could point
    somewhere other than the server means (symlinks).
    """
    if not name:
        return directory
    if name.startswith("/") or not directory:
        return name
    if directory.endswith("/"):
        return directory + name
    return directory + "/" + name


def remote_parent(path: str) -> str:
    """The directory holding ``path``: ``/a/b`` -> ``/a``, ``/a`` -> ``/``, ``/`` -> ``/``,
    ``a/b`` -> ``a``, ``a`` -> ``.``. Trailing slashes are ignored."""
    stripped = path.rstrip("/")
    if not stripped:
        return "/" if path.startswith("/") else "."
    cut = stripped.rfind("/")
    if cut < 0:
        return "."
    parent = stripped[:cut].rstrip("/")
    if not parent:
        return "/"
    return parent


def remote_basename(path: str) -> str:
    """The last component of ``path`` (``/a/b/`` -> ``b``; ``/`` -> ``""``)."""
    stripped = path.rstrip("/")
    return stripped[stripped.rfind("/") + 1 :]


def safe_local_name(name: str, *, windows: bool = False) -> str:
    """Return ``name`` unchanged if it can be used as one local file name, else raise
    :class:`UnsafeNameError`.

    A hostile or broken server can list ``..``, ``../../.bashrc``, ``/etc/passwd``,
    ``C:evil`` or names with escape sequences; writing any of those would put a file
    outside the folder the user chose or disguise what it is. ``windows=True`` adds the
    rules of Windows file names (reserved device names, ``<>:"|?*``, trailing dot or
    space); the caller passes the platform, so this function stays pure.
    """

    def refuse(reason: str) -> UnsafeNameError:
        return UnsafeNameError(
            f"refusing the server-supplied name {escape_control(name)!r} as a local file "
            f"name: {reason}",
            name=name,
            reason=reason,
        )

    if name == "":
        raise refuse("it is empty")
    if name in (".", ".."):
        raise refuse("it names a directory itself, not an entry in it")
    if "/" in name:
        raise refuse("it contains '/', which would write outside the target folder")
    if "\\" in name:
        raise refuse("it contains '\\', a path separator on Windows")
    if "\x00" in name:
        raise refuse("it contains a NUL byte")
    if not name.isprintable() and _unsafe_name_chars().search(name):
        raise refuse("it contains control or text-direction characters")
    if len(name) >= 2 and name[1] == ":" and name[0].isascii() and name[0].isalpha():
        raise refuse("it starts with a drive letter")
    if len(name.encode("utf-8", "surrogateescape")) > MAX_LOCAL_NAME_BYTES:
        raise refuse(f"it is longer than {MAX_LOCAL_NAME_BYTES} bytes")
    if windows:
        if _WINDOWS_FORBIDDEN.search(name):
            raise refuse('it contains one of <>:"|?*, which Windows does not allow')
        if name.endswith((".", " ")):
            raise refuse("it ends with a dot or a space, which Windows drops silently")
        stem = name.split(".", 1)[0].rstrip(" ").upper()
        if stem in _WINDOWS_RESERVED:
            raise refuse(f"{stem} is a reserved device name on Windows")
    return name
