"""The whole-buffer MLSD path: a listing's text checked and cut by one regex scan per
piece, entries built with their name, kind and line only.

Per line, CPython's cost is dominated by what is allocated: a dict of facts, a
datetime, a mode string and an eleven-field entry cost more than 3 µs, while most
readers of a 100,000-entry listing look at names and kinds only (the window shows a
few dozen rows; sorting by name needs names and kinds). So a line of the usual shape
gives an entry whose other fields are read from its line, by the careful parser's
rules (:func:`client.protocol.listing.mlsx.fields_from_facts`), the first time one
of them is asked for (``ListingEntry.__getattr__``). The values
are the careful parser's by construction; this module only has to decide the name,
the kind, and whether a line is shown at all, exactly as
:func:`client.protocol.listing.mlsx.parse_mlsx` would.

:data:`_FAST` recognises only lines whose answer to those three questions it can read
without doubt:

* the facts (everything before the first space) are ``key=value;`` pairs, keys of
  ASCII letters, digits, ``.``, ``_`` or ``-``, values without ``;`` (so the careful
  parser's split finds the same facts and never fails);
* a ``type`` fact, if any, is spelled in lower case with the value ``file`` or ``dir``
  (any other spelling of the name or value, ``cdir``/``pdir`` and links go to the
  careful parser); when it is repeated the last one counts, as in the careful
  parser's dict;
* a non-empty name that does not end with ``.`` (so ``.``, ``..`` and ``x/..`` are
  left to the careful parser's rules) and has no CR in it.

A piece of text in which every line is recognised is cut and scanned by C-level calls
and its entries made in one tight loop (:func:`_fast_piece`); any
other piece is parsed line by line as before (:func:`parse_mlsd_lines`), so odd and
hostile lines behave exactly as they always did.

:data:`_FAST` accepts the facts in any order, which costs an alternation per fact. A
server repeats one or two fact sequences, so :class:`Shapes` learns them from the
lines and scans with a pattern of literal fact names (:func:`_shape_pattern`), which
the regex engine finds by its literal start; the pattern obeys the same rules, so a
line it recognises gives what :data:`_FAST` would give. Most of its cost is the
engine's per-character loop, so the usual case is made cheap: when every line starts
with its type (ProFTPD, pure-ftpd), the scan returns names only (no tuple per line;
the kind is the line's sixth character); and every learnt pattern reads values up to
their ``;`` and names up to the line's CR (excluding one character is the engine's
fastest loop), the piece's spaces counted instead of being excluded from every value.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Sequence

from client.protocol.listing.entry import EntryKind, ListingEntry
from client.protocol.listing.mlsd_lazy import fill_lazy_entry
from client.protocol.listing.mlsx import _Cache, parse_mlsd_lines

__all__ = ["parse_mlsd_text", "parse_mlsd_list", "fill_lazy_entry", "Shapes"]

_VALUE = r"=[^; \r\n]*+;"
_NAME = r" ([^\r\n]++)(?<!\.)"
_FACTS = r"^(?:type=(file|dir);|(?!(?i:type)=)[A-Za-z0-9._-]++" + _VALUE + ")++" + _NAME
#: For text as received (CRLF or LF line ends).
_FAST = re.compile(_FACTS + r"\r?$", re.MULTILINE)
#: For lines already cut (a CR left in a line belongs to its name).
_FAST_LINES = re.compile(_FACTS + r"$", re.MULTILINE)
#: How a name and its line end, by what a piece holds: every line ends in CRLF (the
#: name is read up to the CR, which must then end the line: a CR in a name, or a line
#: ending in LF alone, fails the line); no CR at all (up to the LF); anything else, as
#: :data:`_FAST` and :data:`_FAST_LINES`. Excluding one character is the regex
#: engine's fastest loop, so the first two cost a third of the last per character.
_ENDINGS = {
    "crlf": r" ([^\r]++)(?<!\.)\r$",
    "lf": r" ([^\n]++)(?<!\.)$",
    "text": _NAME + r"\r?$",
    "lines": _NAME + r"$",
}
_KIND_OF_TYPE = {"file": EntryKind.FILE, "dir": EntryKind.DIR, "": EntryKind.OTHER}
_KIND_OF_LETTER = {"f": EntryKind.FILE, "d": EntryKind.DIR}
_second = operator.itemgetter(1)
#: Characters per piece of text: a piece with one odd line is parsed line by line.
PIECE_CHARS = 16 * 1024
#: Lines per piece when lines are given.
PIECE_LINES = 128


class _Blank:
    """An object with :class:`ListingEntry`'s slots in the same order but neither its
    ``__init__`` nor its frozen ``__setattr__``: the loops below make one, store the
    name, kind and line as plain slot stores (which the interpreter specialises), and
    make it a ``ListingEntry`` by assigning ``__class__`` (allowed between classes of
    identical layout). A constructor with an ``__init__``, called through ``map``, cost
    a Python call per entry more (0.05 µs of ~1 µs)."""

    __slots__ = ListingEntry.__slots__


_KEY = re.compile(r"[A-Za-z0-9._-]+")
_MAX_KEYS = 24
_MAX_LEARNING = 4


def _line_keys(line: str) -> tuple[str, ...] | None:
    """The fact names of a line in order, if the fast path could take such a line
    (not a ``cdir``/``pdir`` line or a link: learning their shapes would only make
    facts optional that every other line has)."""
    facts, _, _ = line.partition(" ")
    if not facts.endswith(";"):
        return None
    pairs = [fact.partition("=") for fact in facts[:-1].split(";")]
    keys = tuple(key for key, _, _ in pairs)
    if len(set(keys)) != len(keys):
        return None
    for key, _, value in pairs:
        if not _KEY.fullmatch(key) or (key != "type" and key.lower() == "type"):
            return None
        if key == "type" and value not in ("file", "dir"):
            return None
    return keys


def _merge(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    """The shortest sequence holding both ``a`` and ``b`` in order (through their
    longest common subsequence)."""
    n, m = len(a), len(b)
    common = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            common[i][j] = (common[i + 1][j + 1] + 1 if a[i] == b[j]
                            else max(common[i + 1][j], common[i][j + 1]))
    merged: list[str] = []
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            merged.append(a[i])
            i += 1
            j += 1
        elif common[i + 1][j] >= common[i][j + 1]:
            merged.append(a[i])
            i += 1
        else:
            merged.append(b[j])
            j += 1
    return (*merged, *a[i:], *b[j:])


def _type_first(keys: tuple[str, ...], required: frozenset[str]) -> bool:
    """Whether every line of this shape starts with its ``type`` fact."""
    return bool(keys) and keys[0] == "type" and "type" in required


@functools.lru_cache(maxsize=32)
def _shape_pattern(keys: tuple[str, ...], required: frozenset[str],
                   ending: str) -> re.Pattern[str]:
    """Lines whose facts are ``keys`` in this order (those not in ``required`` may be
    left out), under the rules of :data:`_FAST`, ending as ``_ENDINGS[ending]`` says.
    When every line starts with its type (:func:`_type_first`) the name is the only
    group (the kind is read from the line's sixth character); otherwise ``type`` is
    group 1 (an empty group when the shape has none) and the name group 2."""
    type_first = _type_first(keys, required)
    parts = [] if "type" in keys else ["()"]
    if keys[0] not in required:
        parts.append("(?! )")  # at least one fact (a line of spaces is no entry)
    for key in keys:
        if key == "type":
            fact = "type=(?:file|dir);" if type_first else "type=(file|dir);"
        else:
            # values are read up to their ';' only (the engine's fastest loop); a
            # space in them is found by counting (see _fast_piece)
            fact = re.escape(key) + r"=[^;]*+;"
        # possessive: a fact taken is never given back, so a line is read in one pass
        # whatever sequences a server sends (no backtracking over optional facts)
        parts.append(fact if key in required else f"(?:{fact})?+")
    return re.compile("^" + "".join(parts) + _ENDINGS[ending], re.MULTILINE)


class Shapes:
    """The fact sequences a listing's lines showed so far, merged into one sequence
    (:func:`_merge`), and the patterns made of it. Learning reads every line of a
    piece; it is done for the first piece and again (a few times at most) for a piece
    that the pattern did not take whole."""

    __slots__ = ("seen", "keys", "required", "learning_left", "type_first", "patterns")

    def __init__(self) -> None:
        self.seen: set[tuple[str, ...]] = set()
        self.keys: tuple[str, ...] = ()
        self.required: frozenset[str] = frozenset()
        self.learning_left = _MAX_LEARNING
        #: whether every line of the shape starts with its type (see :func:`_type_first`)
        self.type_first = False
        #: the patterns of the current shape by line ending, made once per shape
        self.patterns: dict[str, re.Pattern[str]] = {}

    def learn(self, lines: list[str]) -> bool:
        """Add the shapes of ``lines``; False when nothing new was learnt."""
        if self.learning_left <= 0:
            return False
        self.learning_left -= 1
        new = {keys for keys in map(_line_keys, lines) if keys is not None} - self.seen
        if not new:
            return False
        keys = self.keys
        for shape in new:
            keys = _merge(keys, shape)
        if keys.count("type") > 1 or len(keys) > _MAX_KEYS:
            self.learning_left = 0
            return False
        self.seen |= new
        self.keys = keys
        self.required = frozenset.intersection(*map(frozenset, self.seen))
        self.type_first = _type_first(keys, self.required)
        self.patterns = {}
        return True

    def pattern(self, ending: str) -> re.Pattern[str] | None:
        pattern = self.patterns.get(ending)
        if pattern is None and self.keys:
            pattern = self.patterns[ending] = _shape_pattern(self.keys, self.required, ending)
        return pattern


def _shapes(cache: _Cache) -> Shapes:
    shapes = cache.fast
    if shapes is None:
        shapes = cache.fast = Shapes()
    return shapes  # type: ignore[return-value]


def _fast_piece(piece: str, lines: list[str], pattern: re.Pattern[str], type_first: bool,
                entries: list[ListingEntry]) -> bool:
    """Build the entries of ``piece`` (whose lines are ``lines``) if every line is
    recognised; False, with nothing added, otherwise. ``type_first``: ``pattern``
    returns names alone, and every line starts with ``type=file;`` or ``type=dir;``
    (its sixth character tells the kind); else it returns ``(type value, name)``.

    A pattern of a learnt shape (:func:`_shape_pattern`) lets a value hold a space,
    which would end the facts for the careful parser; so its lines' spaces are
    counted: one before each name and those in the names, or the piece is not
    taken.

    The entries are made inline (see :class:`_Blank`): this loop runs once per entry
    of a large listing."""
    found = pattern.findall(piece)
    if len(found) != len(lines):
        return False
    if pattern is not _FAST and pattern is not _FAST_LINES:
        spaces = piece.count(" ") - len(lines)  # beyond the one before each name
        if spaces and spaces != "".join(
                found if type_first else map(_second, found)).count(" "):
            return False  # a space before the one that ends the facts: a value holds it
    blank = _Blank
    entry_class = ListingEntry
    append = entries.append
    if type_first:
        kinds = _KIND_OF_LETTER
        for raw, name in zip(lines, found, strict=False):  # lengths checked above
            entry = blank()
            entry.raw = raw
            entry.name = name
            entry.kind = kinds[raw[5]]
            entry.__class__ = entry_class  # type: ignore[assignment]
            append(entry)  # type: ignore[arg-type]
    else:
        kinds = _KIND_OF_TYPE
        for raw, (type_value, name) in zip(lines, found, strict=False):  # lengths checked above
            entry = blank()
            entry.raw = raw
            entry.name = name
            entry.kind = kinds[type_value]
            entry.__class__ = entry_class  # type: ignore[assignment]
            append(entry)  # type: ignore[arg-type]
    return True


def _take_piece(text: str, lines: list[str], ending: str, cache: _Cache,
                entries: list[ListingEntry]) -> bool:
    """Build the entries of a piece by the learnt pattern (for ``ending``, see
    :data:`_ENDINGS`), else by :data:`_FAST`; False (nothing added) when neither
    recognises every line."""
    shapes = _shapes(cache)
    pattern = shapes.pattern(ending)
    if pattern is None and shapes.learn(lines):
        pattern = shapes.pattern(ending)
    if pattern is not None:
        if _fast_piece(text, lines, pattern, shapes.type_first, entries):
            return True
        if shapes.learn(lines) and _fast_piece(text, lines, shapes.pattern(ending),  # type: ignore[arg-type]
                                               shapes.type_first, entries):
            return True
    any_order = _FAST if ending in ("crlf", "text") else _FAST_LINES
    return _fast_piece(text, lines, any_order, False, entries)


def parse_mlsd_text(text: str, cache: _Cache, entries: list[ListingEntry],
                    unparsed: list[str]) -> int:
    """Parse ``text``, complete MLSD lines each ending in LF or CRLF, into ``entries``
    (``unparsed`` and skipped lines as :func:`parse_mlsd_lines`). Returns the number
    of entries added.

    A piece's lines are cut with ``str.splitlines`` (one C call). It may cut at more
    characters than LF (a lone CR, U+2028, …), but then the counts differ and the piece
    goes line by line: the scan finds at most one match per LF-ended line, and
    ``splitlines`` at least one line per LF-ended line, so equal counts mean every
    line was recognised and cut only at its end.
    """
    before = len(entries)
    start = 0
    size = len(text)
    while start < size:
        end = text.find("\n", start + PIECE_CHARS)
        end = size if end < 0 else end + 1
        piece = text[start:end] if start or end < size else text
        start = end
        if piece.endswith("\r\n"):
            ending = "crlf"
        elif "\r" in piece:
            ending = "text"
        else:
            ending = "lf"
        if not _take_piece(piece, piece.splitlines(), ending, cache, entries):
            lines = piece.replace("\r\n", "\n").split("\n")
            if lines[-1] == "":
                lines.pop()
            parse_mlsd_lines(lines, cache, entries, unparsed)
    return len(entries) - before


def parse_mlsd_list(lines: Sequence[str], cache: _Cache, entries: list[ListingEntry],
                    unparsed: list[str]) -> int:
    """:func:`parse_mlsd_lines` for a list of lines (without line ends): pieces of
    recognised lines built at once, the others line by line."""
    before = len(entries)
    for start in range(0, len(lines), PIECE_LINES):
        piece = list(lines[start:start + PIECE_LINES])
        text = "\n".join(piece)
        # a line holding LF itself (not from a listing's bytes) goes the careful way
        ending = "lines" if "\r" in text else "lf"
        if text.count("\n") != len(piece) - 1 or not _take_piece(text, piece, ending, cache,
                                                                  entries):
            parse_mlsd_lines(piece, cache, entries, unparsed)
    return len(entries) - before
