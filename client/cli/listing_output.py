"""Directory listings as ``ls -l`` text and as JSON (``ls --json``).

JSON entries: ``{name, type: file|dir|link|other, size, modified (ISO 8601 or null),
permissions, target}``. Names come from the server: in text they are shown with control
characters escaped (a name must not move the cursor or recolour the terminal); in JSON
they are kept as sent (JSON escapes control characters itself), except for bytes the
charset could not decode, which are written ``\\xNN`` (JSON text must be Unicode).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable

from client.protocol.charsets import show_undecodable
from client.protocol.listing import ListingEntry
from client.protocol.listing.mlsx import mode_to_permissions
from client.protocol.text import escape_control

__all__ = ["entries_to_json", "entry_to_json", "format_long_listing", "long_line"]

_KIND_CHAR = {"file": "-", "dir": "d", "link": "l", "other": "?"}
_SIX_MONTHS = _dt.timedelta(days=182)


def entry_to_json(entry: ListingEntry) -> dict[str, object]:
    return {
        "name": show_undecodable(entry.name),
        "type": entry.kind.value,
        "size": entry.size,
        "modified": entry.modified.isoformat() if entry.modified is not None else None,
        "permissions": entry.permissions,
        "target": show_undecodable(entry.target) if entry.target else entry.target,
    }


def entries_to_json(entries: Iterable[ListingEntry]) -> list[dict[str, object]]:
    return [entry_to_json(entry) for entry in entries]


_RWX = re.compile(r"^[-dlbcpsD?]?[-r][-w][-xsS][-r][-w][-xsS][-r][-w][-xtT][+@.]?$")


def _mode(entry: ListingEntry) -> str:
    """``drwxr-xr-x`` from Unix permissions, or from MLSD's ``unix.mode`` fact; MLSD's
    ``perm`` fact (``radfwMT``) is not a mode and is left to ``--json``."""
    kind = _KIND_CHAR[entry.kind.value]
    perms = entry.permissions or ""
    if _RWX.match(perms):
        return perms if len(perms) >= 10 else kind + perms
    unix_mode = entry.facts.get("unix.mode") if entry.facts else None
    if unix_mode:
        try:
            return kind + mode_to_permissions(int(unix_mode, 8))[-9:]
        except ValueError:
            pass
    return kind + "?????????"


def _date(modified: _dt.datetime | None, now: _dt.datetime) -> str:
    if modified is None:
        return " " * 12
    if modified.tzinfo is not None:
        modified = modified.astimezone(_dt.UTC).replace(tzinfo=None)
    if abs(now - modified) > _SIX_MONTHS:
        return modified.strftime("%b %e  %Y")
    return modified.strftime("%b %e %H:%M")


def long_line(entry: ListingEntry, *, size_width: int = 0, owner_width: int = 0,
              group_width: int = 0, now: _dt.datetime | None = None) -> str:
    """One ``ls -l`` style line."""
    now = now or _dt.datetime.now(_dt.UTC).replace(tzinfo=None)
    size = "" if entry.size is None else str(entry.size)
    owner = escape_control(entry.owner or "-")
    group = escape_control(entry.group or "-")
    name = escape_control(entry.name)
    if entry.target:
        name += f" -> {escape_control(entry.target)}"
    return (f"{_mode(entry)} {owner.ljust(owner_width)} {group.ljust(group_width)} "
            f"{size.rjust(size_width)} {_date(entry.modified, now)} {name}")


def format_long_listing(entries: Iterable[ListingEntry], *,
                        now: _dt.datetime | None = None) -> str:
    """Entries as ``ls -l`` prints them, columns aligned; "" for an empty listing."""
    items = sorted(entries, key=lambda e: e.name)
    if not items:
        return ""
    size_width = max(len(str(e.size)) if e.size is not None else 0 for e in items)
    owner_width = max(len(escape_control(e.owner or "-")) for e in items)
    group_width = max(len(escape_control(e.group or "-")) for e in items)
    return "\n".join(long_line(e, size_width=size_width, owner_width=owner_width,
                               group_width=group_width, now=now) for e in items)
