"""Command encoding: typed builders that refuse CR, LF and NUL before anything is sent.

A path containing ``\\r\\n`` would end the command early and smuggle a second one
(``RETR a\\r\\nDELE b``); every argument goes through :func:`check_argument`.
"""

from __future__ import annotations

from client.protocol.errors import CommandArgumentError
from client.protocol.text import escape_control
from client.protocol.values import value

__all__ = ["Command", "check_argument", "REDACTED_PASSWORD", "REDACTED_ACCOUNT"]

REDACTED_PASSWORD = "PASS ****"
REDACTED_ACCOUNT = "ACCT ****"
_FORBIDDEN = ("\r", "\n", "\x00")
_MAX_VERB_LENGTH = 16


def check_argument(value: str, *, what: str = "argument") -> str:
    """Return ``value`` unchanged, or raise :class:`CommandArgumentError` if it has CR/LF/NUL."""
    for ch in _FORBIDDEN:
        if ch in value:
            shown = {"\r": "CR", "\n": "LF", "\x00": "NUL"}[ch]
            raise CommandArgumentError(
                f"the {what} contains a {shown} character, which would end the FTP command "
                "early and could inject another command; nothing was sent"
            )
    return value


@value(slots=True)
class Command:
    """One control-channel command. Build with the class methods; send ``to_bytes()``."""

    verb: str
    argument: str | None = None

    def __post_init__(self) -> None:
        check_argument(self.verb, what="command verb")
        if (
            not self.verb
            or len(self.verb) > _MAX_VERB_LENGTH
            or not self.verb.isascii()
            or not self.verb.isalnum()
        ):
            raise CommandArgumentError(
                f"invalid command verb {escape_control(self.verb)!r}: FTP verbs are ASCII "
                "letters and digits (RFC 959 §5.3), e.g. RETR or XSHA256"
            )
        if self.argument is not None:
            check_argument(self.argument, what=f"{self.verb} argument")

    def __repr__(self) -> str:
        # The dataclass repr would print the password into tracebacks and logs.
        return f"Command({self.display!r})"

    def to_bytes(self, encoding: str = "utf-8") -> bytes:
        """The wire form, ending in CRLF (RFC 959 §4.1).

        ``encoding`` is the session's path encoding: UTF-8 (RFC 2640) normally; a name
        that arrived as Latin-1 (see :func:`client.protocol.text.decode_line`) goes back
        byte for byte only if the caller passes ``"latin-1"``.
        """
        if self.argument is None:
            return (self.verb + "\r\n").encode("ascii")
        try:
            encoded = self.argument.encode(encoding, "surrogateescape")
        except UnicodeEncodeError as exc:
            raise CommandArgumentError(
                f"the {self.verb} argument cannot be written in {encoding} "
                f"(character {escape_control(exc.object[exc.start:exc.end])!r}); nothing was sent"
            ) from None
        # surrogateescape turns "\udc0a" into a real LF byte: check the bytes, not only the text.
        for byte, shown in ((b"\r", "CR"), (b"\n", "LF"), (b"\x00", "NUL")):
            if byte in encoded:
                raise CommandArgumentError(
                    f"the {self.verb} argument encodes to a {shown} byte, which would end the "
                    "FTP command early and could inject another command; nothing was sent"
                )
        return self.verb.encode("ascii") + b" " + encoded + b"\r\n"

    @property
    def display(self) -> str:
        """How the command is shown anywhere a person or a file can see it: PASS and ACCT
        are redacted to a fixed text (so not even the length leaks), control characters
        in the argument are escaped."""
        verb = self.verb.upper()
        if verb == "PASS":
            return REDACTED_PASSWORD
        if verb == "ACCT":
            return REDACTED_ACCOUNT
        if self.argument is None:
            return self.verb
        return f"{self.verb} {escape_control(self.argument)}"

    @property
    def is_secret(self) -> bool:
        return self.verb.upper() in ("PASS", "ACCT")

    # --- builders -----------------------------------------------------------------
    @classmethod
    def simple(cls, verb: str) -> Command:
        return cls(verb.upper())

    @classmethod
    def with_path(cls, verb: str, path: str) -> Command:
        """CWD, RETR, STOR, DELE, MKD, RMD, RNFR, RNTO, SIZE, MDTM, MLST, LIST, NLST, MLSD…"""
        return cls(verb.upper(), check_argument(path, what="path"))

    @classmethod
    def user(cls, name: str) -> Command:
        return cls("USER", check_argument(name, what="user name"))

    @classmethod
    def host(cls, name: str) -> Command:
        """``HOST name`` (RFC 7151): an IPv6 address goes in brackets."""
        bare = name.strip("[]")
        return cls("HOST", f"[{bare}]" if ":" in bare else bare)

    @classmethod
    def password(cls, secret: str) -> Command:
        return cls("PASS", check_argument(secret, what="password"))

    @classmethod
    def type_(cls, binary: bool) -> Command:
        return cls("TYPE", "I" if binary else "A")

    @classmethod
    def rest(cls, offset: int) -> Command:
        if offset < 0:
            raise CommandArgumentError("REST offset must not be negative")
        return cls("REST", str(offset))

    @classmethod
    def opts(cls, option: str) -> Command:
        return cls("OPTS", check_argument(option, what="OPTS argument"))

    @classmethod
    def site(cls, argument: str) -> Command:
        return cls("SITE", check_argument(argument, what="SITE argument"))
