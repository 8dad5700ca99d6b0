"""Running one network subcommand: target, event bus, observers, exit code.

Every subcommand is an ``async`` function of ``(context) -> int``; this module builds
the :class:`CommandContext` (settings, the bus with the ``-v`` printer and the
``--transcript`` writer subscribed), runs it on a fresh event loop and turns the typed
engine errors into their exit codes and a message on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from client.cli import loaded
from client.cli.limits import apply_limit
from client.cli.options import Target, TargetError, build_target
from client.cli.output import ProgressBar, VerbosePrinter, exit_code_of, format_error
from client.engine.errors import FtpError
from client.engine.events import UNLOGGED_KINDS, EngineEvent, EventBus, Notice, TlsEstablished
from client.engine.session import FtpSession
from client.engine.settings import ConnectionSettings
from client.engine.transcript import TranscriptWriter
from client.protocol.annotate import Severity
from client.protocol.errors import ProtocolError
from client.protocol.text import escape_control

if TYPE_CHECKING:  # the SFTP settings load for SFTP targets only
    from client.cli.early_start import Prepared
    from client.engine.early_login import EarlyLogin
    from client.engine.sftp.settings import SftpSettings

__all__ = ["CommandContext", "run_command", "EXIT_USAGE"]

EXIT_USAGE = 1
#: The subcommands that speak SFTP too.
_SFTP_COMMANDS = frozenset({"ls", "get", "put", "mirror", "cat", "rm", "mkdir", "rmdir",
                            "mv", "chmod"})


@dataclass
class CommandContext:
    """What a running subcommand needs: where to connect, the bus every session of the
    command emits on, and how to talk to the user."""

    command: str
    args: argparse.Namespace
    target: Target
    bus: EventBus
    stdout: IO[str]
    stderr: IO[str]
    progress: ProgressBar | None = None
    events: list[EngineEvent] = field(default_factory=list)
    record_events: bool = False
    #: a login started before the engine loaded (client/cli/early_start.py), for the
    #: command's first session
    early_login: EarlyLogin | None = None

    @property
    def settings(self) -> ConnectionSettings | SftpSettings:
        return self.target.settings

    @property
    def is_sftp(self) -> bool:
        return not isinstance(self.settings, ConnectionSettings)

    def session(self, settings: ConnectionSettings | SftpSettings | None = None,
                ) -> FtpSession:
        """A session of the target's protocol (an ``SftpSession`` for SFTP targets: the
        same interface; typed as the FTP one the FTP-only commands use)."""
        settings = settings or self.settings
        if not isinstance(settings, ConnectionSettings):
            from client.config.known_hosts import KnownHostsStore
            from client.engine.sftp.session import SftpSession

            return SftpSession(settings, bus=self.bus,  # type: ignore[return-value]
                               host_keys=KnownHostsStore())
        early, self.early_login = self.early_login, None
        if early is not None and settings is not self.target.settings:
            early.discard()
            early = None
        return FtpSession(settings, bus=self.bus, early_login=early)

    def note(self, text: str) -> None:
        """A note for the person at the terminal (suppressed by -q)."""
        if not self.args.quiet:
            if self.progress is not None:
                self.progress.clear()
            print(f"ftp-inspector {self.command}: {text}", file=self.stderr, flush=True)


def _warnings_observer(context: CommandContext) -> Callable[[EngineEvent], None]:
    """Without -v, warnings the engine raises (fallback, TLS not offered, replaced 227
    address) still reach stderr, once each; -q silences them."""
    seen: set[str] = set()

    def observe(event: EngineEvent) -> None:
        if isinstance(event, Notice) and event.severity is not Severity.INFO:
            text = escape_control(event.text)
            if text not in seen:
                seen.add(text)
                context.note(f"warning: {text}")

    return observe


def _unverified_certificate_observer(context: CommandContext) -> Callable[[EngineEvent], None]:
    """With certificate verification off (--insecure, or a saved site's setting), say
    once per certificate which one was accepted unchecked, so that the person can compare
    its fingerprint with the one the server's administrator publishes."""
    from client.engine.trust import format_fingerprint, normalise_fingerprint

    settings = context.settings
    pinned = {normalise_fingerprint(p) for p in settings.pinned_fingerprints}
    why = "--insecure" if getattr(context.args, "insecure", False) else \
        "verification is off in the site's settings"
    seen: set[str] = set()

    def observe(event: EngineEvent) -> None:
        if not isinstance(event, TlsEstablished) or event.channel is not None:
            return
        fingerprint = normalise_fingerprint(event.fingerprint_sha256 or "")
        if fingerprint in seen:
            return
        if fingerprint and fingerprint in pinned:
            return  # checked after all: by the site's pinned fingerprint
        seen.add(fingerprint)
        server = f"{settings.host}:{settings.port}"
        shown = format_fingerprint(fingerprint) if fingerprint else "unknown"
        subject = f", subject {escape_control(event.peer_subject)}" if event.peer_subject else ""
        context.note(f"warning: the TLS certificate of {server} was NOT verified ({why}): "
                     f"SHA-256 {shown}{subject}. Compare the fingerprint with the one the "
                     "server's administrator publishes; anyone between here and the server "
                     "could have presented this certificate")

    return observe


class _SessionLogObserver:
    """The always-on session log (:class:`client.engine.sessionlog.SessionLog`) in the
    app's log folder, as the window writes it, started at the command's first event (a
    command that stops before connecting starts no writer thread, and ``--version``,
    ``explain`` and the like never import it). Off with ``--no-log`` or when the window's
    preferences turned the log off."""

    def __init__(self, wall_origin: float) -> None:
        self.wall_origin = wall_origin  # the bus's: lines keep the times they happened
        self.log: object | None = None
        self.folder: Path | None = None
        self._off = False

    def __call__(self, event: EngineEvent) -> None:
        if self.log is None:
            if self._off:
                return
            from client.config.appdirs import log_dir, session_log_enabled

            try:
                if not session_log_enabled():
                    self._off = True
                    return
                self.folder = log_dir()
            except OSError:  # no data folder: the log is best effort
                self._off = True
                return
            from client.engine.sessionlog import SessionLog

            self.log = SessionLog(self.folder, wall_origin=self.wall_origin)
        self.log(event)  # type: ignore[operator]

    def close(self) -> None:
        if self.log is not None:
            self.log.close()  # type: ignore[attr-defined]


@contextlib.contextmanager
def _transcript(path: str | None) -> Iterator[TranscriptWriter | None]:
    if not path:
        yield None
        return
    with open(path, "w", encoding="utf-8") as stream:
        yield TranscriptWriter(stream)


def run_command(args: argparse.Namespace, command: str, url: str,
                body: Callable[[CommandContext], Awaitable[int]], *,
                stdout: IO[str] | None = None, stderr: IO[str] | None = None,
                record_events: bool = False, prepared: Prepared | None = None) -> int:
    """Resolve the target (or take ``prepared``'s, with its early login), subscribe the
    observers, run ``body``; returns the exit code."""
    loaded()  # the engine is loaded: collect as usual again (client/cli/__init__.py)
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    early = prepared.early_login if prepared is not None else None
    try:
        return _run_command(args, command, url, body, stdout, stderr, record_events,
                            prepared, early)
    finally:
        if early is not None:
            early.discard()  # a command that ended before connecting: close it


def _run_command(args: argparse.Namespace, command: str, url: str,
                 body: Callable[[CommandContext], Awaitable[int]], stdout: IO[str],
                 stderr: IO[str], record_events: bool, prepared: Prepared | None,
                 early: EarlyLogin | None) -> int:
    try:
        if prepared is not None and prepared.error is not None:
            raise prepared.error
        target = prepared.target if prepared is not None and prepared.target is not None \
            else build_target(args, url)
    except TargetError as exc:
        print(f"ftp-inspector {command}: {escape_control(str(exc))}", file=stderr)
        return EXIT_USAGE
    if not isinstance(target.settings, ConnectionSettings) and command not in _SFTP_COMMANDS:
        print(f"ftp-inspector {command}: speaks FTP only; an SFTP server has no data "
              "connections to diagnose (ls, get, put, mirror, cat, rm, mkdir, rmdir, mv "
              "and chmod take sftp://)", file=stderr)
        return EXIT_USAGE
    apply_limit(args)
    # an early login's lines are dated from its start: the bus's clock starts with it
    bus = EventBus() if early is None else EventBus(origin=early.started,
                                                    wall_origin=early.started_wall)
    show_progress = not args.quiet and _isatty(stderr)
    context = CommandContext(command=command, args=args, target=target, bus=bus,
                             stdout=stdout, stderr=stderr,
                             progress=ProgressBar(stderr) if show_progress else None,
                             record_events=record_events, early_login=early)
    if record_events:
        bus.subscribe(context.events.append)
    ports = None
    if args.verbose:
        # the passive-port map (and the diagnosis model it reports in) only for -v
        from client.engine.portmap import PassivePortMap

        ports = PassivePortMap()
        printer = VerbosePrinter(stderr)
        printer.progress = context.progress
        bus.subscribe(printer)
        bus.subscribe(ports)
    elif not args.quiet:
        bus.subscribe(_warnings_observer(context), kinds=(Notice,))
    if not args.quiet and not getattr(target.settings, "verify_certificates", True):
        bus.subscribe(_unverified_certificate_observer(context), kinds=(TlsEstablished,))
    session_log = None
    if not getattr(args, "no_log", False):
        # the log keeps the whole annotated conversation: every kind but progress and
        # the queue's job states, which the engine then need not build for it
        session_log = _SessionLogObserver(bus.wall_origin)
        bus.subscribe(session_log, exclude=UNLOGGED_KINDS)
    try:
        with _transcript(args.transcript) as writer:
            if writer is not None:
                bus.subscribe(writer)
            return asyncio.run(body(context))
    except FtpError as error:
        if context.progress is not None:
            context.progress.finish()
        print(format_error(error, command=command), file=stderr)
        return exit_code_of(error)
    except ProtocolError as exc:  # bytes that are not FTP, if the engine let one through
        print(f"ftp-inspector {command}: the server's reply is not valid FTP: "
              f"{escape_control(str(exc))}", file=stderr)
        return 4
    except BrokenPipeError:
        # The reader went away (``ls … | head``): stop quietly, as ls and cat do, and keep
        # the interpreter from failing again when it flushes the streams at exit.
        _silence_broken_streams()
        return 0
    except OSError as exc:
        print(f"ftp-inspector {command}: local error: {escape_control(str(exc))}", file=stderr)
        return EXIT_USAGE
    finally:
        if ports is not None and ports.entries():
            print(f"passive ports this session: {ports.summary()}", file=stderr)
        if session_log is not None:
            session_log.close()
            if args.verbose and session_log.folder is not None:
                print(f"session log: {session_log.folder}", file=stderr)


def _silence_broken_streams() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (BrokenPipeError, ValueError):
                with contextlib.suppress(OSError, ValueError):
                    os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
