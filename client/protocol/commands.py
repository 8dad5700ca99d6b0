"""Command encoding: typed builders that refuse CR, LF and NUL before anything is sent.

A path containing ``\\r\\n`` would end the command early and smuggle a second one
(``RETR a\\r\\nDELE b``); every argument goes through :func:`check_argument`.
"""

from __future__ import annotations

from dataclasses import dataclass

from client.protocol.errors import CommandArgumentError

__all__ = ["Command", "check_argument", "REDACTED_PASSWORD"]

REDACTED_PASSWORD = "PASS ****"
_FORBIDDEN = ("\r", "\n", "\x00")


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


@dataclass(frozen=True, slots=True)
class Command:
    """One control-channel command. Build with the class methods; send ``to_bytes()``."""

    verb: str
    argument: str | None = None

    def __post_init__(self) -> None:
        check_argument(self.verb, what="command verb")
        if not self.verb or " " in self.verb:
            raise CommandArgumentError(f"invalid command verb {self.verb!r}")
        if self.argument is not None:
            check_argument(self.argument, what=f"{self.verb} argument")

    def to_bytes(self, encoding: str = "utf-8") -> bytes:
        """The wire form, ending in CRLF (RFC 959 §4.1)."""
        if self.argument is None:
            return (self.verb + "\r\n").encode(encoding)
        return (self.verb + " " + self.argument + "\r\n").encode(encoding, "surrogateescape")

    @property
    def display(self) -> str:
        """How the command is shown anywhere a person or a file can see it: PASS is redacted."""
        if self.verb.upper() == "PASS":
            return REDACTED_PASSWORD
        if self.argument is None:
            return self.verb
        return f"{self.verb} {self.argument}"

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
