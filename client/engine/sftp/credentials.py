"""What an SSH logon may ask a person for, as OpenSSH does: the passphrase of an
encrypted key file, then the password when the keys (the agent's and the default key
files) were not enough. The front end answers (a dialog, a terminal prompt) or cancels;
the engine keeps the answer only for the session it opens — never in a file.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SecretKind", "SecretRequest", "AskSecret", "DEFAULT_IDENTITIES",
           "default_key_files", "MAX_PASSWORD_TRIES"]

#: the key files OpenSSH offers when none is named (``ssh -i``), in its order
DEFAULT_IDENTITIES = ("id_ed25519", "id_ecdsa", "id_rsa")
#: OpenSSH asks for the password three times (``NumberOfPasswordPrompts``)
MAX_PASSWORD_TRIES = 3


class SecretKind(enum.Enum):
    PASSWORD = "password"
    PASSPHRASE = "passphrase"  # of a private-key file


@dataclass(frozen=True)
class SecretRequest:
    """One question: the password of ``user`` at ``host``:``port``, or the passphrase of
    ``key_file``. ``refused`` says the previous answer was wrong."""

    kind: SecretKind
    host: str
    port: int
    user: str
    key_file: str = ""
    refused: bool = False

    @property
    def target(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.user}@{host}:{self.port}" if self.user else f"{host}:{self.port}"


#: Awaited with a request; returns the answer, or None when the person cancels.
AskSecret = Callable[[SecretRequest], Awaitable[str | None]]


def default_key_files(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """``~/.ssh/id_ed25519``, ``id_ecdsa`` and ``id_rsa``, those that exist."""
    home = Path((env or {}).get("HOME") or Path.home())
    return tuple(str(home / ".ssh" / name) for name in DEFAULT_IDENTITIES
                 if (home / ".ssh" / name).is_file())
