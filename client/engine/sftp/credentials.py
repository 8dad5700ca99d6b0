"""What an SSH logon may ask a person for, as OpenSSH does: the passphrase of an
encrypted key file, then the password when the keys (the agent's and the default key
files) were not enough. The front end answers (a dialog, a terminal prompt) or cancels;
the engine keeps the answer only for the session it opens — never in a file.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from client.engine.sftp.handshake import load_key_files
from client.engine.sftp.settings import SftpSettings

__all__ = ["SecretKind", "SecretRequest", "AskSecret", "DEFAULT_IDENTITIES",
           "default_key_files", "MAX_PASSWORD_TRIES", "unlock_key_files"]

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


async def unlock_key_files(settings: SftpSettings, ask: AskSecret) -> SftpSettings:
    """Ask the passphrase of each encrypted key file that has none (as ``ssh`` does
    before offering it; a wrong one is asked again); Cancel leaves that key out. The
    answers travel in the returned settings only."""
    passphrases = dict(settings.key_passphrases)
    # decrypting an OpenSSH key runs bcrypt for a second or more: never on the UI's loop
    for key in await asyncio.to_thread(load_key_files, settings.key_files,
                                       settings.key_passphrase, passphrases):
        path, refused = key.path, False
        while key.encrypted:
            answer = await ask(SecretRequest(SecretKind.PASSPHRASE, settings.host,
                                             settings.port, settings.user, path, refused))
            if answer is None:
                break
            (key,) = await asyncio.to_thread(load_key_files, (path,), answer)
            if not key.encrypted:
                passphrases[path] = answer
            refused = True
    return settings.replace(key_passphrases=tuple(passphrases.items()))
