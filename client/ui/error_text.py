"""Short, user-facing text for an engine error, for the inline banners (no Qt)."""

from __future__ import annotations

from client.engine.errors import (
    CertificateError,
    CommandFailedError,
    ConnectError,
    ConnectionLostError,
    ControlTimeoutError,
    DataChannelError,
    FtpError,
    LoginError,
    TlsError,
)
from client.protocol.text import escape_control

__all__ = ["describe_error"]


def describe_error(exc: BaseException, *, doing: str = "") -> str:
    """``doing`` names what the user asked for ("Listing /pub"); the text says what
    went wrong and the likely cause, briefly — the console has the details."""
    prefix = f"{doing} failed: " if doing else ""
    if isinstance(exc, DataChannelError):
        where = f" ({exc.method}" + (f", {exc.remote}" if exc.remote else "") + ")" if exc.method else ""
        text = f"the data connection failed{where}: {exc.message}"
    elif isinstance(exc, CertificateError):
        text = f"the server certificate was not accepted: {exc.message}"
    elif isinstance(exc, TlsError):
        text = f"TLS failed: {exc.message}"
    elif isinstance(exc, LoginError):
        text = f"the server refused the login: {exc.message}"
    elif isinstance(exc, ConnectError):
        text = f"could not connect: {exc.message}"
    elif isinstance(exc, ControlTimeoutError):
        text = f"the server stopped answering: {exc.message}"
    elif isinstance(exc, ConnectionLostError):
        text = f"the connection was lost: {exc.message}"
    elif isinstance(exc, CommandFailedError):
        text = f"the server answered {exc.code}: {exc.reply_text or exc.message}"
    elif isinstance(exc, FtpError):
        text = exc.message
    elif isinstance(exc, OSError):
        text = f"{exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
    else:
        text = str(exc) or type(exc).__name__
    return escape_control(prefix + text)
