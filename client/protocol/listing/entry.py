"""The one entry type every listing format is parsed into, and the result of a parse."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

__all__ = ["EntryKind", "ListingEntry", "ListingResult", "NO_FACTS", "LAZY_FIELDS"]

#: The (shared, read-only) facts of an entry that did not come from MLSD/MLST.
NO_FACTS: Mapping[str, str] = MappingProxyType({})


class EntryKind(enum.Enum):
    FILE = "file"
    DIR = "dir"
    LINK = "link"
    OTHER = "other"  # devices, fifos, sockets, and names whose kind the format does not say


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """One directory entry, whatever format it was listed in.

    ``modified`` is timezone-aware UTC for MLSD/MLST and EPLF (the formats that say so)
    and naive server-local time for ``ls -l`` and DOS listings, with
    ``modified_precision`` saying how much of it the server actually sent ("second",
    "minute" or "day"; a year-only ``ls`` date is "day"). ``raw`` is the line as
    received, for the inspector and for reporting what was not understood.

    An MLSD entry of a large listing may be built from its name, kind and line only;
    its other fields are then read from the line on first access (see
    ``__getattr__``), which no caller can tell apart from an entry built whole.
    """

    name: str
    kind: EntryKind
    size: int | None = None
    modified: datetime | None = None
    modified_precision: str | None = None
    permissions: str | None = None
    owner: str | None = None
    group: str | None = None
    target: str | None = None
    facts: Mapping[str, str] = field(default_factory=lambda: NO_FACTS, hash=False)
    raw: str = ""

    @property
    def is_dir(self) -> bool:
        return self.kind is EntryKind.DIR

    @property
    def is_file(self) -> bool:
        return self.kind is EntryKind.FILE

    @property
    def is_link(self) -> bool:
        return self.kind is EntryKind.LINK

    if not TYPE_CHECKING:  # (so that type checkers still see a misspelt field)

        def __getattr__(self, name: str) -> object:
            """Called only when the slot is unset: an MLSD entry built from its line
            only has its other fields filled from the line, then read. A hook that
            Python calls only on a miss keeps every other read a plain slot read (a
            descriptor in Python on each field cost a call per read, 0.1 µs)."""
            get = _LAZY_GET.get(name)
            if get is None:
                raise AttributeError(
                    f"'ListingEntry' object has no attribute {name!r}", name=name, obj=self)
            _fill(self)
            return get(self)


#: Fields that an MLSD entry built from its line only (``mlsd_fast._fast_piece``)
#: leaves unset until one of them is read.
LAZY_FIELDS = ("size", "modified", "modified_precision", "permissions", "owner", "group",
               "target", "facts")


def _fill(entry: object) -> None:
    """Read the entry's MLSD line by the careful parser's rules and set every lazy
    field from it: the values are by construction those of an entry parsed whole.
    (Replaces itself by the filler on its first call.)"""
    global _fill
    from client.protocol.listing.mlsd_lazy import fill_lazy_entry

    _fill = fill_lazy_entry
    fill_lazy_entry(entry)


#: The slots' own member descriptors, for the parsers' constructors.
SLOT_MEMBERS = {name: ListingEntry.__dict__[name] for name in ListingEntry.__slots__}
_LAZY_GET = {name: SLOT_MEMBERS[name].__get__ for name in LAZY_FIELDS}


def _init_entry():  # noqa: ANN202 - returns the __init__ below
    """``ListingEntry.__init__`` with the generated one's signature, storing into the
    slots directly: the generated one goes through ``object.__setattr__`` per field
    (a frozen dataclass must), which cost half again the time of an entry built by
    keywords, as SFTP listings are."""
    s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10 = (
        SLOT_MEMBERS[name].__set__ for name in ListingEntry.__slots__)

    def __init__(  # noqa: N807
        self: ListingEntry, name: str, kind: EntryKind, size: int | None = None,
        modified: datetime | None = None, modified_precision: str | None = None,
        permissions: str | None = None, owner: str | None = None, group: str | None = None,
        target: str | None = None, facts: Mapping[str, str] = NO_FACTS, raw: str = "",
    ) -> None:
        s0(self, name)
        s1(self, kind)
        s2(self, size)
        s3(self, modified)
        s4(self, modified_precision)
        s5(self, permissions)
        s6(self, owner)
        s7(self, group)
        s8(self, target)
        s9(self, facts)
        s10(self, raw)

    __init__.__qualname__ = "ListingEntry.__init__"
    return __init__


ListingEntry.__init__ = _init_entry()  # type: ignore[method-assign]


@dataclass(frozen=True, slots=True)
class ListingResult:
    """Entries in listing order (``.``, ``..``, cdir and pdir left out), the lines that
    parsed as nothing (reported, never dropped silently), and the dominant format:
    "mlsd", "unix", "dos", "eplf", "names", "empty" (no lines) or "unknown" (only
    unparsed lines)."""

    entries: tuple[ListingEntry, ...]
    unparsed: tuple[str, ...] = ()
    format: str = "empty"

    def __len__(self) -> int:
        return len(self.entries)

    def by_name(self) -> dict[str, ListingEntry]:
        """Entries keyed by name (the last one wins if a server lists a name twice)."""
        return {entry.name: entry for entry in self.entries}


def _fast_constructor():  # noqa: ANN202 - returns a closure with the field order of ListingEntry
    """Build entries without the frozen dataclass ``__init__``.

    Parsers make hundreds of thousands of entries; the generated ``__init__`` of a frozen
    dataclass pays an ``object.__setattr__`` lookup per field, the slot descriptors do
    the same work in half the time. The object is an ordinary ``ListingEntry``.
    """
    new = object.__new__
    cls = ListingEntry
    s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10 = (
        SLOT_MEMBERS[name].__set__
        for name in (
            "name", "kind", "size", "modified", "modified_precision", "permissions",
            "owner", "group", "target", "facts", "raw",
        )
    )

    def make_entry(
        name: str,
        kind: EntryKind,
        size: int | None,
        modified: datetime | None,
        modified_precision: str | None,
        permissions: str | None,
        owner: str | None,
        group: str | None,
        target: str | None,
        facts: Mapping[str, str],
        raw: str,
    ) -> ListingEntry:
        entry = new(cls)
        s0(entry, name)
        s1(entry, kind)
        s2(entry, size)
        s3(entry, modified)
        s4(entry, modified_precision)
        s5(entry, permissions)
        s6(entry, owner)
        s7(entry, group)
        s8(entry, target)
        s9(entry, facts)
        s10(entry, raw)
        return entry

    return make_entry


#: ``make_entry(name, kind, size, modified, precision, permissions, owner, group, target,
#: facts, raw)``: positional, all fields, for the parsers' hot loops.
make_entry = _fast_constructor()


class new_entry_class:  # noqa: N801 - used like a function by the parsers' loops
    """The fastest way to make a :class:`ListingEntry` in CPython: this class has the
    same slots in the same order, so its plain attribute stores fill the same memory,
    and the object then becomes a ``ListingEntry`` by assigning ``__class__`` (allowed
    between classes of identical layout). The frozen ``__init__`` pays a generic
    ``object.__setattr__`` call per field, several times slower for a large listing.

    Usage: ``entry = new_entry_class(...fields in order...); entry.__class__ = ListingEntry``.
    """

    __slots__ = ListingEntry.__slots__

    def __init__(self, name: str, kind: EntryKind, size: int | None,
                 modified: datetime | None, modified_precision: str | None,
                 permissions: str | None, owner: str | None, group: str | None,
                 target: str | None, facts: Mapping[str, str], raw: str) -> None:
        self.name = name
        self.kind = kind
        self.size = size
        self.modified = modified
        self.modified_precision = modified_precision
        self.permissions = permissions
        self.owner = owner
        self.group = group
        self.target = target
        self.facts = facts
        self.raw = raw


if new_entry_class.__slots__ != ("name", "kind", "size", "modified", "modified_precision",
                                 "permissions", "owner", "group", "target", "facts", "raw"):
    raise RuntimeError("new_entry_class must list ListingEntry's fields in order")
