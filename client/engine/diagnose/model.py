"""The values of a data-channel diagnosis: one :class:`Attempt` per row of the matrix, the
:class:`Verdict` and the :class:`Recommendation` a front end can apply with one click.

Kept apart from the runner (:mod:`client.engine.diagnose`) and the decision rule
(:mod:`client.engine.diagnose.verdict`) so the GUI's wizard can show a stored or
replayed diagnosis without running anything. Everything is frozen and JSON-ready via
``to_json()``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from urllib.parse import quote

from client.engine.events import DataFailure
from client.engine.settings import CommandFamily, TransferMode
from client.protocol.addresses import PasvPolicy

__all__ = ["Outcome", "Probe", "Attempt", "Recommendation", "Verdict", "Diagnosis",
           "PortProbe", "SftpOffer", "SshProbe", "SshProbeOutcome", "PASSIVE_PROBES",
           "ACTIVE_PROBES", "DATA_PROBES"]


class Outcome(enum.Enum):
    OK = "ok"  # the listing arrived and the server said 226
    FAILED = "failed"  # tried, and it did not work (see ``failure``)
    UNSUPPORTED = "unsupported"  # the server refused the command itself (e.g. 500 EPSV)
    NOT_ATTEMPTED = "not-attempted"  # decided not to try (see ``detail``)


class Probe(enum.Enum):
    """The rows of the matrix, in the order they run."""

    EPSV = "EPSV"
    PASV_ADVERTISED = "PASV (advertised address)"
    PASV_CONTROL = "PASV (control address)"
    EPRT = "EPRT"
    PORT = "PORT"
    STAT = "STAT (control connection)"
    TLS = "TLS"

    @property
    def mode(self) -> str:
        """passive, active, control or tls."""
        if self in PASSIVE_PROBES:
            return "passive"
        if self in ACTIVE_PROBES:
            return "active"
        return "control" if self is Probe.STAT else "tls"

    @property
    def method(self) -> str:
        return self.value.split(" ")[0]


PASSIVE_PROBES = (Probe.EPSV, Probe.PASV_ADVERTISED, Probe.PASV_CONTROL)
ACTIVE_PROBES = (Probe.EPRT, Probe.PORT)
DATA_PROBES = PASSIVE_PROBES + ACTIVE_PROBES


@dataclass(frozen=True)
class Attempt:
    """One row: what was tried, how far it got, and between which endpoints.

    ``failure_class`` is a :class:`DataFailure` value for data-channel failures, or
    ``connect``, ``login``, ``tls``, ``certificate``, ``command`` for failures before
    the data connection; ``phase`` is the last data-channel phase reached.
    """

    probe: Probe
    outcome: Outcome
    detail: str
    failure: DataFailure | None = None
    failure_class: str | None = None
    phase: str | None = None
    elapsed: float = 0.0
    local: str | None = None
    remote: str | None = None
    advertised: str | None = None
    reply_code: int | None = None
    entries: int | None = None
    tls: bool = False
    tls_reused: bool | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    def to_json(self) -> dict[str, object]:
        return {
            "probe": self.probe.name.lower().replace("_", "-"), "label": self.probe.value,
            "mode": self.probe.mode, "method": self.probe.method,
            "outcome": self.outcome.value, "failure": self.failure_class,
            "phase": self.phase, "elapsed": round(self.elapsed, 3), "local": self.local,
            "remote": self.remote, "advertised": self.advertised,
            "reply_code": self.reply_code, "entries": self.entries, "tls": self.tls,
            "tls_reused": self.tls_reused, "detail": self.detail,
        }


@dataclass(frozen=True)
class PortProbe:
    """One passive port the server offered during the diagnosis, and whether a
    connection to it opened (``source``: the row's label, or "sweep" for the extra
    ports probed to map the range). ``failure`` is a :class:`DataFailure` value."""

    port: int
    address: str
    connected: bool
    failure: str | None = None
    source: str = "sweep"
    detail: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"port": self.port, "address": self.address, "connected": self.connected,
                "failure": self.failure, "source": self.source, "detail": self.detail}


@dataclass(frozen=True)
class Recommendation:
    """Settings that worked, for ``ConnectionSettings.replace(**changes())``."""

    mode: TransferMode
    pasv_policy: PasvPolicy
    #: the command family that worked where the other did not; None when both worked
    #: (or neither was tried): the user's own choice is kept
    commands: CommandFamily | None = None
    stat_listing_fallback: bool = False
    text: str = ""

    def changes(self) -> dict[str, object]:
        changes: dict[str, object] = {
            "mode": self.mode, "pasv_policy": self.pasv_policy,
            "stat_listing_fallback": self.stat_listing_fallback}
        if self.commands is not None:
            extended = self.commands is CommandFamily.EXTENDED
            changes.update(use_epsv=extended, use_eprt=extended)
        return changes

    def cli_options(self) -> str:
        """The same as command-line options."""
        opts = [f"--mode {self.mode.value}"]
        if self.mode is TransferMode.PASSIVE and self.pasv_policy is not PasvPolicy.AUTO:
            opts.append(f"--pasv-address {self.pasv_policy.value}")
        if self.commands is CommandFamily.EXTENDED:
            opts.append("--epsv" if self.mode is TransferMode.PASSIVE else "--eprt")
        elif self.commands is CommandFamily.CLASSIC:
            opts.append("--no-epsv" if self.mode is TransferMode.PASSIVE else "--no-eprt")
        if self.stat_listing_fallback:
            opts.append("--stat-fallback")
        return " ".join(opts)

    def to_json(self) -> dict[str, object]:
        return {"mode": self.mode.value, "pasv_policy": self.pasv_policy.value,
                "stat_listing_fallback": self.stat_listing_fallback,
                "commands": self.commands.value if self.commands else None,
                "cli_options": self.cli_options(), "text": self.text}


@dataclass(frozen=True)
class SftpOffer:
    """What "Connect with SFTP" opens: the host the user named, the SSH port that
    answered with ``banner``; ``reason`` is the sentence the verdict gained."""

    host: str
    port: int
    banner: str
    reason: str

    def url(self, user: str = "") -> str:
        """``sftp://user@host[:port]`` (IPv6 literals in brackets, the port unless 22)."""
        shown = f"[{self.host}]" if ":" in self.host else self.host
        who = f"{quote(user, safe='')}@" if user else ""
        tail = f":{self.port}" if self.port != 22 else ""
        return f"sftp://{who}{shown}{tail}"

    def to_json(self) -> dict[str, object]:
        return {"host": self.host, "port": self.port, "banner": self.banner,
                "reason": self.reason, "url": self.url()}


