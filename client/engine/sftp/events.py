"""Typed events of an SFTP session, for the inspector's console and diagram.

They are :class:`client.engine.events.EngineEvent` subclasses on the same bus as the FTP
events (``connection`` names the SSH connection, ``"c1"`` …), in the order they happen:

* :class:`SshVersionExchange` — both identification lines (``SSH-2.0-OpenSSH_9.2p1 …``),
  the first thing each side sends (RFC 4253 §4.2);
* :class:`SshAlgorithms` — what the key exchange chose: kex, host-key algorithm,
  cipher, MAC and compression in each direction (RFC 4253 §7.1);
* :class:`SshHostKeyChecked` — the server's host key, its ``SHA256:`` fingerprint, the
  known-hosts verdict (trusted / unknown / changed) and what was decided;
* :class:`SshAuthAttempt` — one per authentication method tried (``publickey`` with a
  key's fingerprint, ``password``, ``keyboard-interactive``) and whether the server
  accepted it; a password is never in it;
* :class:`SftpRequest` — one per SFTP request and its answer, e.g. ``OPEN /x`` → handle,
  ``STAT /y`` → ``STATUS 2 SSH_FX_NO_SUCH_FILE`` with its meaning. The READ/WRITE
  requests of a transfer are coalesced into one event per transfer (``count`` requests,
  ``bytes``), so a large file does not flood the console.

The session also emits the shared :class:`~client.engine.events.SessionStateChanged`,
:class:`~client.engine.events.Notice` and :class:`~client.engine.events.TransferProgress`.
An SFTP session never emits ``DataChannelEvent``: every transfer runs inside the one SSH
connection, so there is no data connection to open, no passive/active mode and no port
to forward.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from client.engine.events import EngineEvent
from client.engine.sftp.hostkeys import HostKeyState

__all__ = ["SshVersionExchange", "SshAlgorithms", "SshHostKeyChecked", "HostKeyDecision",
           "SshAuthAttempt", "AuthOutcome", "SftpRequest", "SFTP_EVENT_TYPES"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SshVersionExchange(EngineEvent):
    client_version: str
    server_version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SshAlgorithms(EngineEvent):
    kex: str
    host_key: str
    cipher_cs: str  # client to server
    cipher_sc: str
    mac_cs: str
    mac_sc: str
    compression_cs: str
    compression_sc: str


class HostKeyDecision(enum.Enum):
    ACCEPTED = "accepted"  # trusted by a known-hosts file
    TRUSTED_ONCE = "trusted-once"
    STORED = "stored"  # new key trusted and written to the app's known-hosts file
    REFUSED_UNKNOWN = "refused-unknown"
    #: unknown, and the person is being asked (this first connection ends; the answer
    #: "trust" opens a new one that is TRUSTED_ONCE or STORED)
    ASKING = "asking"
    REFUSED_CHANGED = "refused-changed"


@dataclass(frozen=True, slots=True, kw_only=True)
class SshHostKeyChecked(EngineEvent):
    key_type: str
    fingerprint: str
    state: HostKeyState
    decision: HostKeyDecision
    source: str | None = None  # the known_hosts file (and line) that decided
    known_fingerprints: tuple[str, ...] = ()


class AuthOutcome(enum.Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    UNUSABLE = "unusable"  # not sent: a key file unreadable or needing a passphrase


@dataclass(frozen=True, slots=True, kw_only=True)
class SshAuthAttempt(EngineEvent):
    method: str  # "publickey", "password", "keyboard-interactive"
    detail: str  # which key ("~/.ssh/id_ed25519 SHA256:…", "agent: …"), never a secret
    outcome: AuthOutcome
    reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SftpRequest(EngineEvent):
    """``request`` is the SFTP packet name (``OPEN``, ``READ``, ``STAT`` …) and
    ``argument`` its path(s); ``result`` says what came back (``handle``, ``attrs``,
    ``names``, ``ok``, or ``STATUS n NAME``); ``status``/``status_name``/``meaning``
    are set for an error status. ``count``/``bytes`` sum coalesced READ/WRITE requests."""

    request: str
    argument: str = ""
    result: str = ""
    status: int | None = None
    status_name: str | None = None
    meaning: str | None = None
    count: int = 1
    bytes: int = 0
    elapsed: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status is not None and self.status != 0

    def text(self) -> str:
        """``OPEN /x -> handle`` as one console line."""
        head = f"{self.request} {self.argument}".rstrip()
        if self.count > 1 or self.bytes:
            head += f" ×{self.count} ({self.bytes} bytes)"
        return f"{head} -> {self.result}" if self.result else head


SFTP_EVENT_TYPES = (SshVersionExchange, SshAlgorithms, SshHostKeyChecked, SshAuthAttempt,
                    SftpRequest)
