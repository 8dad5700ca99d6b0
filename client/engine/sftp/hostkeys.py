"""Host-key trust as the SFTP engine sees it: a judge says whether a key is trusted,
unknown or CHANGED, and can be told to remember one.

The judge that reads and writes known-hosts files lives in
:mod:`client.config.known_hosts` (settings are the config layer's); the engine only
needs this interface, so tests and front ends can pass their own.
Fingerprints are written as OpenSSH does: ``SHA256:`` and the unpadded base64 of the
SHA-256 of the key blob.
"""

from __future__ import annotations

import base64
import enum
import hashlib
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["HostKeyState", "HostKeyVerdict", "HostKeyJudge", "TrustChoice", "fingerprint",
           "HostKey"]


class HostKeyState(enum.Enum):
    TRUSTED = "trusted"
    UNKNOWN = "unknown"
    CHANGED = "changed"  # the host is known with another key of this type: refuse


class TrustChoice(enum.Enum):
    """A user's answer to an unknown host key."""

    REFUSE = "refuse"
    ONCE = "once"  # this connection only
    ALWAYS = "always"  # stored in the app's known-hosts file


@dataclass(frozen=True)
class HostKey:
    """A server's host key: its algorithm name (``ssh-ed25519``), its wire blob and
    the OpenSSH ``authorized_keys``-style line (``ssh-ed25519 AAAA…``)."""

    algorithm: str
    blob: bytes
    openssh: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.blob)


@dataclass(frozen=True)
class HostKeyVerdict:
    """What the judge found; ``source`` names the file that decided (for a CHANGED key
    the file and line to fix), ``known_fingerprints`` the keys it holds for the host."""

    state: HostKeyState
    source: str | None = None
    known_fingerprints: tuple[str, ...] = ()
    note: str | None = None


@runtime_checkable
class HostKeyJudge(Protocol):
    def judge(self, host: str, port: int, key: HostKey) -> HostKeyVerdict: ...

    def remember(self, host: str, port: int, key: HostKey) -> None: ...


def fingerprint(blob: bytes) -> str:
    """OpenSSH's SHA-256 fingerprint of a public-key blob: ``SHA256:47DEQpj8…`` ."""
    digest = hashlib.sha256(blob).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")
