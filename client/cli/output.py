"""What the CLI writes to stderr: the ``-v`` transcript, progress bars and errors.

``-v`` marks each line like curl: ``>`` sent, ``<`` received, ``*`` note, ``!`` warning
or error, after the seconds since the session began; annotations are indented under the
line they explain; data-channel phases are notes. Colour only when the stream is a
terminal; text from the server always has its control characters escaped.
"""

from __future__ import annotations

import time
from typing import IO

from client.arguments import terminal_columns
from client.engine.errors import (
    CertificateError,
    CommandFailedError,
    ConnectError,
    ControlTimeoutError,
    DataChannelError,
    FtpError,
    NoMatchError,
    ProxyFailedError,
)
from client.engine.events import (
    DataChannelEvent,
    DataPhase,
    EngineEvent,
    LineSent,
    Notice,
    ProxyEvent,
    ProxyHop,
    ProxyPhase,
    ReplyReceived,
    SessionStateChanged,
    TlsEstablished,
)
from client.engine.transcript import data_text, proxy_text
from client.engine.units import format_bytes, format_rate
from client.protocol.annotate import Annotation, Severity, render_line
from client.protocol.text import escape_control

__all__ = ["VerbosePrinter", "ProgressBar", "format_error", "format_verbose", "exit_code_of"]

#: Replies to a transfer command that refuse the command itself (no such file, no
#: permission, bad syntax), not the data connection: exit code 4, not 3.
_COMMAND_REFUSALS = frozenset({450, 451, 452, 500, 501, 502, 504, 530, 550, 551, 552, 553})


def _is_command_refusal(error: FtpError) -> bool:
    return (isinstance(error, DataChannelError) and error.failure.value == "server-refused"
            and error.reply_code in _COMMAND_REFUSALS
            and (error.step or "").upper() not in ("PASV", "EPSV", "PORT", "EPRT"))


def exit_code_of(error: FtpError) -> int:
    """The CLI exit code: the error's own, except that a transfer command refused with
    550 & co. is a refused command (4) even though the engine saw it on a data channel."""
    return 4 if _is_command_refusal(error) else error.exit_code

_COLOURS = {">": "\x1b[36m", "<": "\x1b[32m", "*": "\x1b[2m", "!": "\x1b[31m", "ann": "\x1b[33m"}
_RESET = "\x1b[0m"
_INDENT = " " * 12
_SHOWN_STATES = frozenset({"tls-handshake", "logging-in", "failed", "disconnected"})


def _stamp(t: float) -> str:
    return f"{t:8.3f}"


def _annotation_lines(annotations: tuple[Annotation, ...]) -> list[tuple[str, str]]:
    out = []
    for annotation in annotations:
        label = "" if annotation.severity is Severity.INFO else f"{annotation.severity.value}: "
        out.append(("ann", f"{_INDENT}{label}{escape_control(annotation.text)}"))
    return out


def format_verbose(event: EngineEvent, *, tag: bool = False) -> list[tuple[str, str]]:
    """(style, text) lines for one event; style is one of ``> < * ! ann``. ``tag``
    adds the control connection's name (``[c2]``) for commands that open several."""
    stamp = _stamp(event.t) + (f" [{event.connection}]" if tag else "")
    if isinstance(event, LineSent):
        return [(">", f"> {stamp} {render_line(event.text)}"),
                *_annotation_lines(event.annotations)]
    if isinstance(event, ReplyReceived):
        mark = "!" if event.reply.code >= 400 else "<"
        lines = [(mark, f"{mark if mark == '!' else '<'} {stamp} {render_line(line)}")
                 for line in (event.reply.lines or (str(event.reply.code),))]
        return lines + _annotation_lines(event.annotations)
    if isinstance(event, DataChannelEvent):
        mark = "!" if event.phase is DataPhase.FAILED else "*"
        return [(mark, f"{mark} {stamp} {data_text(event)}")]
    if isinstance(event, Notice):
        mark = "*" if event.severity is Severity.INFO else "!"
        return [(mark, f"{mark} {stamp} {escape_control(event.text)}")]
    if isinstance(event, ProxyEvent):
        mark = "!" if event.phase is ProxyPhase.FAILED else "*"
        return [(mark, f"{mark} {stamp} {proxy_text(event)}")]
    if isinstance(event, SessionStateChanged):
        # busy/ready flip around every command: only the states that say something
        if event.state.value not in _SHOWN_STATES:
            return []
        text = f"session {event.state.value}"
        if event.server is not None and event.local is not None:
            text += f" (control {event.local} -> {event.server})"
        if event.detail:
            text += f": {escape_control(event.detail)}"
        mark = "!" if event.state.value == "failed" else "*"
        return [(mark, f"{mark} {stamp} {text}")]
    if isinstance(event, TlsEstablished):
        where = "control connection" if event.channel is None else f"data #{event.channel}"
        reused = ", session reused" if event.session_reused else ""
        return [("*", f"* {stamp} TLS on the {where}: {event.version} {event.cipher}{reused}")]
    from client.cli.sftp_output import format_sftp_event

    return format_sftp_event(event, stamp) or []


