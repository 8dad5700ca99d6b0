"""MLSD / MLST lines (RFC 3659 §7): ``fact=value;fact=value; name``.

Fact names are case-insensitive (stored lower-cased in ``facts``), values are kept as
sent. The name is everything after the first space, so it may contain spaces and
semicolons. Times are UTC. Unix servers add ``unix.mode``/``unix.owner``/``unix.group``
(or ProFTPD's ``unix.ownername``/``unix.groupname``, pure-ftpd's ``unix.uid``/
``unix.gid``), and symlinks as ``type=OS.unix=slink:/target``.

This is the hot path of a large MLSD listing: :func:`parse_mlsd_lines` parses a batch
of lines in one loop (no call per line, str.partition/split, dict lookups, per-listing
caches, and a whole-line match for the fact sequences a listing repeats) and hands every line it is not sure about to
:func:`parse_mlsx`, the careful parser, so both always agree.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from datetime import datetime

from client.protocol.errors import ListingParseError
from client.protocol.listing.dates import parse_mlsx_time
from client.protocol.listing.entry import EntryKind, ListingEntry, make_entry, new_entry_class
from client.protocol.text import escape_control

__all__ = ["parse_mlsx_line", "parse_mlsx", "parse_mlsd_lines", "mode_to_permissions",
           "looks_like_mlsx", "fields_from_facts"]

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


def _decode_mode(mode: str, modes: dict[str, str | None]) -> str | None:
    """``unix.mode`` as ``rwxr-xr-x`` (None when it is not octal), remembered in
    ``modes``: a listing repeats a handful of modes, so the lookup is the hot path."""
    try:
        permissions = mode_to_permissions(int(mode, 8)) if len(mode) < 12 else None
    except ValueError:
        permissions = None
    if len(modes) < 1024:
        modes[mode] = permissions
    return permissions


def looks_like_mlsx(line: str) -> bool:
    """Cheap test for auto-detection: the text before the first space is ``k=v;`` facts."""
    facts, sep, _ = line.partition(" ")
    return bool(sep) and "=" in facts and facts.endswith(";") and not facts.startswith("=")


class _Cache:
    """Per-listing memo of what a listing repeats: ``unix.mode`` values, the fact
    sequences of its lines (see :func:`_shape_matcher`), and what the whole-buffer path
    learnt of them (``mlsd_fast.Shapes``)."""

    __slots__ = ("modes", "shapes", "fast")

    def __init__(self) -> None:
        self.modes: dict[str, str | None] = {}
        self.shapes: list[tuple[Callable[[str], re.Match[str] | None], tuple[str, ...]]] = []
        self.fast: object = None


_MAX_SHAPES = 8


@functools.lru_cache(maxsize=64)
def _shape_matcher(keys: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """A whole-line matcher for lines whose facts are exactly ``keys`` in this order.

    A server sends the same few fact sequences for every line (one for files, one for
    folders), so after the first line of each the values come out of one C-level match
    instead of a split and a partition per fact. The pattern says what the loop would
    conclude itself — literal lower-case names, values up to ``;`` (without spaces,
    which would end the facts), one space, a non-empty name — so a line it matches
    gives exactly the facts and name the loop would have found.
    """
    facts = "".join(f"{re.escape(key)}=([^; ]*);" for key in keys)
    return re.compile(f"{facts} (.+)", re.DOTALL).fullmatch


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
    kind, size, modified, permissions, owner, group, target = fields_from_facts(facts, cache)
    return make_entry(
        name, kind, size, modified, "second" if modified is not None else None,
        permissions, owner, group, target, facts, line,
    )


def fields_from_facts(facts: dict[str, str], cache: _Cache) -> tuple[
        EntryKind, int | None, datetime | None, str | None, str | None, str | None, str | None]:
    """``(kind, size, modified, permissions, owner, group, target)`` of an entry with
    these (lower-cased) facts."""
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
            permissions = _decode_mode(mode, modes)
    if permissions is None:
        permissions = get("perm")

    owner = get("unix.ownername") or get("unix.owner") or get("unix.uid")
    group = get("unix.groupname") or get("unix.group") or get("unix.gid")
    return kind, size, modified, permissions, owner, group, target


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


_ENTRY_CLASS = ListingEntry
_SELF_OR_PARENT_NAMES = frozenset([".", ".."])


def parse_mlsd_lines(lines: Iterable[str], cache: _Cache, entries: list[ListingEntry],
                     unparsed: list[str]) -> int:
    """Parse MLSD lines (without line endings) into ``entries``; lines that are not MLSD
    facts go to ``unparsed``; blank lines, ``.``/``..`` and cdir/pdir are skipped.
    Returns the number of entries added.

    The loop takes the shape nearly every server sends — lower-case fact names (values
    in any case), every
    fact ``name=value;``, a plain file/dir type, a 14-digit time — and builds the entry
    in place; any other line goes through :func:`parse_mlsx`, so the result is the same
    as parsing line by line, only faster.
    """
    append = entries.append
    modes = cache.modes
    kinds = _KIND_BY_TYPE
    fromiso = _fromisoformat
    new = new_entry_class
    entry_class = _ENTRY_CLASS
    skip_names = _SELF_OR_PARENT_NAMES
    added = 0
    shapes = cache.shapes
    for line in lines:
        for match, keys in shapes:
            found = match(line)
            if found is not None:
                values = found.groups()
                facts = dict(zip(keys, values, strict=False))  # the name (last) left out
                name = values[-1]
                break
        else:
            facts_text, _, name = line.partition(" ")
            facts = {}
            if facts_text and name:
                parts = facts_text.split(";")
                if not parts[-1]:  # else no ';' before the name: the careful parser decides
                    parts.pop()
                    for fact in parts:
                        key, eq, value = fact.partition("=")
                        # upper-case fact names (ProFTPD's "UNIX.mode") are folded by the
                        # careful parser; values may be in any case (perm=radfwMT)
                        if not key or not eq or not key.islower():
                            facts = {}
                            break
                        facts[key] = value
                    if facts and len(facts) == len(parts) and len(shapes) < _MAX_SHAPES:
                        shapes.append((_shape_matcher(tuple(facts)), tuple(facts)))
        if not facts:
            if not line or line.isspace():
                continue
            if line[0] == " " and looks_like_mlsx(line[1:]):
                line = line[1:]
            try:
                entry = parse_mlsx(line, cache)
            except ListingParseError:
                unparsed.append(line)
                continue
            if (entry.kind is DIR and is_self_or_parent(entry)) or entry.name in skip_names:
                continue
            append(entry)
            added += 1
            continue
        get = facts.get
        type_value = get("type")
        target = None
        if type_value is None:
            kind = OTHER
        else:
            kind = kinds.get(type_value)
            if kind is None:
                kind, target = _kind_and_target(type_value)
        if name in skip_names or (kind is DIR and (
                type_value.lower() in _SELF_OR_PARENT_TYPES or name.endswith(("/.", "/..")))):
            continue
        size = None
        size_text = get("size")
        if size_text is None and kind is DIR:
            size_text = get("sizd")
        if size_text is not None and size_text.isdecimal() and len(size_text) < 40:
            size = int(size_text)
        modified = None
        modify = get("modify")
        if modify is not None:
            if len(modify) == 14 and modify.isdigit():
                try:
                    modified = fromiso(modify[:8] + "T" + modify[8:] + "+00:00")
                except ValueError:
                    pass
            else:
                modified = parse_mlsx_time(modify)
        mode = get("unix.mode")
        if mode is None:
            permissions = get("perm")
        else:
            permissions = modes.get(mode, _UNKNOWN)
            if permissions is _UNKNOWN:
                permissions = _decode_mode(mode, modes)
            if permissions is None:
                permissions = get("perm")
        owner = get("unix.owner")
        if "unix.ownername" in facts or not owner:
            owner = get("unix.ownername") or owner or get("unix.uid")
        group = get("unix.group")
        if "unix.groupname" in facts or not group:
            group = get("unix.groupname") or group or get("unix.gid")
        entry = new(name, kind, size, modified, "second" if modified is not None else None,
                    permissions, owner, group, target, facts, line)
        entry.__class__ = entry_class
        append(entry)
        added += 1
    return added
