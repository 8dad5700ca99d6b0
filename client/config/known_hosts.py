"""Known SSH host keys: the app's own ``known_hosts`` file (written when the user trusts
a key "always") and the user's ``~/.ssh/known_hosts`` (read only), judged as OpenSSH
would.

The format is OpenSSH's: ``[@marker] patterns keytype base64 [comment]``. Patterns are
comma-separated host names with ``*``/``?`` wildcards and ``!`` negation; a server on a
port other than 22 is written ``[host]:port``; hashed entries (``|1|salt|hmac``, from
``HashKnownHosts yes``) hold the HMAC-SHA1 of that same text. ``@revoked`` keys are
refused; ``@cert-authority`` lines are not used (certificates are not trusted here).

A key of the same type as a known key of the host but with another value is CHANGED:
that is how a man in the middle looks, so it is refused, never replaced silently (the
user removes the old line, e.g. with ``ssh-keygen -R``, if the change is expected).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from client.config.appdirs import known_hosts_file
from client.engine.sftp.hostkeys import (
    HostKey,
    HostKeyState,
    HostKeyVerdict,
    fingerprint,
)

__all__ = ["KnownHostsStore", "KnownHostEntry", "host_pattern", "key_type_of",
           "parse_known_hosts"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KnownHostEntry:
    patterns: tuple[str, ...]
    key_type: str
    blob: bytes
    marker: str | None
    source: str  # "FILE:LINE"

    def matches(self, name: str) -> bool:
        """Whether ``name`` (``host`` or ``[host]:port``) matches this line's patterns:
        at least one positive pattern and no negated one."""
        matched = False
        for pattern in self.patterns:
            negated = pattern.startswith("!")
            body = pattern[1:] if negated else pattern
            if _pattern_matches(body, name):
                if negated:
                    return False
                matched = True
        return matched


def _pattern_matches(pattern: str, name: str) -> bool:
    if pattern.startswith("|1|"):
        try:
            _, _, salt64, hash64 = pattern.split("|")
            salt = base64.b64decode(salt64)
            wanted = base64.b64decode(hash64)
        except (ValueError, binascii.Error):
            return False
        digest = hmac.new(salt, name.encode("utf-8"), hashlib.sha1).digest()
        return hmac.compare_digest(digest, wanted)
    return _glob(pattern).fullmatch(name.lower()) is not None


def _glob(pattern: str) -> re.Pattern[str]:
    """OpenSSH patterns know only ``*`` and ``?`` (``[`` is literal: ``[host]:port``)."""
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch)
             for ch in pattern.lower())
    return re.compile("".join(parts), re.DOTALL)


def host_pattern(host: str, port: int) -> str:
    """How OpenSSH names a server in known_hosts: ``host`` on port 22, else
    ``[host]:port``."""
    return host if port == 22 else f"[{host}]:{port}"


def key_type_of(blob: bytes) -> str:
    """The key type a public-key blob names (its first SSH string)."""
    if len(blob) < 4:
        return ""
    (length,) = struct.unpack(">I", blob[:4])
    return blob[4:4 + length].decode("ascii", "replace")


def parse_known_hosts(text: str, source: str) -> list[KnownHostEntry]:
    """The usable lines of a known_hosts file; broken lines are skipped (and logged)."""
    entries: list[KnownHostEntry] = []
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        marker = None
        if fields[0].startswith("@"):
            marker, fields = fields[0], fields[1:]
        if len(fields) < 3:
            log.debug("%s:%d: not a known_hosts line", source, number)
            continue
        try:
            blob = base64.b64decode(fields[2], validate=True)
        except (ValueError, binascii.Error):
            log.debug("%s:%d: key is not base64", source, number)
            continue
        entries.append(KnownHostEntry(tuple(fields[0].split(",")), fields[1], blob, marker,
                                      f"{source}:{number}"))
    return entries


class KnownHostsStore:
    """Judges host keys against the app's file and the user's files; remembers keys in
    the app's file only. Satisfies :class:`client.engine.sftp.hostkeys.HostKeyJudge`."""

    def __init__(self, app_file: Path | None = None,
                 user_files: tuple[Path, ...] | None = None) -> None:
        self.app_file = app_file or known_hosts_file()
        self.user_files = (user_files if user_files is not None
                           else (Path.home() / ".ssh" / "known_hosts",))

    def entries(self) -> list[KnownHostEntry]:
        found: list[KnownHostEntry] = []
        for path in (self.app_file, *self.user_files):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            found.extend(parse_known_hosts(text, str(path)))
        return found

    def judge(self, host: str, port: int, key: HostKey) -> HostKeyVerdict:
        name = host_pattern(host, port)
        mine = [e for e in self.entries() if e.marker != "@cert-authority" and e.matches(name)]
        for entry in mine:
            if entry.blob == key.blob and entry.marker == "@revoked":
                return HostKeyVerdict(HostKeyState.CHANGED, entry.source,
                                      note="this key is marked @revoked")
        for entry in mine:
            if entry.blob == key.blob and entry.marker is None:
                return HostKeyVerdict(HostKeyState.TRUSTED, entry.source)
        key_type = key_type_of(key.blob)
        known = tuple(fingerprint(e.blob) for e in mine if e.marker is None)
        same_type = [e for e in mine if e.marker is None and key_type_of(e.blob) == key_type]
        if same_type:
            return HostKeyVerdict(HostKeyState.CHANGED, same_type[0].source,
                                  known_fingerprints=tuple(fingerprint(e.blob)
                                                           for e in same_type))
        note = None
        if known:
            types = ", ".join(sorted({key_type_of(e.blob) for e in mine if e.marker is None}))
            note = f"the host is known with a key of another type ({types})"
        return HostKeyVerdict(HostKeyState.UNKNOWN, None, known, note)

    def known_types(self, host: str, port: int) -> tuple[str, ...]:
        """Key types known for the server, to ask for those first (as OpenSSH does)."""
        name = host_pattern(host, port)
        types: list[str] = []
        for entry in self.entries():
            if entry.marker is None and entry.matches(name):
                kind = key_type_of(entry.blob)
                if kind and kind not in types:
                    types.append(kind)
        return tuple(types)

    def remember(self, host: str, port: int, key: HostKey) -> None:
        """Append the key to the app's file (created readable by the user only)."""
        self.app_file.parent.mkdir(parents=True, exist_ok=True)
        line = (f"{host_pattern(host, port)} {key_type_of(key.blob)} "
                f"{base64.b64encode(key.blob).decode('ascii')}\n")
        fd = os.open(self.app_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(line)
