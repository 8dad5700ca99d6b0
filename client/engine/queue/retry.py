"""Which failures are worth another attempt, and how long to wait before it.

Transient: 4xx replies (RFC 959: "the action did not take place, but the error
condition is temporary"), data-connection failures that are not a 5xx, a lost or
silent control connection, connect failures and timeouts. Permanent: 5xx replies,
local errors (disk, permissions, unsafe paths), login and TLS/certificate failures,
and garbage from the server: trying again would only repeat them.
"""

from __future__ import annotations

from client.engine.errors import (
    CommandFailedError,
    ConnectError,
    ConnectionLostError,
    ControlTimeoutError,
    DataChannelError,
    FtpError,
)

__all__ = ["is_transient", "needs_new_connection", "backoff_delay", "refused_restart",
           "MAX_BACKOFF"]

MAX_BACKOFF = 60.0


def is_transient(error: BaseException) -> bool:
    if isinstance(error, CommandFailedError):
        return 400 <= error.reply_code < 500
    if isinstance(error, DataChannelError):
        return error.reply_code is None or 400 <= error.reply_code < 500
    if isinstance(error, (ConnectionLostError, ControlTimeoutError, ConnectError)):
        return True
    if isinstance(error, FtpError):
        return False
    return isinstance(error, (TimeoutError, ConnectionError))


def needs_new_connection(error: BaseException) -> bool:
    """Whether the control connection's state is in doubt after ``error``. A failure
    the server explained with its final reply leaves it in step; anything else (a
    timeout, a reset, a local error mid-transfer) may leave a reply still on its way,
    and a fresh connection is the safe way on."""
    if isinstance(error, CommandFailedError):
        return error.reply_code == 421
    if isinstance(error, DataChannelError):
        return error.reply_code is None or error.reply_code == 421
    return True


def backoff_delay(failures: int, base: float) -> float:
    """``base``, ``2*base``, ``4*base``… for the 1st, 2nd, 3rd… consecutive failure."""
    return min(MAX_BACKOFF, base * (2 ** max(0, failures - 1)))


#: Replies about the connection, not about the command: 421 closing, 425 no data
#: connection, 426 transfer aborted.
_TRANSPORT_REPLIES = frozenset({421, 425, 426})


def refused_restart(error: BaseException) -> bool:
    """Whether a *resumed* upload failed because the server refused to continue the
    file (proftpd without AllowStoreRestart answers 451 "Append/Restart not permitted";
    others 502/550 to REST or APPE), rather than because the link broke. Such an upload
    is sent again from the start, once."""
    if isinstance(error, CommandFailedError):
        code: int | None = error.reply_code
    elif isinstance(error, DataChannelError):
        code = error.reply_code
    else:
        return False
    return code is not None and 400 <= code < 600 and code not in _TRANSPORT_REPLIES
