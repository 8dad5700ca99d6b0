"""Short, user-facing text for an engine error, for the inline banners.

Qt only for translation: every sentence goes through ``QCoreApplication.translate`` in
the context ``ErrorText`` (named placeholders, so a translator may reorder them); the
engine's own message inside is not translated here.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from client.engine.errors import (
    CertificateError,
    CommandFailedError,
    ConnectError,
    ConnectionLostError,
    ControlTimeoutError,
    DataChannelError,
    FtpError,
    LoginError,
    ProxyFailedError,
    TlsError,
)
from client.protocol.text import escape_control

__all__ = ["describe_error"]


#: one sentence per kind of error, in the order they are tried (a CertificateError is a
#: TlsError too); ``{message}`` is the engine's message
_SENTENCES: tuple[tuple[type[FtpError], str], ...] = (
    # the engine's message already says whose certificate and why it was not accepted
    (CertificateError, QT_TRANSLATE_NOOP("ErrorText", "{message}")),
    (TlsError, QT_TRANSLATE_NOOP("ErrorText", "TLS failed: {message}")),
    (LoginError, QT_TRANSLATE_NOOP("ErrorText", "the server refused the login: {message}")),
    # the engine's message names the proxy and the hop that failed
    (ProxyFailedError, QT_TRANSLATE_NOOP("ErrorText",
                                         "could not connect through the proxy: {message}")),
    (ConnectError, QT_TRANSLATE_NOOP("ErrorText", "could not connect: {message}")),
    (ControlTimeoutError, QT_TRANSLATE_NOOP("ErrorText", "the server stopped answering: {message}")),
    (ConnectionLostError, QT_TRANSLATE_NOOP("ErrorText", "the connection was lost: {message}")),
)


def _translate(text: str) -> str:
    return QCoreApplication.translate("ErrorText", text)


def describe_error(exc: BaseException, *, doing: str = "") -> str:
    """``doing`` names what the user asked for ("Listing /pub"); the text says what
    went wrong and the likely cause, briefly — the console has the details."""
    text = _sentence(exc)
    if doing:
        text = QCoreApplication.translate("ErrorText", "{doing} failed: {error}").format(
            doing=doing, error=text)
    return escape_control(text)


def _sentence(exc: BaseException) -> str:
    if isinstance(exc, DataChannelError):
        if not exc.method:
            return QCoreApplication.translate(
                "ErrorText", "the data connection failed: {message}").format(message=exc.message)
        where = f"{exc.method}, {exc.remote}" if exc.remote else f"{exc.method}"
        return QCoreApplication.translate(
            "ErrorText", "the data connection failed ({where}): {message}").format(
                where=where, message=exc.message)
    if isinstance(exc, ConnectionLostError) and "connection" in exc.message.casefold():
        return exc.message  # it says so itself ("the control connection was lost: …")
    for kind, sentence in _SENTENCES:
        if isinstance(exc, kind):
            return _translate(sentence).format(message=exc.message)
    if isinstance(exc, CommandFailedError):
        return QCoreApplication.translate("ErrorText", "the server answered {code}: {reply}").format(
            code=exc.reply_code, reply=exc.reply_text or exc.message)
    if isinstance(exc, FtpError):
        return exc.message
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
    return str(exc) or type(exc).__name__
