"""Classifying how a data command ended: the error a user acts on, built from the reply
that refused it, the way its connection ended, or the final reply that never came.

Each is a :class:`DataChannelError` from the tracker (its FAILED event is emitted with
it, with the phase reached and the endpoints), except a refusal of the command itself
(550 no such file …) and a local disk error, which are not the data connection's fault.
"""

from __future__ import annotations

import ssl

from client.engine.data.tracking import ChannelTracker, SilentData, StalledData, is_tls_refusal
from client.engine.errors import CommandFailedError, DataChannelError, FtpError, LocalError
from client.engine.events import DataFailure, DataPhase
from client.protocol.commands import Command
from client.protocol.replies import Reply
from client.protocol.text import escape_control

__all__ = ["DATA_CONNECTION_CODES", "connection_end", "error_while_open", "final_reply_lost",
           "refused_command", "refused_final"]

#: Replies to a data command that are about the data connection itself (RFC 959: 425
#: can't open data connection, 426 connection closed; transfer aborted).
DATA_CONNECTION_CODES = frozenset({425, 426})


def refused_command(tracker: ChannelTracker, reply: Reply, command: Command) -> FtpError:
    """The data command was answered with an error. 425/426 (and TLS refusals) are
    data-connection failures; anything else (550 no such file, 553, 530 …) is the
    command itself being refused: a :class:`CommandFailedError`, so that neither a
    mode fallback nor the diagnosis blames the data connection for a missing file.
    The channel's FAILED event is emitted either way."""
    text = escape_control(reply.text)
    if is_tls_refusal(reply):
        return tracker.failure(
            DataFailure.TLS_FAILED,
            f"the server refused the protected data connection: {reply.code} {text} "
            "(it may require the data connection to resume the control TLS session)",
            step=command.verb, reply_code=reply.code)
    error = tracker.failure(
        DataFailure.SERVER_REFUSED,
        f"the server answered {command.display} with {reply.code} {text}",
        step=command.verb, reply_code=reply.code)
    if reply.code in DATA_CONNECTION_CODES:
        return error
    return CommandFailedError(
        f"{command.display} failed: the server answered {reply.code} {text}",
        reply_code=reply.code, reply_text=text, command=command.display,
        step=command.verb)


def _tls_not_resumed(tracker: ChannelTracker, reply: Reply, verb: str) -> DataChannelError:
    """An error reply naming TLS once the data connection was open: the server wanted
    the control connection's session resumed."""
    return tracker.failure(
        DataFailure.TLS_FAILED,
        f"the server refused the protected data connection: {reply.code} "
        f"{escape_control(reply.text)} (it requires the data connection to "
        "resume the control connection's TLS session)",
        step=verb, reply_code=reply.code)


def error_while_open(tracker: ChannelTracker, reply: Reply, verb: str,
                     moved: int) -> DataChannelError:
    """The final reply was an error while the data connection was still open (or just
    failed) after ``moved`` bytes."""
    if is_tls_refusal(reply):
        return _tls_not_resumed(tracker, reply, verb)
    failure = DataFailure.CLOSED_EARLY if moved else DataFailure.SERVER_REFUSED
    return tracker.failure(
        failure, f"the server ended the transfer with {reply.code} "
        f"{escape_control(reply.text)} while the data connection was still "
        f"open ({moved} bytes moved)", step=verb, reply_code=reply.code)


def refused_final(tracker: ChannelTracker, reply: Reply, verb: str,
                  moved: int) -> DataChannelError:
    """The final reply after a data connection that ended normally was an error: the
    transfer did not complete."""
    if is_tls_refusal(reply):
        return _tls_not_resumed(tracker, reply, verb)
    return tracker.failure(
        DataFailure.CLOSED_EARLY,
        f"the transfer did not complete: the server answered {reply.code} "
        f"{escape_control(reply.text)} after {moved} bytes",
        step=verb, reply_code=reply.code)


def connection_end(outcome: BaseException, tracker: ChannelTracker, *, verb: str,
                   moved: int, timeout: float) -> FtpError:
    """What ended the data connection (the watchdog's verdict, TLS, the disk, a reset)
    as the transfer's error."""
    if isinstance(outcome, SilentData) and outcome.tcp is not None:
        tracker.tcp = outcome.tcp
    said = f" (TCP: {outcome.tcp.summary})" if isinstance(outcome, SilentData) \
        and outcome.tcp is not None else ""
    if isinstance(outcome, StalledData):
        return tracker.failure(
            DataFailure.STALLED,
            f"the transfer stalled: no bytes moved for {timeout:g} s after {moved} "
            f"bytes (the link or the server stopped){said}")
    if isinstance(outcome, SilentData):
        return tracker.failure(
            DataFailure.SILENT,
            f"the data connection opened and the server accepted {verb}, but "
            f"no byte arrived within {timeout:g} s: something between the hosts lets the "
            "connection through but not the data (a firewall or NAT helper), or the server "
            f"is stuck{said}")
    if isinstance(outcome, ssl.SSLError):
        return tracker.failure(DataFailure.TLS_FAILED,
                               f"TLS failed on the data connection: {outcome}")
    if isinstance(outcome, OSError) and not isinstance(outcome, ConnectionError):
        tracker.failure(DataFailure.LOCAL, f"local error while storing data: {outcome}")
        return LocalError(f"could not write the downloaded data: {outcome.strerror or outcome}",
                          step=verb)
    return tracker.failure(
        DataFailure.RESET,
        f"the data connection was reset after {moved} bytes "
        f"({escape_control(str(outcome)) or type(outcome).__name__})")


def final_reply_lost(tracker: ChannelTracker, *, lost: str, verb: str, moved: int,
                     idle: float) -> DataChannelError:
    """The data connection itself ended normally, but the final reply never came: its
    arrow closes, and the lost reply is the control connection's failure (the caller
    keeps or rejects the data). The error says how long the control connection had
    been idle."""
    message = (f"the data connection closed after {moved} bytes but {lost}, after "
               f"{idle:.0f} s without traffic on it")
    tracker.emit(DataPhase.CLOSED, reason=message)
    error = DataChannelError(
        message, failure=DataFailure.CLOSED_EARLY, phase=DataPhase.CLOSED,
        method=tracker.method, local=tracker.local, remote=tracker.remote,
        elapsed=tracker.elapsed, step=verb, command=tracker.command,
        advertised=tracker.advertised, control_peer=tracker.control_peer)
    error.final_reply_missing = True
    error.control_idle = idle
    return error
