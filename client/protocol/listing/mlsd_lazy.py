"""Filling the fields of an MLSD entry that the whole-buffer path built from its name,
kind and line only (``mlsd_fast``), on the first read of one of them.

A reader of every field (``ls -l``, ``ls --json``, a comparison) fills every entry of a
listing, so this is the hot path for them: one prefix match of the line's fact
sequence (a listing repeats one or two, remembered here) gives the values, and the
fields are worked out inline by the rules of
:func:`client.protocol.listing.mlsx.fields_from_facts` (which the tests hold it to),
without the calls and the kind and link rules that such a line cannot need: its type
is ``file`` or ``dir`` or absent, so there is no link target.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime

from client.protocol.listing.dates import parse_mlsx_time
from client.protocol.listing.entry import SLOT_MEMBERS, EntryKind
from client.protocol.listing.mlsx import _Cache, _decode_mode, fields_from_facts, parse_mlsx

__all__ = ["fill_lazy_entry"]

_DIR = EntryKind.DIR
_UNKNOWN = object()
_fromisoformat = datetime.fromisoformat
_CACHE = _Cache()
_MODES = _CACHE.modes
_get_raw = SLOT_MEMBERS["raw"].__get__
_get_kind = SLOT_MEMBERS["kind"].__get__
_set_size, _set_modified, _set_precision, _set_permissions, _set_owner, _set_group, \
    _set_target, _set_facts = (SLOT_MEMBERS[name].__set__ for name in (
        "size", "modified", "modified_precision", "permissions", "owner", "group", "target",
        "facts"))

#: Where each field's fact is among a sequence's values (see :func:`_plan`).
_FIELD_FACTS = ("size", "sizd", "modify", "unix.mode", "perm", "unix.ownername", "unix.owner",
                "unix.uid", "unix.groupname", "unix.group", "unix.gid")

#: Prefix matchers of the fact sequences filled lately, with their lower-cased names
#: and :func:`_plan`, newest first (a tuple, replaced whole: fills may run in several
#: threads).
_recent: tuple[tuple[Callable[[str], re.Match[str] | None], tuple[str, ...],
                     tuple[int, ...]], ...] = ()
_MAX_RECENT = 8


@functools.lru_cache(maxsize=64)
def _facts_matcher(names: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """Matches a line whose facts are exactly ``names`` in this order, values as
    groups: ``k=v;`` for each, then the first space (values hold no space, so the
    match ends where the careful parser's facts end; the name is not read). One more
    group never takes part, so its value, None, stands for a fact the line lacks."""
    facts = "".join(f"{re.escape(name)}=([^; ]*);" for name in names)
    return re.compile(facts + " (){0}").match


def _plan(lowered: tuple[str, ...]) -> tuple[int, ...]:
    """For each of :data:`_FIELD_FACTS`, its place among the values (the place of
    the value that is always None when the sequence lacks it)."""
    return tuple(lowered.index(fact) if fact in lowered else len(lowered)
                 for fact in _FIELD_FACTS)


def _learn(raw: str) -> re.Match[str] | None:
    """The match of a line of a sequence not seen lately, the sequence remembered;
    None for a line whose facts the careful parser must read (not every fact
    ``key=value;``, or a name repeated in another case: which value wins is its
    rule)."""
    global _recent
    facts_text = raw.partition(" ")[0]
    pairs = [fact.partition("=") for fact in facts_text[:-1].split(";")]
    if not facts_text.endswith(";") or not all(key and eq for key, eq, _ in pairs):
        return None
    names = tuple(key for key, _, _ in pairs)
    lowered = tuple(key.lower() for key in names)
    if len(set(lowered)) != len(lowered):
        return None
    learnt = (_facts_matcher(names), lowered, _plan(lowered))
    _recent = (learnt, *_recent[:_MAX_RECENT - 1])
    return learnt[0](raw)


def fill_lazy_entry(entry: object) -> None:
    """Set the unset fields of an entry built from its line only, by the careful
    parser's rules."""
    raw = _get_raw(entry)
    for match, names, plan in _recent:  # noqa: B007 - the sequence that matched is used
        found = match(raw)
        if found is not None:
            break
    else:
        found = _learn(raw)
        if found is None:
            _fill_carefully(entry, raw)
            return
        _match, names, plan = _recent[0]
    values = found.groups()
    (size_at, sizd_at, modify_at, mode_at, perm_at, ownername_at, owner_at, uid_at,
     groupname_at, group_at, gid_at) = plan
    size = None
    text = values[size_at]
    if text is None and _get_kind(entry) is _DIR:
        text = values[sizd_at]
    if text is not None and text.isdecimal() and len(text) < 40:
        size = int(text)
    modified = precision = None
    text = values[modify_at]
    if text is not None:
        if len(text) == 14 and text.isdigit():
            try:
                modified = _fromisoformat(f"{text[:8]}T{text[8:]}+00:00")
            except ValueError:
                pass
        else:
            modified = parse_mlsx_time(text)
        if modified is not None:
            precision = "second"
    text = values[mode_at]
    if text is None:
        permissions = values[perm_at]
    else:
        permissions = _MODES.get(text, _UNKNOWN)
        if permissions is _UNKNOWN:
            permissions = _decode_mode(text, _MODES)
        if permissions is None:
            permissions = values[perm_at]
    _set_size(entry, size)
    _set_modified(entry, modified)
    _set_precision(entry, precision)
    _set_permissions(entry, permissions)
    _set_owner(entry, values[ownername_at] or values[owner_at] or values[uid_at])
    _set_group(entry, values[groupname_at] or values[group_at] or values[gid_at])
    _set_target(entry, None)
    _set_facts(entry, dict(zip(names, values)))  # noqa: B905 - the last value left out


def _fill_carefully(entry: object, raw: str) -> None:
    """Every field as the careful parser reads the line (its facts' dict included)."""
    facts = dict(parse_mlsx(raw, _CACHE).facts)
    _kind, size, modified, permissions, owner, group, target = fields_from_facts(
        facts, _CACHE)
    _set_size(entry, size)
    _set_modified(entry, modified)
    _set_precision(entry, "second" if modified is not None else None)
    _set_permissions(entry, permissions)
    _set_owner(entry, owner)
    _set_group(entry, group)
    _set_target(entry, target)
    _set_facts(entry, facts)

