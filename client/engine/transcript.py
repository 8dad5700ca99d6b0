"""The transcript as JSON Lines: one object per engine event, for tickets and scripts.

An event observer (``bus.subscribe(writer)``), shared by the CLI's ``--transcript`` and
the GUI's export. Each record has ``t`` (seconds since the bus's origin), ``kind`` and
``text``, plus ``connection``:

- ``send`` / ``recv``: one record per line (a multi-line reply gives one per line;
  ``code`` on replies). PASS and ACCT are always ``PASS ****``.
- ``annotation``: what the line before it means: ``severity``, ``text``, ``fields``
  (the annotator's structured data) and, on address lines (227, 229, PORT, EPRT),
  ``decoded`` with ``host``, ``port`` and, for 227/PORT, ``p1``, ``p2``.
- ``data``: a data-channel phase: ``channel``, ``phase``, ``initiator`` (client/server),
  ``method``, ``command``, ``local``, ``remote``, ``advertised``, ``reason``,
  ``failure``, ``bytes``, ``elapsed``, ``rate_limit`` (bytes/s, or null).
- ``progress``: ``transfer_id``, ``direction``, ``remote_path``, ``bytes_done``,
  ``total``, ``rate``, ``done``.
- ``notice``: engine decisions and session states: ``severity``, ``category``.

Control characters from the server are escaped in every ``text``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from client.engine.events import (
    DataChannelEvent,
    EngineEvent,
    LineSent,
    Notice,
    ProxyEvent,
    ProxyPhase,
    QueueJobChanged,
    ReplyReceived,
    SessionStateChanged,
    TlsEstablished,
    TransferProgress,
)
from client.protocol.annotate import Annotation, render_line
from client.protocol.text import escape_control

__all__ = ["TranscriptWriter", "event_records", "annotation_record", "ADDRESS_KINDS",
           "proxy_text"]

#: Annotation kinds that carry a decoded data address.
ADDRESS_KINDS = frozenset({"pasv", "epsv", "port", "eprt"})


def _t(value: float) -> float:
    return round(value, 6)


def _json_value(value: object) -> object:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return escape_control(value)
    return escape_control(str(value))


def annotation_record(t: float, connection: str, annotation: Annotation) -> dict[str, object]:
    fields = {str(k): _json_value(v) for k, v in annotation.fields.items()}
    record: dict[str, object] = {
        "t": _t(t), "kind": "annotation", "connection": connection,
        "text": escape_control(annotation.text), "severity": annotation.severity.value,
        "fields": fields,
    }
    if fields.get("kind") in ADDRESS_KINDS and "port" in fields:
        host = fields.get("host") or fields.get("use_host")  # EPSV: the control peer
        decoded: dict[str, object] = {"host": host, "port": fields.get("port")}
        if fields.get("kind") in ("pasv", "port"):
            decoded["p1"] = fields.get("p1")
            decoded["p2"] = fields.get("p2")
        record["decoded"] = decoded
    return record


def _endpoint(value: object) -> str | None:
    return None if value is None else str(value)


def event_records(event: EngineEvent) -> Iterator[dict[str, object]]:
    """The JSON records of one event (a reply gives one per line, then its annotations)."""
    base = {"t": _t(event.t), "connection": event.connection}
    if isinstance(event, LineSent):
        yield {**base, "kind": "send", "text": render_line(event.text)}
        for annotation in event.annotations:
            yield annotation_record(event.t, event.connection, annotation)
    elif isinstance(event, ReplyReceived):
        for line in event.reply.lines or (str(event.reply.code),):
            yield {**base, "kind": "recv", "code": event.reply.code, "text": render_line(line)}
        for annotation in event.annotations:
            yield annotation_record(event.t, event.connection, annotation)
    elif isinstance(event, DataChannelEvent):
        yield {
            **base, "kind": "data", "channel": event.channel, "phase": event.phase.value,
            "initiator": event.initiator, "method": event.method,
            "command": render_line(event.command),
            "local": _endpoint(event.local), "remote": _endpoint(event.remote),
            "advertised": _endpoint(event.advertised),
            "reason": escape_control(event.reason) if event.reason else None,
            "failure": event.failure.value if event.failure else None,
            "address_note": escape_control(event.address_note) if event.address_note else None,
            "bytes": event.bytes, "elapsed": _t(event.elapsed), "tls": event.tls,
            "tcp": event.tcp.to_json() if event.tcp is not None else None,
            "rate_limit": event.rate_limit,
            "text": data_text(event),
        }
    elif isinstance(event, TransferProgress):
        yield {
            **base, "kind": "progress", "transfer_id": event.transfer_id,
            "direction": event.direction, "remote_path": escape_control(event.remote_path),
            "bytes_done": event.bytes_done, "total": event.total, "rate": round(event.rate, 1),
            "done": event.done,
            "text": f"{event.direction} {escape_control(event.remote_path)}: "
                    f"{event.bytes_done} of {event.total if event.total is not None else '?'} bytes",
        }
    elif isinstance(event, Notice):
        yield {**base, "kind": "notice", "severity": event.severity.value,
               "category": event.kind, "text": escape_control(event.text)}
    elif isinstance(event, SessionStateChanged):
        text = f"session {event.state.value}"
        if event.server is not None:
            text += f" (server {event.server}"
            text += f", local {event.local})" if event.local is not None else ")"
        if event.detail:
            text += f": {escape_control(event.detail)}"
        yield {**base, "kind": "notice", "severity": "info", "category": "state",
               "state": event.state.value, "text": text}
    elif isinstance(event, TlsEstablished):
        where = "control connection" if event.channel is None else f"data #{event.channel}"
        reused = ", session reused" if event.session_reused else ""
        yield {**base, "kind": "notice", "severity": "info", "category": "tls",
               "channel": event.channel, "version": event.version, "cipher": event.cipher,
               "session_reused": event.session_reused,
               "fingerprint_sha256": event.fingerprint_sha256,
               "text": f"TLS on the {where}: {event.version} {event.cipher}{reused}"}
    elif isinstance(event, ProxyEvent):
        yield {**base, "kind": "proxy", "phase": event.phase.value, "proxy_kind": event.kind,
               "proxy": _endpoint(event.proxy), "target": _endpoint(event.target),
               "channel": event.channel, "hop": event.hop.value if event.hop else None,
               "reply_code": event.reply_code, "text": proxy_text(event)}
    elif isinstance(event, QueueJobChanged):
        job = event.job
        state = getattr(getattr(job, "state", None), "value", None)
        path = escape_control(str(getattr(job, "remote_path", "")))
        yield {**base, "kind": "notice", "severity": "info", "category": "queue",
               "job_id": getattr(job, "job_id", None), "state": state,
               "text": f"job {getattr(job, 'job_id', '?')} {path}: {state}"}
    else:
        from client.engine.sftp.records import sftp_records

        yield from sftp_records(event, base)


def proxy_text(event: ProxyEvent) -> str:
    """One line for a proxy step, as the console and ``-v`` show it (never a password:
    the events never carry one)."""
    who = "control" if event.channel is None else f"data #{event.channel}"
    text = f"proxy {event.phase.value} ({who}, {event.kind} {event.proxy} -> {event.target})"
    if event.phase is ProxyPhase.FAILED and event.hop is not None:
        text += f" [failed hop: {event.hop.label}]"
    if event.detail:
        text += f": {escape_control(event.detail)}"
    return text


def data_text(event: DataChannelEvent) -> str:
    """One line for a data-channel phase, as the ``-v`` output shows it."""
    who = f"data #{event.channel}"
    if event.method:
        who += f" {event.method}"
    ends = ""
    if event.local is not None or event.remote is not None:
        left, right = _endpoint(event.local) or "?", _endpoint(event.remote) or "?"
        ends = f" {left} <- {right}" if event.initiator == "server" else f" {left} -> {right}"
    text = f"{who} {event.phase.value}{ends}"
    if event.phase.value in ("closed", "failed", "first-byte") and event.elapsed:
        text += f" after {event.elapsed:.3f}s"
    if event.bytes and event.phase.value in ("closed", "failed"):
        text += f", {event.bytes} bytes"
    if event.failure is not None:
        text += f" [{event.failure.value}]"
    if event.reason:
        text += f": {escape_control(event.reason)}"
    return text


class TranscriptWriter:
    """Observer that writes one JSON object per line to ``stream`` and flushes after
    each event, so a transcript survives a crash or a Ctrl+C."""

    def __init__(self, stream: IO[str]) -> None:
        import json  # here, not at the top: commands without --transcript never load it

        self._dumps = json.dumps
        self._stream = stream
        self.records = 0

    def __call__(self, event: EngineEvent) -> None:
        for record in event_records(event):
            self._stream.write(self._dumps(record, ensure_ascii=False) + "\n")
            self.records += 1
        self._stream.flush()