class SshProbeOutcome(enum.Enum):
    """What the look at the SSH port found."""

    SSH = "ssh"  # an SSH identification line
    NOT_SSH = "not-ssh"  # connected, but something else (or nothing) was said
    REFUSED = "refused"  # the host or the proxy said no one listens there
    NO_ANSWER = "no-answer"  # nothing within the probe's timeout (filtered)
    FAILED = "failed"  # any other failure (unreachable network, ICMP error, proxy)


@dataclass(frozen=True)
class SshProbe:
    """The look at the server's SSH port that decided the SFTP offer: where (``via`` the
    proxy, when one carries the connections), what was found, how long it took at most
    ``timeout`` seconds, and in words (``detail``)."""

    host: str
    port: int
    outcome: SshProbeOutcome
    elapsed: float
    timeout: float
    detail: str
    banner: str | None = None
    via: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"host": self.host, "port": self.port, "outcome": self.outcome.value,
                "elapsed": round(self.elapsed, 3), "timeout": self.timeout,
                "detail": self.detail, "banner": self.banner, "via": self.via}


@dataclass(frozen=True)
class Verdict:
    """``key`` names the rule that matched (stable, for scripts and tests): healthy,
    partly-working, nat-not-configured, passive-partial, ftp-helper, passive-blocked,
    passive-disabled, active-blocked, active-disabled, passive-via-proxy, data-blocked,
    data-stalls, tls-data, target-unavailable, cannot-connect, ssh-port, inconclusive.

    ``sftp`` is an :class:`SftpOffer` when the same
    host answers SSH and SFTP would avoid the data connections that failed."""

    key: str
    headline: str
    explanation: str
    fixes: tuple[str, ...] = ()
    firewall: str | None = None
    recommended: Recommendation | None = None
    sftp: SftpOffer | None = None

    def to_json(self) -> dict[str, object]:
        return {"key": self.key, "headline": self.headline, "explanation": self.explanation,
                "fixes": list(self.fixes), "firewall": self.firewall,
                "recommended": self.recommended.to_json() if self.recommended else None,
                "sftp": self.sftp.to_json() if self.sftp else None}


@dataclass(frozen=True)
class Diagnosis:
    """The whole result: the target, every row, the verdict."""

    server: str
    path: str | None
    attempts: tuple[Attempt, ...]
    verdict: Verdict
    tls_offered: bool = False
    data_timeout: float = 0.0
    notes: tuple[str, ...] = field(default=())
    passive_ports: tuple[PortProbe, ...] = ()
    ssh_probe: SshProbe | None = None  # only when the verdict made one worth it

    def attempt(self, probe: Probe) -> Attempt | None:
        return next((a for a in self.attempts if a.probe is probe), None)

    def to_json(self) -> dict[str, object]:
        return {"server": self.server, "path": self.path, "tls_offered": self.tls_offered,
                "data_timeout": self.data_timeout,
                "attempts": [a.to_json() for a in self.attempts],
                "passive_ports": [p.to_json() for p in self.passive_ports],
                "verdict": self.verdict.to_json(), "notes": list(self.notes),
                "ssh_probe": self.ssh_probe.to_json() if self.ssh_probe else None}
