"""SFTP file attributes as the listing entries every front end already shows.

SFTP version 3 (OpenSSH) sends the POSIX mode, size, uid/gid and times in ATTRS, and a
``longname`` (an ``ls -l`` line) beside each name in READDIR answers: the owner and
group names come from there, since version 3 carries only numbers.
"""

from __future__ import annotations

import datetime as _dt
import stat
from collections.abc import Mapping
from types import MappingProxyType

import asyncssh

from client.protocol.listing.entry import NO_FACTS, EntryKind, ListingEntry

__all__ = ["entry_from_attrs", "kind_of"]

_TYPE_KIND = {
    asyncssh.FILEXFER_TYPE_REGULAR: EntryKind.FILE,
    asyncssh.FILEXFER_TYPE_DIRECTORY: EntryKind.DIR,
    asyncssh.FILEXFER_TYPE_SYMLINK: EntryKind.LINK,
}


def kind_of(attrs: asyncssh.SFTPAttrs) -> EntryKind:
    """From the mode bits when the server sent them (version 3), else the v4 type."""
    if attrs.permissions is not None and stat.S_IFMT(attrs.permissions):
        mode = attrs.permissions
        if stat.S_ISREG(mode):
            return EntryKind.FILE
        if stat.S_ISDIR(mode):
            return EntryKind.DIR
        if stat.S_ISLNK(mode):
            return EntryKind.LINK
        return EntryKind.OTHER
    return _TYPE_KIND.get(attrs.type, EntryKind.OTHER)


def _owner_group(longname: str) -> tuple[str | None, str | None]:
    fields = longname.split()
    if len(fields) >= 4 and fields[0][:1] in "-dlcbps" and len(fields[0]) >= 10:
        return fields[2], fields[3]
    return None, None


def entry_from_attrs(name: str, attrs: asyncssh.SFTPAttrs, *, longname: str = "",
                     target: str | None = None) -> ListingEntry:
    kind = kind_of(attrs)
    modified = (_dt.datetime.fromtimestamp(attrs.mtime, _dt.UTC)
                if attrs.mtime is not None else None)
    permissions = (stat.filemode(attrs.permissions) if attrs.permissions is not None
                   and stat.S_IFMT(attrs.permissions) else None)
    owner, group = attrs.owner, attrs.group
    if owner is None and longname:
        owner, group = _owner_group(longname)
    if owner is None and attrs.uid is not None:
        owner, group = str(attrs.uid), str(attrs.gid) if attrs.gid is not None else None
    facts: Mapping[str, str] = NO_FACTS
    if attrs.permissions is not None:
        facts = MappingProxyType({"unix.mode": f"{stat.S_IMODE(attrs.permissions):04o}"})
    return ListingEntry(
        name=name, kind=kind, size=attrs.size if kind is not EntryKind.DIR else attrs.size,
        modified=modified, modified_precision="second" if modified else None,
        permissions=permissions, owner=owner, group=group, target=target, facts=facts,
        raw=longname or name)