class VerbosePrinter:
    """Event observer printing the ``-v`` transcript on ``stream``; a warning notice is
    printed once, however many connections raise it (the transcript file keeps all)."""

    def __init__(self, stream: IO[str], *, colour: bool | None = None) -> None:
        self._stream = stream
        self._colour = _isatty(stream) if colour is None else colour
        self.progress: ProgressBar | None = None
        self._connections: set[str] = set()
        self._warnings_shown: set[str] = set()

    def __call__(self, event: EngineEvent) -> None:
        self._connections.add(event.connection)
        if isinstance(event, Notice) and event.severity is not Severity.INFO:
            # Each control connection of a command (mirror's workers, diagnose's probes)
            # raises the same warnings ("the server does not offer TLS"): say each once.
            if event.text in self._warnings_shown:
                return
            self._warnings_shown.add(event.text)
        lines = format_verbose(event, tag=len(self._connections) > 1)
        if not lines:
            return
        if self.progress is not None:
            self.progress.clear()
        for style, text in lines:
            if self._colour:
                text = f"{_COLOURS[style]}{text}{_RESET}"
            self._stream.write(text + "\n")
        self._stream.flush()


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _eta(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def progress_line(name: str, done: int, total: int | None, rate: float, width: int) -> str:
    """One progress line: name, bar, percentage, bytes, rate and ETA, ``width`` wide."""
    rate_text = f"{format_rate(rate)}" if rate > 0 else "-- /s"
    if total:
        fraction = min(1.0, done / total)
        eta = _eta((total - done) / rate) if rate > 0 and done < total else "--:--"
        tail = f" {fraction * 100:5.1f}% {format_bytes(done)}/{format_bytes(total)} {rate_text} ETA {eta}"
    else:
        fraction = None
        tail = f" {format_bytes(done)} {rate_text}"
    name = escape_control(name)
    room = max(10, width - len(tail) - 3)
    name_room = max(8, room // 3)
    if len(name) > name_room:
        name = "..." + name[-(name_room - 3):]
    bar_room = max(5, room - len(name) - 1)
    if fraction is None:
        bar = "[" + "?" * (bar_room - 2) + "]" if bar_room > 2 else ""
    else:
        filled = int((bar_room - 2) * fraction)
        bar = "[" + "#" * filled + "-" * (bar_room - 2 - filled) + "]"
    return f"{name} {bar}{tail}"[:width]


class ProgressBar:
    """A one-line progress bar redrawn in place with ``\\r``; only ever drawn on a
    terminal (the caller decides), at most 10 times a second."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._drawn = False
        self._last = 0.0

    def update(self, name: str, done: int, total: int | None, rate: float,
               *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        width = max(40, terminal_columns() - 1)
        self._stream.write("\r" + progress_line(name, done, total, rate, width) + "\x1b[K")
        self._stream.flush()
        self._drawn = True

    def clear(self) -> None:
        if self._drawn:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._drawn = False

    def finish(self) -> None:
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False


def _options_to_try(explanation: object) -> str:
    """The window's banner buttons for this failure, as options, best first."""
    from client.engine.explain_failure import RecoveryAction

    options = {RecoveryAction.RETRY_ACTIVE: "--mode active",
               RecoveryAction.RETRY_PASSIVE: "--mode passive",
               RecoveryAction.USE_CONTROL_ADDRESS: "--pasv-address control",
               RecoveryAction.STAT_LISTING: "--stat-fallback (listings over STAT)"}
    actions = getattr(explanation, "actions", ())
    said = [options[action] for action in actions if action in options]
    if not said:
        said = ["the other --mode"]
    return ", ".join([*said, "--fallback", "or 'ftp-inspector diagnose URL'"])


def format_error(error: FtpError, *, command: str) -> str:
    """The stderr text for a failed command: what failed, at which step, between which
    endpoints, and the likely cause."""
    from client.cli.sftp_output import HOST_KEY_KIND, sftp_error_lines
    from client.engine.sftp.errors import HostKeyError, SftpStatusError, SshConnectError

    step = f" at step {error.step}" if error.step else ""
    kind = {
        1: "local error", 2: "could not connect or log in", 3: "data connection failed",
        4: "the server refused a command", 5: "TLS or certificate failure",
        6: "the target exists",
    }.get(exit_code_of(error), "error")
    if isinstance(error, HostKeyError):
        kind = HOST_KEY_KIND
    elif isinstance(error, NoMatchError):
        kind = "nothing to do"
    lines = [f"ftp-inspector {command}: {kind}{step}: {escape_control(error.message)}"]
    lines.extend(sftp_error_lines(error))
    if isinstance(error, DataChannelError) and not _is_command_refusal(error):
        from client.engine.explain_failure import explain_error

        ends = []
        if error.local is not None or error.remote is not None:
            arrow = "<-" if error.method in ("PORT", "EPRT") else "->"
            ends.append(f"{error.local or '?'} {arrow} {error.remote or '?'}")
        detail = f"  data connection: {error.method or 'data'} {' '.join(ends)}".rstrip()
        detail += f", phase {error.phase.value}, failure {error.failure.value}"
        if error.elapsed:
            detail += f", after {error.elapsed:.2f}s"
        lines.append(detail)
        try:
            explanation = explain_error(error)
        except Exception:  # noqa: BLE001 - the explanation is a help, never a second failure
            explanation = None
        if explanation is not None:
            lines.append(f"  likely cause: {escape_control(explanation.cause or explanation.detail)}")
        lines.append(f"  try: {_options_to_try(explanation)}")
    elif isinstance(error, CertificateError):
        if error.fingerprint_sha256:
            lines.append(f"  certificate SHA-256: {error.fingerprint_sha256}")
        if error.subject:
            lines.append(f"  subject: {escape_control(error.subject)}"
                         f"{'; issuer: ' + escape_control(error.issuer) if error.issuer else ''}")
        lines.append("  likely cause: a self-signed certificate, one issued for another name, "
                     "or an expired one; trust it with --ca-file FILE once you have checked "
                     "the fingerprint, or skip the check with --insecure")
    elif isinstance(error, ProxyFailedError):
        lines.append(f"  failed hop: {error.hop.label} (proxy {escape_control(error.proxy)}, "
                     f"server {escape_control(error.target)})")
        if error.hop is ProxyHop.CLIENT_PROXY:
            lines.append("  likely cause: the proxy is down or its address is wrong, it does "
                         "not allow this connection, or its user name or password is wrong "
                         "(--proxy, FTP_PROXY_PASSWORD)")
        else:
            lines.append("  likely cause: the proxy works but cannot reach the server: a "
                         "wrong host or port, a server that is not running, or a firewall "
                         "between the proxy and the server")
    elif isinstance(error, SshConnectError):
        lines.append(f"  likely cause: a wrong host or port, no SSH server on port {error.port} "
                     f"of {escape_control(error.host)}, or a firewall blocking SSH there "
                     "(SSH listens on port 22 unless the URL names another)")
    elif isinstance(error, ConnectError):
        lines.append("  likely cause: a wrong host or port, a server that is not running, or "
                     "a firewall blocking the control port (21, or 990 for ftps://)")
    elif isinstance(error, ControlTimeoutError):
        lines.append("  likely cause: the server or a firewall between stopped answering on "
                     "the control connection; try a longer --timeout")
    elif isinstance(error, SftpStatusError):
        pass  # the message names the request and its status; its "550" is only an analogy
    elif isinstance(error, CommandFailedError):
        lines.append(f"  command: {render_line(error.command)} -> {error.reply_code} "
                     f"{escape_control(error.reply_text)}")
    return "\n".join(lines)
