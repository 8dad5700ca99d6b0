"""The SSH side of an SFTP connection: checking the host key against the known hosts,
offering the authentication methods one by one (so each attempt and its result can be
shown), and reporting the version exchange and the negotiated algorithms.

asyncssh asks this object (an ``SSHClient``) for each decision during ``connect``;
nothing here waits for a person: an unknown key is refused and recorded, and the
session asks the front end and connects again (see :mod:`client.engine.sftp.session`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from client.engine.events import EventBus, Notice, NoticeKind
from client.engine.sftp.events import (
    AuthOutcome,
    HostKeyDecision,
    SshAlgorithms,
    SshAuthAttempt,
    SshHostKeyChecked,
    SshVersionExchange,
)
from client.engine.sftp.hostkeys import (
    HostKey,
    HostKeyJudge,
    HostKeyState,
    HostKeyVerdict,
    fingerprint,
)
from client.engine.sftp.settings import HostKeyPolicy, SftpSettings
from client.protocol.annotate import Severity

__all__ = ["Handshake", "OfferedKey", "load_key_files", "agent_keys", "preferred_host_key_algs"]

log = logging.getLogger(__name__)

# asyncssh keeps the negotiated algorithms only on the connection's private attributes
# (the key exchange object only while it runs, which is when the host key is checked);
# read by name so a later asyncssh without them yields "" instead of an error.
_KEX = "_kex"
_NEGOTIATED = {"cipher_cs": "_enc_alg_cs", "cipher_sc": "_enc_alg_sc",
               "mac_cs": "_mac_alg_cs", "mac_sc": "_mac_alg_sc",
               "compression_cs": "_cmp_alg_cs", "compression_sc": "_cmp_alg_sc"}


@dataclass
class OfferedKey:
    """A key to offer (``keypair``) or one that could not be used (``problem``)."""

    label: str
    keypair: asyncssh.SSHKeyPair | None = None
    problem: str | None = None
    encrypted: bool = False  # needs a passphrase that was not given (or was wrong)
    path: str = ""


def load_key_files(paths: tuple[str, ...], passphrase: str | None,
                   passphrases: Mapping[str, str] | None = None) -> list[OfferedKey]:
    """Read the private-key files (``passphrases``: per file, asked of the person; else
    ``passphrase``); one that cannot be read is kept with the reason (reported as an
    unusable attempt, not raised: another method may still work)."""
    keys: list[OfferedKey] = []
    for text in paths:
        path = Path(text).expanduser()
        try:
            private = asyncssh.read_private_key(path, (passphrases or {}).get(text, passphrase))
        except (asyncssh.KeyEncryptionError, asyncssh.KeyImportError) as exc:
            # asyncssh says "Passphrase must be specified …" as an import error, and
            # "… requires bcrypt …" when the package for OpenSSH's key format is missing
            if "bcrypt" in str(exc):
                keys.append(OfferedKey(str(path), problem=f"cannot be decrypted: {exc}"))
            elif isinstance(exc, asyncssh.KeyEncryptionError) or "assphrase" in str(exc):
                keys.append(OfferedKey(str(path), problem=(
                    "the key is encrypted and no (or a wrong) passphrase was given"),
                    encrypted=True, path=text))
            else:
                keys.append(OfferedKey(str(path), problem=f"cannot be read: {exc}"))
            continue
        except OSError as exc:
            keys.append(OfferedKey(str(path), problem=f"cannot be read: {exc}"))
            continue
        public = private.convert_to_public()
        fp = public.get_fingerprint("sha256")
        keys.append(OfferedKey(f"{path} {fp}",
                               keypair=asyncssh.load_keypairs([private])[0]))
    return keys


async def agent_keys(use_agent: bool) -> tuple[list[OfferedKey], asyncssh.SSHAgentClient | None]:
    """The SSH agent's keys when ``SSH_AUTH_SOCK`` is set (the agent stays open until
    authentication is over: it signs for them)."""
    path = os.environ.get("SSH_AUTH_SOCK")
    if not use_agent or not path:
        return [], None
    agent = asyncssh.SSHAgentClient(path)
    try:
        pairs = await agent.get_keys()
    except (OSError, ValueError, asyncssh.Error) as exc:
        log.info("SSH agent at %s not usable: %s", path, exc)
        agent.close()
        return [], None
    keys = [OfferedKey(f"agent: {pair.get_comment() or 'key'} {fingerprint(pair.public_data)}",
                       keypair=pair) for pair in pairs]
    return keys, agent


def preferred_host_key_algs(known_types: tuple[str, ...]) -> list[str] | None:
    """asyncssh's default host-key algorithms with those of the key types already known
    for the server first (OpenSSH does the same, so a server with several keys shows
    the one that is known instead of a new-looking one). None: no preference."""
    if not known_types:
        return None
    from asyncssh.public_key import get_default_public_key_algs

    algs = [alg.decode("ascii") for alg in get_default_public_key_algs()]

    def key_type(alg: str) -> str:
        return "ssh-rsa" if alg.startswith("rsa-sha2-") else alg

    first = [alg for alg in algs if key_type(alg) in known_types]
    return first + [alg for alg in algs if alg not in first]


@dataclass
class Handshake(asyncssh.SSHClient):
    """Per-connection decisions and what was observed (read by the session after
    ``connect`` returns or fails)."""

    settings: SftpSettings
    bus: EventBus
    connection: str
    judge: HostKeyJudge | None
    keys: list[OfferedKey] = field(default_factory=list)
    asks: bool = False  # an unknown key is put to the person (policy ASK with a callback)
    verdict: HostKeyVerdict | None = None
    host_key: HostKey | None = None
    tried: list[str] = field(default_factory=list)
    _conn: asyncssh.SSHClientConnection | None = None
    _pending: tuple[str, str] | None = None  # the attempt awaiting the server's answer
    _password_sent: bool = False
    lost: bool = False  # the connection closed (set by asyncssh's connection_lost)
    password_offered: bool = False  # the server would take a password (or a PAM prompt)
    auth_done: bool = False
    _versions_sent: bool = False

    def __post_init__(self) -> None:
        self._key_queue = list(self.keys)

    @property
    def tcp_connected(self) -> bool:
        """The TCP connection was made (whatever answered on it)."""
        return self._conn is not None

    @property
    def server_version(self) -> str:
        """The server's SSH identification line ("" when none came)."""
        return (self._conn.get_extra_info("server_version") or "") if self._conn else ""

    # -- asyncssh callbacks ------------------------------------------------------------
    def connection_made(self, conn: asyncssh.SSHClientConnection) -> None:
        self._conn = conn

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if exc is not None and self.auth_done:
            self.bus.emit(Notice(
                t=self.bus.now(), connection=self.connection, severity=Severity.WARNING,
                kind=NoticeKind.CONNECTION_LOST,
                text=f"the SSH connection to {self.settings.target} broke: {exc}"))

    def validate_host_public_key(self, host: str, addr: str, port: int,
                                 key: asyncssh.SSHKey) -> bool:
        self.report_versions()
        self.report_algorithms(key.get_algorithm())
        openssh = key.export_public_key("openssh").decode("ascii").strip()
        host_key = HostKey(key.get_algorithm(), key.public_data, openssh)
        self.host_key = host_key
        verdict = (self.judge.judge(self.settings.host, self.settings.port, host_key)
                   if self.judge is not None else HostKeyVerdict(HostKeyState.UNKNOWN))
        self.verdict = verdict
        decision = self._decide(verdict, host_key)
        self.bus.emit(SshHostKeyChecked(
            t=self.bus.now(), connection=self.connection, key_type=host_key.algorithm,
            fingerprint=host_key.fingerprint, state=verdict.state, decision=decision,
            source=verdict.source, known_fingerprints=verdict.known_fingerprints))
        return decision in (HostKeyDecision.ACCEPTED, HostKeyDecision.TRUSTED_ONCE,
                            HostKeyDecision.STORED)

    def _decide(self, verdict: HostKeyVerdict, key: HostKey) -> HostKeyDecision:
        if verdict.state is HostKeyState.TRUSTED:
            return HostKeyDecision.ACCEPTED
        if verdict.state is HostKeyState.CHANGED:
            return HostKeyDecision.REFUSED_CHANGED
        if self.settings.trusted_fingerprint == key.fingerprint:
            return HostKeyDecision.TRUSTED_ONCE
        if self.settings.host_key_policy is HostKeyPolicy.ACCEPT_NEW and self.judge:
            self.judge.remember(self.settings.host, self.settings.port, key)
            return HostKeyDecision.STORED
        if self.settings.host_key_policy is HostKeyPolicy.ASK and self.asks:
            return HostKeyDecision.ASKING
        return HostKeyDecision.REFUSED_UNKNOWN

    def public_key_auth_requested(self) -> asyncssh.KeyPairListArg | None:
        self._settle(AuthOutcome.REJECTED)
        while self._key_queue:
            offered = self._key_queue.pop(0)
            if offered.keypair is None:
                self._attempt("publickey", offered.label, AuthOutcome.UNUSABLE,
                              offered.problem)
                continue
            self._pending = ("publickey", offered.label)
            return [offered.keypair]
        return None

    def password_auth_requested(self) -> str | None:
        self._settle(AuthOutcome.REJECTED)
        self.password_offered = True
        if self.settings.password is None or self._password_sent:
            return None
        self._password_sent = True
        self._pending = ("password", f"user {self.settings.user}")
        return self.settings.password

    def kbdint_auth_requested(self) -> str | None:
        self._settle(AuthOutcome.REJECTED)
        self.password_offered = True
        if self.settings.password is None or self._password_sent:
            return None
        return ""

    def kbdint_challenge_received(self, name: str, instructions: str, lang: str,
                                  prompts: list[tuple[str, bool]]) -> list[str] | None:
        if not prompts:
            return []
        if self._password_sent or self.settings.password is None:
            return None
        # a single hidden prompt is the password prompt of PAM and of most servers
        if len(prompts) == 1 and not prompts[0][1]:
            self._password_sent = True
            self._pending = ("keyboard-interactive", f"user {self.settings.user}")
            return [self.settings.password]
        return None

    def auth_completed(self) -> None:
        self.auth_done = True
        self._settle(AuthOutcome.ACCEPTED)

    # -- reporting -----------------------------------------------------------------
    def auth_failed(self) -> None:
        """Called by the session when asyncssh gave up: the last attempt was refused."""
        self._settle(AuthOutcome.REJECTED)

    def _settle(self, outcome: AuthOutcome) -> None:
        if self._pending is not None:
            method, detail = self._pending
            self._pending = None
            self._attempt(method, detail, outcome, None)

    def _attempt(self, method: str, detail: str, outcome: AuthOutcome,
                 reason: str | None) -> None:
        self.tried.append(f"{method} ({detail}): {outcome.value}"
                          + (f" — {reason}" if reason else ""))
        self.bus.emit(SshAuthAttempt(t=self.bus.now(), connection=self.connection,
                                     method=method, detail=detail, outcome=outcome,
                                     reason=reason))

    def report_versions(self) -> None:
        if self._versions_sent or self._conn is None:
            return
        client = self._conn.get_extra_info("client_version") or ""
        server = self._conn.get_extra_info("server_version") or ""
        if not server:
            return
        self._versions_sent = True
        self.bus.emit(SshVersionExchange(t=self.bus.now(), connection=self.connection,
                                         client_version=client, server_version=server))

    def report_algorithms(self, host_key: str) -> None:
        """Called while the key exchange runs (the host key is being checked)."""
        if self._conn is None:
            return
        values = {}
        for name, attribute in _NEGOTIATED.items():
            raw = getattr(self._conn, attribute, b"")
            values[name] = raw.decode("ascii", "replace") if isinstance(raw, bytes) else ""
        kex = getattr(getattr(self._conn, _KEX, None), "algorithm", b"")
        values["kex"] = kex.decode("ascii", "replace") if isinstance(kex, bytes) else ""
        self.bus.emit(SshAlgorithms(t=self.bus.now(), connection=self.connection,
                                    host_key=host_key, **values))
