"""EPLF lines (D. J. Bernstein's Easily Parsed LIST Format):
``+i8388621.29609,m824255902,/,\\tdir`` — facts after ``+``, comma-separated, each
identified by its first character, then a tab and the name. ``m`` is seconds since the
Unix epoch (UTC), ``s`` the size, ``/`` a directory, ``r`` a retrievable file, ``up``
octal permissions.
"""

from __future__ import annotations

from datetime import UTC, datetime

from client.protocol.listing.entry import NO_FACTS, EntryKind, ListingEntry, make_entry
from client.protocol.listing.mlsx import mode_to_permissions

__all__ = ["parse_eplf_line"]


def parse_eplf_line(line: str) -> ListingEntry | None:
    """Parse one EPLF line, or return None if it is not one."""
    if not line.startswith("+"):
        return None
    facts_text, tab, name = line[1:].partition("\t")
    if not tab or not name:
        return None
    is_dir = is_file = False
    size = modified = permissions = None
    for fact in facts_text.split(","):
        if not fact:
            continue
        code, value = fact[0], fact[1:]
        try:
            if code == "/":
                is_dir = True
            elif code == "r":
                is_file = True
            elif code == "s" and value.isdecimal():
                size = int(value)
            elif code == "m" and value.isdecimal():
                modified = datetime.fromtimestamp(int(value), UTC)
            elif code == "u" and value.startswith("p"):
                permissions = mode_to_permissions(int(value[1:], 8))
        except (ValueError, OverflowError, OSError):
            pass  # an unusable fact: the entry stands without it
    kind = EntryKind.DIR if is_dir else EntryKind.FILE if is_file else EntryKind.OTHER
    return make_entry(
        name, kind, size, modified, "second" if modified is not None else None,
        permissions, None, None, None, NO_FACTS, line,
    )
