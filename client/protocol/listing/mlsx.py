"""MLSD / MLST lines (RFC 3659 §7): ``fact=value;fact=value; name``.

Fact names are case-insensitive (stored lower-cased in ``facts``), values are kept as
sent. The name is everything after the first space, so it may contain spaces and
semicolons. Times are UTC. Unix servers add ``unix.mode``/``unix.owner``/``unix.group``
(or ProFTPD's ``unix.ownername``/``unix.groupname``, pure-ftpd's ``unix.uid``/
``unix.gid``), and symlinks as ``type=OS.unix=slink:/target``.

This is the hot path of a large MLSD listing: str.partition/split, dict lookups and
per-call caches, no regular expressions.
"""

from __future__ import annotations

from datetime import datetime

from client.protocol.errors import ListingParseError
from client.protocol.listing.dates import parse_mlsx_time
from client.protocol.listing.entry import EntryKind, ListingEntry, make_entry
from client.protocol.text import escape_control

__all__ = ["parse_mlsx_line", "parse_mlsx", "mode_to_permissions", "looks_like_mlsx"]

FILE, DIR, LINK, OTHER = EntryKind.FILE, EntryKind.DIR, EntryKind.LINK, EntryKind.OTHER
_KIND_BY_TYPE = {"file": FILE, "dir": DIR, "cdir": DIR, "pdir": DIR}
_SELF_OR_PARENT_TYPES = frozenset(["cdir", "pdir"])
_UNKNOWN = object()
_fromisoformat = datetime.fromisoformat
_RWX = ("---", "--x", "-w-", "-wx", "r--", "r-x", "rw-", "rwx")


def mode_to_permissions(mode: int) -> str:
    """``0o4755`` -> ``"rwsr-xr-x"``: the nine ``ls`` permission characters."""
    owner = list(_RWX[(mode >> 6) & 7])
    group = list(_RWX[(mode >> 3) & 7])
    other = list(_RWX[mode & 7])
    if mode & 0o4000:
        owner[2] = "s" if owner[2] == "x" else "S"
    if mode & 0o2000:
        group[2] = "s" if group[2] == "x" else "S"
    if mode & 0o1000:
        other[2] = "t" if other[2] == "x" else "T"
    return "".join(owner + group + other)


def looks_like_mlsx(line: str) -> bool:
    """Cheap test for auto-detection: the text before the first space is ``k=v;`` facts."""
    facts, sep, _ = line.partition(" ")
    return bool(sep) and "=" in facts and facts.endswith(";") and not facts.startswith("=")


class _Cache:
    """Per-listing memo of the conversions a listing repeats (``unix.mode`` values)."""

    __slots__ = ("modes",)

    def __init__(self) -> None:
        self.modes: dict[str, str | None] = {}


def _kind_and_target(type_value: str) -> tuple[EntryKind, str | None]:
    low = type_value.lower()
    kind = _KIND_BY_TYPE.get(low)
    if kind is not None:
        return kind, None
    if low.startswith("os.unix=slink") or low.startswith("os.unix=symlink"):
        _, _, target = type_value.partition(":")
        return LINK, target or None
    return OTHER, None


def parse_mlsx(line: str, cache: _Cache) -> ListingEntry:
    """Parse one MLSD line (no leading space unless the entry has no facts)."""
    facts_text, sep, name = line.partition(" ")
    if not sep or not name:
        raise ListingParseError(
            f"expected 'facts; name' in an MLSD/MLST line, got {escape_control(line[:200])!r}: "
            "there is no space before a name"
        )
    facts: dict[str, str] = {}
    for fact in facts_text.split(";"):
        if fact:
            key, eq, value = fact.partition("=")
            if not eq or not key:
                raise ListingParseError(
                    f"expected fact=value in an MLSD/MLST line, got {escape_control(fact[:100])!r} "
                    f"in {escape_control(line[:200])!r}"
                )
            facts[key] = value
    if facts_text and not facts_text.islower():
        # Fact names are case-insensitive (ProFTPD sends "UNIX.mode"); values are not.
        # islower() is also False for a text without letters, which is harmless here.
        facts = {key.lower(): value for key, value in facts.items()}

    get = facts.get
    type_value = get("type")
    target = None
    if type_value is None:
        kind = OTHER
    else:
        kind = _KIND_BY_TYPE.get(type_value)
        if kind is None:
            kind, target = _kind_and_target(type_value)

    size = None
    size_text = get("size")
    if size_text is None and kind is DIR:
        size_text = get("sizd")
    if size_text is not None:
        if size_text.isdecimal() and len(size_text) < 40:
            size = int(size_text)

    modified = None
    modify = get("modify")
    if modify is not None:
        if len(modify) == 14 and modify.isdigit():
            try:
                modified = _fromisoformat(modify[:8] + "T" + modify[8:] + "+00:00")
            except ValueError:
                modified = None
        else:
            modified = parse_mlsx_time(modify)

    permissions = None
    mode = get("unix.mode")
    if mode is not None:
        modes = cache.modes
        permissions = modes.get(mode, _UNKNOWN)
        if permissions is _UNKNOWN:
            try:
                permissions = mode_to_permissions(int(mode, 8)) if len(mode) < 12 else None
            except ValueError:
                permissions = None
            if len(modes) < 1024:
                modes[mode] = permissions
    if permissions is None:
        permissions = get("perm")

    owner = get("unix.ownername") or get("unix.owner") or get("unix.uid")
    group = get("unix.groupname") or get("unix.group") or get("unix.gid")

    return make_entry(
        name, kind, size, modified, "second" if modified is not None else None,
        permissions, owner, group, target, facts, line,
    )


def is_self_or_parent(entry: ListingEntry) -> bool:
    """cdir/pdir entries and ``.``/``..``: listed by servers, never shown as entries."""
    if entry.name in (".", "..") or entry.name.endswith(("/.", "/..")):
        return True
    if entry.kind is DIR:
        type_value = entry.facts.get("type")
        return type_value is not None and type_value.lower() in _SELF_OR_PARENT_TYPES
    return False


def parse_mlsx_line(line: str) -> ListingEntry:
    """Parse one MLSD line or the inner line of an MLST 250 reply (which starts with a
    space, RFC 3659 §7.2). Raises :class:`ListingParseError` on anything else."""
    if line.endswith("\r\n"):
        line = line[:-2]
    elif line.endswith("\n"):
        line = line[:-1]
    if line.startswith(" ") and looks_like_mlsx(line[1:]):
        line = line[1:]
    return parse_mlsx(line, _Cache())
