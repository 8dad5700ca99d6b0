"""The pure rules behind retries: which failures are transient, which leave the control
connection in doubt, which mean "the server will not continue this upload", and the
back-off sequence."""

from __future__ import annotations

import pytest

from client.engine.errors import (
    CertificateError,
    CommandFailedError,
    ConnectError,
    ConnectionLostError,
    ControlTimeoutError,
    DataChannelError,
    LocalError,
    LoginError,
    ServerProtocolError,
    UnsafePathError,
)
from client.engine.events import DataFailure, DataPhase
from client.engine.queue.retry import (
    MAX_BACKOFF,
    backoff_delay,
    is_transient,
    needs_new_connection,
    refused_restart,
)


def reply(code: int) -> CommandFailedError:
    return CommandFailedError(f"{code}", reply_code=code, reply_text="x", command="RETR f")


def data(code: int | None, failure: DataFailure = DataFailure.RESET) -> DataChannelError:
    return DataChannelError("d", failure=failure, phase=DataPhase.CONNECTED, reply_code=code)


@pytest.mark.parametrize(("error", "transient", "new_connection"), [
    (reply(450), True, False),
    (reply(421), True, True),
    (reply(550), False, False),
    (reply(553), False, False),
    (data(None), True, True),
    (data(426), True, False),
    (data(425, DataFailure.REFUSED), True, False),
    (data(550), False, False),
    (ConnectionLostError("lost"), True, True),
    (ControlTimeoutError("slow"), True, True),
    (ConnectError("down"), True, True),
    (TimeoutError(), True, True),
    (ConnectionResetError(), True, True),
    (LoginError("530"), False, True),
    (CertificateError("bad"), False, True),
    (ServerProtocolError("garbage"), False, True),
    (LocalError("disk full"), False, True),
    (UnsafePathError("link"), False, True),
    (PermissionError(), False, True),
])
def test_classification(error, transient, new_connection):
    assert is_transient(error) is transient
    assert needs_new_connection(error) is new_connection


@pytest.mark.parametrize(("error", "refused"), [
    (data(451), True),   # proftpd: Append/Restart not permitted
    (reply(502), True),  # REST or APPE not implemented
    (data(550), True),
    (data(426), False),  # the link broke: resume again, do not restart
    (data(425), False),
    (data(None), False),
    (ConnectionLostError("lost"), False),
])
def test_refused_restart(error, refused):
    assert refused_restart(error) is refused


def test_backoff_doubles_up_to_a_ceiling():
    assert [backoff_delay(n, 1.0) for n in range(1, 6)] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert backoff_delay(30, 1.0) == MAX_BACKOFF
    assert backoff_delay(1, 0.05) == 0.05
