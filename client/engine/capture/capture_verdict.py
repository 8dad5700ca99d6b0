"""The verdict on a capture, from the same rule as ``diagnose``
(:func:`client.engine.diagnose.verdict.decide_verdict`), and what the capture cannot show.

Each data connection becomes an :class:`Attempt` row of the method it used (PASV split
into "advertised" and "control" address by where the client actually dialled). A capture
holds what one client happened to try, usually one mode: when the connections of that
mode fail to connect at all (refused, SYNs unanswered, never connected back) and the
other mode does not appear, the rule is applied with the other mode assumed to work, and
that assumption is listed among the limits, never hidden.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from client.engine.capture.channel_report import ChannelReport
from client.engine.capture.event_replay import Conversation
from client.engine.diagnose.model import (
    ACTIVE_PROBES,
    PASSIVE_PROBES,
    Attempt,
    Outcome,
    Probe,
    Verdict,
)
from client.engine.diagnose.network import server_fixes
from client.engine.diagnose.verdict import decide_verdict
from client.engine.events import DataFailure
from client.protocol.address_policy import decide_pasv_address
from client.protocol.addresses import PasvPolicy
from client.protocol.text import escape_control

__all__ = ["CaptureVerdict", "judge_capture"]

_NO_CONNECTION = frozenset({DataFailure.REFUSED, DataFailure.CONNECT_TIMEOUT,
                            DataFailure.NEVER_CONNECTED_BACK})


@dataclass(frozen=True)
class CaptureVerdict:
    verdict: Verdict
    attempts: tuple[Attempt, ...]
    limits: tuple[str, ...]
    assumed: str | None = None  # the mode assumed to work, when one was

    def to_json(self) -> dict[str, object]:
        return {"verdict": self.verdict.to_json(),
                "attempts": [a.to_json() for a in self.attempts],
                "limits": list(self.limits), "assumed": self.assumed}


def _probe(report: ChannelReport) -> Probe | None:
    if report.guessed:  # encrypted control connection: only the direction is known
        return Probe.PASV_CONTROL if report.passive else Probe.PORT
    if report.method == "PASV":
        if report.remote and report.advertised and report.remote != report.advertised:
            return Probe.PASV_CONTROL
        return Probe.PASV_ADVERTISED
    return Probe[report.method]


def _attempt(probe: Probe, report: ChannelReport) -> Attempt:
    ok = report.failure is None and report.phase == "closed" and (
        report.reply_code is None or report.reply_code < 400)
    detail = f"data #{report.channel} for {report.command}: " + (
        "closed normally" if ok else escape_control(
            next((e.reason for e in reversed(report.events)  # type: ignore[attr-defined]
                  if getattr(e, "reason", None)), None) or "failed"))
    failure = None if ok else (report.failure or DataFailure.CLOSED_EARLY)
    if not ok and report.failure is None and report.reply_code is not None:
        failure = DataFailure.SERVER_REFUSED
    return Attempt(probe, Outcome.OK if ok else Outcome.FAILED, detail, failure=failure,
                   failure_class=None if ok else failure.value,  # type: ignore[union-attr]
                   phase=report.phase, elapsed=report.elapsed, local=report.local,
                   remote=report.remote, advertised=report.advertised,
                   reply_code=report.reply_code, tls=report.tls)


def _host(endpoint: str) -> str:
    return endpoint.rsplit(":", 1)[0].strip("[]")


def _substituted(report: ChannelReport) -> Attempt | None:
    """A 227 whose address the client replaced with the control connection's (and the
    replacement worked): the row "PASV to the advertised address" a live diagnosis would
    have written, "not attempted: unroutable"."""
    if report.method != "PASV" or not report.remote or not report.advertised:
        return None
    advertised, dialled = _host(report.advertised), _host(report.remote)
    if advertised == dialled or not decide_pasv_address(advertised, dialled,
                                                        PasvPolicy.AUTO).replaced:
        return None
    return Attempt(Probe.PASV_ADVERTISED, Outcome.NOT_ATTEMPTED,
                   f"the 227 reply advertised {report.advertised}, which the client did not "
                   f"dial: it connected to {report.remote}, the control connection's address",
                   failure_class="unroutable-refused", advertised=report.advertised)


def _rows(reports: Sequence[ChannelReport]) -> list[Attempt]:
    """One row per method: the first success, else the first failure."""
    rows: dict[Probe, Attempt] = {}
    for report in reports:
        probe = _probe(report)
        if probe is None:
            continue
        attempt = _attempt(probe, report)
        known = rows.get(probe)
        if known is None or (attempt.ok and not known.ok):
            rows[probe] = attempt
        substituted = _substituted(report) if probe is Probe.PASV_CONTROL else None
        if substituted is not None and Probe.PASV_ADVERTISED not in rows:
            rows[Probe.PASV_ADVERTISED] = substituted
    return [rows[p] for p in Probe if p in rows]


def _assumption(rows: list[Attempt], conversations: Sequence[Conversation]) -> tuple[
        Attempt | None, str | None]:
    passive = [a for a in rows if a.probe in PASSIVE_PROBES]
    active = [a for a in rows if a.probe in ACTIVE_PROBES]
    for tried, other, mode, probe in ((passive, active, "active", Probe.PORT),
                                      (active, passive, "passive", Probe.PASV_CONTROL)):
        if tried and not other and all(not a.ok and a.failure in _NO_CONNECTION for a in tried):
            note = (f"not in the capture: {mode} mode was never tried, and the verdict assumes "
                    "it works")
            return Attempt(probe, Outcome.OK, note), mode
    advertised = next((a for a in rows if a.probe is Probe.PASV_ADVERTISED), None)
    if advertised is not None and not advertised.ok and Probe.PASV_CONTROL not in {
            a.probe for a in rows} and advertised.advertised:
        host = advertised.advertised.rsplit(":", 1)[0].strip("[]")
        for conversation in conversations:
            peer = conversation.stream.server.host
            if host != peer and decide_pasv_address(host, peer, PasvPolicy.AUTO).replaced:
                return (Attempt(Probe.PASV_CONTROL, Outcome.OK,
                                "not in the capture: dialling the control connection's "
                                "address instead was never tried; assumed to work"),
                        "passive to the control address")
    return None, None


def _limits(reports: Sequence[ChannelReport], conversations: Sequence[Conversation],
            assumed: str | None, extra: Sequence[str]) -> list[str]:
    limits = list(extra)
    if assumed:
        limits.append(f"{assumed} mode does not appear in this capture; the verdict assumes it "
                      "would work. Run 'ftp-inspector diagnose' against the server to know")
    if any(not r.seen for r in reports):
        limits.append("a connection 'not seen on this interface' may have been dropped before "
                      "it reached the capture point: a capture on the client tells a client "
                      "that never dialled from a firewall that drops; one on the server shows "
                      "whether the SYN arrived")
    if any(c.opaque_since is not None for c in conversations):
        limits.append("after AUTH TLS the control connection is encrypted: commands, replies, "
                      "227/229 addresses and refusals such as 522 (TLS session reuse "
                      "required) cannot be read; data connections are paired with commands "
                      "by guess")
    if any(not c.stream.from_start for c in conversations):
        limits.append("the capture starts in the middle of a control connection: the login "
                      "and earlier commands are not in it")
    if any(r.tls for r in reports):
        limits.append("whether a TLS data connection resumed the control connection's TLS "
                      "session cannot be read from packets")
    limits.append("a capture shows what crossed this interface, not the configuration of "
                  "the firewalls or the server")
    return limits


def _partly_open(reports: Sequence[ChannelReport], server: str) -> Verdict | None:
    """Passive connections to some ports work while others never connect: only part of
    the passive range is open or forwarded."""
    passive = [r for r in reports if r.passive and not r.guessed and r.advertised]
    good = sorted({_port(r.advertised) for r in passive if r.failure is None})
    bad = sorted({_port(r.advertised) for r in passive if r.failure in _NO_CONNECTION})
    if not good or not bad:
        return None
    fixes = server_fixes(min(good + bad), max(good + bad), server)
    return Verdict(
        "passive-blocked", "only part of the server's passive port range is open or forwarded",
        f"passive data connections to port(s) {', '.join(map(str, good[:8]))} worked, while "
        f"those to port(s) {', '.join(map(str, bad[:8]))} never connected: the firewall or NAT "
        "rule in front of the server covers only part of the range the server hands out. "
        "Make the server's passive range and the opened/forwarded range the same.",
        fixes=fixes, firewall=f"allow and forward inbound TCP {min(good + bad)}-"
                              f"{max(good + bad)} (the whole passive range) to the server")


def _port(endpoint: str | None) -> int:
    return int((endpoint or "0").rsplit(":", 1)[-1])


def judge_capture(reports: Sequence[ChannelReport], conversations: Sequence[Conversation],
                  extra_limits: Sequence[str] = ()) -> CaptureVerdict:
    """The verdict, the rows it rests on and the limits of the evidence."""
    rows = _rows(reports)
    login = next((c.login_failed for c in conversations if c.login_failed), None)
    tls_used = any(c.opaque_since is not None for c in conversations)
    server = conversations[0].stream.server.host if conversations else "the server"
    if login is not None and not any(a.ok for a in rows):
        rows.insert(0, Attempt(Probe.EPSV, Outcome.FAILED,
                               f"the login was refused: {login.code} "
                               f"{escape_control(login.text)}", failure_class="login"))
    if not rows:
        verdict = Verdict("inconclusive", "no data connection in this capture",
                          "the control conversation never opened a data connection that "
                          "could be followed (no PASV/EPSV/PORT/EPRT with a transfer "
                          "command), so there is nothing to judge")
        if tls_used:
            verdict = dataclasses.replace(verdict, explanation=verdict.explanation +
                                          "; the control connection was encrypted and no "
                                          "data connection between the two hosts followed")
        return CaptureVerdict(verdict, (), tuple(_limits(reports, conversations, None,
                                                         extra_limits)))
    partial = _partly_open(reports, server)
    if partial is not None:
        return CaptureVerdict(partial, tuple(rows), tuple(_limits(reports, conversations, None,
                                                                  extra_limits)))
    if all(a.ok for a in rows):  # (a replaced 227 address is a NOT_ATTEMPTED row)
        modes = sorted({"passive" if a.probe in PASSIVE_PROBES else "active" for a in rows})
        missing = {"passive", "active"} - set(modes)
        verdict = Verdict("healthy", f"every data connection in the capture worked "
                          f"({' and '.join(modes)} mode)",
                          f"all {len(reports)} data connection(s) opened, carried their bytes "
                          "and closed normally." + (f" {missing.pop().capitalize()} mode does "
                                                    "not appear in the capture." if missing else ""))
        return CaptureVerdict(verdict, tuple(rows), tuple(_limits(reports, conversations, None,
                                                                  extra_limits)))
    assumed_row, assumed = _assumption(rows, conversations)
    judged = rows + ([assumed_row] if assumed_row is not None else [])
    verdict = decide_verdict(judged, tls_used=tls_used, server_host=server)
    if assumed:
        verdict = dataclasses.replace(
            verdict, explanation=verdict.explanation + f" (The capture shows no {assumed} "
            "connection: that part is assumed, not seen.)")
    return CaptureVerdict(verdict, tuple(rows), tuple(_limits(reports, conversations, assumed,
                                                              extra_limits)), assumed)
