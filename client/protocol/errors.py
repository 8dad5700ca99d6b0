"""Typed errors raised by the protocol layer.

Every error the protocol layer raises derives from :class:`ProtocolError`, so callers
(and fuzz tests) can rely on one base class: anything else escaping this package is a bug.
"""

from __future__ import annotations


class ProtocolError(Exception):
    """Base of every error raised by :mod:`client.protocol`."""


class ReplyFramingError(ProtocolError):
    """The server's control-channel bytes do not form valid replies (RFC 959 §4.2)."""


class WrongServiceError(ReplyFramingError):
    """The port answers with another protocol's greeting (an SSH server's ``SSH-2.0-…``
    banner): the user reached the wrong service, not a broken FTP server.

    ``service`` names what answered ("SSH"); ``greeting`` is its first line, escaped."""

    def __init__(self, message: str, *, service: str, greeting: str) -> None:
        super().__init__(message)
        self.service = service
        self.greeting = greeting


class ReplyTooLongError(ReplyFramingError):
    """A reply line or a multi-line reply exceeded the configured bound.

    The bound protects the client from a hostile or broken server that streams bytes
    without ever ending a line or a reply.
    """


class CommandArgumentError(ProtocolError):
    """A command argument contains CR, LF or NUL and would smuggle a second command."""


class AddressFormatError(ProtocolError):
    """A 227/229 reply or a PORT/EPRT argument could not be decoded into host and port."""


class PathReplyError(ProtocolError):
    """A 257 reply (PWD/MKD) does not carry a usable quoted path."""


class FeatureParseError(ProtocolError):
    """A FEAT reply is not shaped as RFC 2389 describes."""


class UnsafeNameError(ProtocolError):
    """A name supplied by the server cannot safely become a local file name.

    Raised by :func:`client.protocol.paths.safe_local_name`; ``name`` holds the name as
    received and ``reason`` says what is wrong with it, so the caller can skip the entry
    and tell the user why.
    """

    def __init__(self, message: str, *, name: str, reason: str) -> None:
        super().__init__(message)
        self.name = name
        self.reason = reason


class ListingParseError(ProtocolError):
    """A directory-listing line (MLSD/MLST, ``ls -l``, DOS, EPLF) could not be parsed."""
