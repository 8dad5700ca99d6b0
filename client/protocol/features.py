"""FEAT (RFC 2389) parsed into one immutable value, and the OPTS MLST helpers (RFC 3659).

The engine decides what to send from this value (MLSD or LIST, EPSV or PASV, REST
STREAM, which checksum command to verify a transfer with), and the inspector shows it.
Servers indent feature lines inconsistently (one space per RFC 2389, but also none, tabs,
several spaces, or the reply code repeated on every line), so the parser keys on the
first word of each inner line and ignores the layout.

A server without FEAT answers 500/502: :meth:`Features.parse` returns :data:`NO_FEATURES`
for any reply that is not a 2xx, because "no FEAT" only means "nothing advertised".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from client.protocol.commands import Command
from client.protocol.replies import Reply
from client.protocol.values import value

__all__ = [
    "Features",
    "HashChoice",
    "NO_FEATURES",
    "opts_mlst_command",
    "parse_opts_mlst_reply",
]

#: Legacy checksum commands (one per algorithm, no OPTS needed) and what they compute.
X_HASH_COMMANDS: dict[str, str] = {
    "XSHA512": "SHA-512",
    "XSHA256": "SHA-256",
    "XSHA1": "SHA-1",
    "XSHA": "SHA-1",
    "XMD5": "MD5",
    "XCRC": "CRC32",
}

#: Strongest first: the order in which :meth:`Features.hash_choice` prefers algorithms.
HASH_PREFERENCE: tuple[str, ...] = ("SHA-512", "SHA-256", "SHA-1", "MD5", "CRC32")


def _split_starred(argument: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """Split ``"a*;b;c*"`` into (("a", "b", "c"), {"a", "c"}): the RFC 3659 / HASH /
    LANG list syntax, where ``*`` marks the items currently enabled or selected."""
    items: list[str] = []
    marked: set[str] = set()
    for piece in argument.replace(" ", ";").split(";"):
        piece = piece.strip()
        if not piece:
            continue
        starred = piece.endswith("*")
        name = piece.rstrip("*")
        if not name:
            continue
        if name not in items:
            items.append(name)
        if starred:
            marked.add(name)
    return tuple(items), frozenset(marked)


@value(slots=True)
class HashChoice:
    """How to ask the server for a checksum: ``command`` ("HASH" or e.g. "XSHA256"),
    ``algorithm`` (e.g. "SHA-256"), and whether ``OPTS HASH <algorithm>`` must be sent
    first (the HASH command uses the selected algorithm, which may be another one)."""

    command: str
    algorithm: str
    needs_opts: bool


@value(slots=True)
class Features:
    """What a server advertised in its FEAT reply.

    ``names`` holds the upper-cased first word of every feature line; ``arguments`` maps
    each of those to the rest of its line(s) (several lines with the same name, like
    ``AUTH TLS`` and ``AUTH SSL``, are joined with ``;``); ``lines`` keeps the feature
    lines as received (whitespace trimmed) for display. The list-valued features are
    decoded: MLST facts (``mlst_enabled`` are those marked ``*``, i.e. sent by default),
    HASH algorithms and the selected one, AUTH mechanisms, LANG tags.
    """

    names: frozenset[str] = frozenset()
    arguments: tuple[tuple[str, str], ...] = ()
    lines: tuple[str, ...] = ()
    mlst_facts: tuple[str, ...] = ()
    mlst_enabled: frozenset[str] = frozenset()
    hash_algorithms: tuple[str, ...] = ()
    hash_selected: str | None = None
    auth_mechanisms: frozenset[str] = frozenset()
    languages: tuple[str, ...] = ()
    language_selected: str | None = None

    # --- construction ------------------------------------------------------------
    @classmethod
    def parse(cls, reply: Reply) -> Features:
        """Decode a FEAT reply; a non-2xx reply (FEAT unsupported) gives no features."""
        if not reply.is_success:
            return NO_FEATURES
        inner = reply.lines[1:-1] if len(reply.lines) > 2 else ()
        prefix = f"{reply.code:03d}-"
        cleaned = []
        for line in inner:
            if line.startswith(prefix):  # servers that repeat "211-" on every line
                line = line[4:]
            cleaned.append(line)
        return cls.from_lines(cleaned)

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> Features:
        """Decode feature lines (without the first and last reply lines)."""
        names: set[str] = set()
        args: dict[str, list[str]] = {}
        kept: list[str] = []
        for raw in lines:
            line = raw.strip()
            if not line:
                continue
            name, _, argument = line.partition(" ")
            if "\t" in name:
                name, _, more = name.partition("\t")
                argument = more + " " + argument
            name = name.upper()
            argument = argument.strip()
            kept.append(line)
            names.add(name)
            if argument:
                args.setdefault(name, []).append(argument)
        joined = {name: ";".join(values) for name, values in args.items()}

        mlst_facts: tuple[str, ...] = ()
        mlst_enabled: frozenset[str] = frozenset()
        if "MLST" in joined:
            facts, enabled = _split_starred(joined["MLST"].lower())
            mlst_facts, mlst_enabled = facts, enabled

        hash_algorithms: tuple[str, ...] = ()
        hash_selected: str | None = None
        if "HASH" in joined:
            algorithms, selected = _split_starred(joined["HASH"].upper())
            hash_algorithms = algorithms
            hash_selected = next((a for a in algorithms if a in selected), None)

        auth: frozenset[str] = frozenset()
        if "AUTH" in joined:
            auth = frozenset(_split_starred(joined["AUTH"].upper())[0])

        languages: tuple[str, ...] = ()
        language_selected: str | None = None
        if "LANG" in joined:
            languages, selected_langs = _split_starred(joined["LANG"])
            language_selected = next((t for t in languages if t in selected_langs), None)

        return cls(
            names=frozenset(names),
            arguments=tuple(sorted(joined.items())),
            lines=tuple(kept),
            mlst_facts=mlst_facts,
            mlst_enabled=mlst_enabled,
            hash_algorithms=hash_algorithms,
            hash_selected=hash_selected,
            auth_mechanisms=auth,
            languages=languages,
            language_selected=language_selected,
        )

    def with_mlst_enabled(self, facts: Iterable[str]) -> Features:
        """A copy after a successful ``OPTS MLST``: ``facts`` are now the enabled ones."""
        offered = set(self.mlst_facts)
        return replace(self, mlst_enabled=frozenset(f.lower() for f in facts if f.lower() in offered))

    # --- questions the engine asks -------------------------------------------------
    def has(self, name: str) -> bool:
        """True if the feature ``name`` (any case) was advertised."""
        return name.upper() in self.names

    def argument(self, name: str) -> str | None:
        """The text after the feature name, or None if absent or bare."""
        wanted = name.upper()
        for key, argument in self.arguments:
            if key == wanted:
                return argument
        return None

    @property
    def mlst(self) -> bool:
        """MLST/MLSD are available (RFC 3659 says MLST in FEAT covers both)."""
        return "MLST" in self.names or "MLSD" in self.names

    @property
    def utf8(self) -> bool:
        return "UTF8" in self.names

    @property
    def epsv(self) -> bool:
        return "EPSV" in self.names

    @property
    def eprt(self) -> bool:
        return "EPRT" in self.names

    @property
    def rest_stream(self) -> bool:
        """REST STREAM (RFC 3659 §5): resuming with REST works in stream mode."""
        if "REST" not in self.names:
            return False
        argument = self.argument("REST")
        return argument is not None and "STREAM" in argument.upper()

    @property
    def size(self) -> bool:
        return "SIZE" in self.names

    @property
    def mdtm(self) -> bool:
        return "MDTM" in self.names

    @property
    def mfmt(self) -> bool:
        return "MFMT" in self.names

    @property
    def tvfs(self) -> bool:
        return "TVFS" in self.names

    @property
    def pbsz(self) -> bool:
        return "PBSZ" in self.names

    @property
    def prot(self) -> bool:
        return "PROT" in self.names

    @property
    def host(self) -> bool:
        return "HOST" in self.names

    @property
    def clnt(self) -> bool:
        return "CLNT" in self.names

    @property
    def hash(self) -> bool:
        return "HASH" in self.names

    @property
    def x_hash_commands(self) -> frozenset[str]:
        """The legacy checksum commands offered (XSHA256, XSHA1, XMD5, XCRC, …)."""
        return frozenset(self.names & X_HASH_COMMANDS.keys())

    @property
    def auth_tls(self) -> bool:
        """Explicit TLS (RFC 4217) is offered: AUTH TLS (or its older spelling SSL)."""
        return bool(self.auth_mechanisms & {"TLS", "SSL", "TLS-C", "TLS-P"})

    def hash_choice(self, preference: Iterable[str] = HASH_PREFERENCE) -> HashChoice | None:
        """The strongest checksum the server can compute, and the command to ask for it.

        HASH (draft-bryan-ftpext-hash) is preferred over the X* commands for the same
        algorithm; None when the server offers no checksum at all.
        """
        x_offered = {X_HASH_COMMANDS[c]: c for c in sorted(self.x_hash_commands)}
        for algorithm in preference:
            algorithm = algorithm.upper()
            if algorithm in self.hash_algorithms:
                return HashChoice("HASH", algorithm, needs_opts=algorithm != self.hash_selected)
            if algorithm in x_offered:
                return HashChoice(x_offered[algorithm], algorithm, needs_opts=False)
        return None


#: What a server that rejects FEAT (500/502) is assumed to offer: nothing.
NO_FEATURES = Features()


def opts_mlst_command(facts: Iterable[str]) -> Command:
    """``OPTS MLST type;size;modify;`` (RFC 3659 §7.9): each fact followed by ``;``.

    An empty selection gives a bare ``OPTS MLST``, which turns every optional fact off.
    """
    chosen = []
    for fact in facts:
        fact = fact.strip().lower()
        if fact and fact not in chosen:
            chosen.append(fact)
    if not chosen:
        return Command("OPTS", "MLST")
    return Command.opts("MLST " + "".join(f + ";" for f in chosen))


#: MLST facts the listings show (RFC 3659 §7.5; the unix.* ones are the common
#: extensions): asked for with OPTS MLST when the server offers them but does not send
#: them by default — pyftpdlib and ProFTPD offer unix.mode and owner facts that way, and
#: without them a listing has no permissions or owners.
WANTED_MLST_FACTS = ("type", "size", "sizd", "modify", "perm", "unix.mode", "unix.owner",
                     "unix.group", "unix.ownername", "unix.groupname", "unix.uid", "unix.gid")


def mlst_facts_command(features: Features) -> Command | None:
    """The ``OPTS MLST`` the login sends after ``FEAT`` (the enabled facts plus the
    wanted ones offered but off), or None when there is nothing to ask. One rule for
    the login and for the login started before the engine loads."""
    if not features.mlst:
        return None
    offered = set(features.mlst_facts)
    missing = [f for f in WANTED_MLST_FACTS if f in offered and f not in features.mlst_enabled]
    if not missing:
        return None
    return opts_mlst_command(sorted(features.mlst_enabled) + missing)


def parse_opts_mlst_reply(reply: Reply) -> frozenset[str]:
    """The facts a ``200 MLST OPTS type;size;`` reply says are now enabled.

    Returns an empty set for an error reply; RFC 3659 lets the server enable fewer
    facts than asked for, and this reply is the only record of which.
    """
    if not reply.is_success:
        return frozenset()
    text = reply.first_line_text.strip()
    words = text.split(None, 2)
    if len(words) >= 2 and words[0].upper() == "MLST" and words[1].upper() == "OPTS":
        listed = words[2] if len(words) == 3 else ""
    else:
        listed = words[-1] if words else ""
        if "=" in listed or ";" not in listed:
            return frozenset()
    return frozenset(f.lower() for f in _split_starred(listed)[0])
