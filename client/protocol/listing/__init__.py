"""Directory listing parsers: MLSD/MLST facts (RFC 3659), Unix ``ls -l`` variants,
DOS/IIS, EPLF and bare name lists, detected per line, into one entry type.

CONTRACT (implemented in this package; other modules rely on these names, importable
from ``client.protocol.listing``):

- ``EntryKind`` (Enum: FILE, DIR, LINK, OTHER).
- ``ListingEntry`` (frozen dataclass, slots): ``name`` (str), ``kind`` (EntryKind),
  ``size`` (int | None), ``modified`` (datetime | None; timezone-aware UTC for MLSD,
  naive local for ls/DOS), ``modified_precision`` ("second" | "minute" | "day" | None),
  ``permissions`` (str | None, e.g. "rwxr-xr-x" or MLSD "perm" fact),
  ``owner`` / ``group`` (str | None), ``target`` (str | None, symlink target),
  ``facts`` (Mapping[str, str]: raw MLSD facts, empty otherwise), ``raw`` (str: the line).
  An MLSD entry of the usual shape is built from its name, kind and line; its other
  fields are read from the line on first access (``mlsd_fast``), invisibly to readers.
- ``ListingResult`` (frozen dataclass): ``entries`` (tuple[ListingEntry, ...]),
  ``unparsed`` (tuple[str, ...], lines that parsed as nothing, reported not dropped),
  ``format`` (str: the dominant format detected).
- ``parse_listing(data: bytes | str, *, fmt="auto", now=None, encoding="utf-8")
  -> ListingResult`` — fmt in "auto" | "mlsd" | "unix" | "dos" | "eplf" | "names";
  ``encoding`` is the charset of the names (``client.protocol.charsets``): each name
  encodes back to the bytes the server sent, undecodable bytes kept as surrogates.
- ``parse_mlsx_line(line: str) -> ListingEntry`` (MLSD line or MLST 250 inner line),
  raising ``client.protocol.errors.ProtocolError`` subclasses on garbage.

Also provided: ``parse_stat_listing(reply, *, now=None) -> ListingResult`` (the listing
inside a STAT reply), ``ListingParser(fmt=..., now=..., encoding=...)`` with ``feed(bytes)`` /
``feed_lines(lines)`` / ``finish() -> ListingResult`` for listings parsed while they
arrive, and ``ListingEntry.is_dir`` / ``is_file`` / ``is_link``.
"""

from client.protocol.listing.entry import EntryKind, ListingEntry, ListingResult
from client.protocol.listing.mlsx import parse_mlsx_line
from client.protocol.listing.parser import (
    FORMATS,
    ListingParser,
    parse_listing,
    parse_stat_listing,
)

__all__ = [
    "EntryKind",
    "ListingEntry",
    "ListingResult",
    "ListingParser",
    "FORMATS",
    "parse_listing",
    "parse_mlsx_line",
    "parse_stat_listing",
]
