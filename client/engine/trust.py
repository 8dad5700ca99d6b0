"""Certificate trust: what the front ends decide about a certificate the system store does
not vouch for, and the pins that remember "trust always".

The engine verifies certificates by default. When verification fails (self-signed,
unknown CA, hostname mismatch) it does not guess: it asks a :class:`CertificateTrust`
(the GUI shows a dialog, the CLI a prompt or a flag) with everything a person needs to
decide. A pin is a SHA-256 fingerprint stored per ``host:port``; once a host has a pin,
a different certificate on that host is an error naming both fingerprints, whatever a
CA says — that is what pinning is for.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

__all__ = [
    "CertificateInfo",
    "CertificateTrust",
    "CallbackTrust",
    "PinStore",
    "certificate_info",
    "fingerprint_sha256",
    "format_fingerprint",
    "normalise_fingerprint",
]


@dataclass(frozen=True)
class CertificateInfo:
    """What a person needs to decide whether to trust a server certificate.

    ``fingerprint_sha256`` is lower-case hex without separators (the pin format);
    :func:`format_fingerprint` renders it with colons for display.
    ``verify_error`` is the system verification's complaint (None if it passed).
    """

    subject: str
    issuer: str
    not_before: str
    not_after: str
    fingerprint_sha256: str
    verify_error: str | None
    host: str
    port: int = 0
    der: bytes = b""

    @property
    def self_signed(self) -> bool:
        return self.subject == self.issuer


@runtime_checkable
class CertificateTrust(Protocol):
    """Decides on a certificate that failed system verification.

    Return True to continue (trust once); implementations that offer "trust always"
    add the fingerprint to a :class:`PinStore` before returning True.
    """

    async def decide(self, info: CertificateInfo) -> bool: ...


class CallbackTrust:
    """A :class:`CertificateTrust` from a plain coroutine function, optionally pinning
    every certificate it accepts (``pin_store``)."""

    def __init__(self, callback: Callable[[CertificateInfo], Awaitable[bool]],
                 pin_store: PinStore | None = None) -> None:
        self._callback = callback
        self._pin_store = pin_store

    async def decide(self, info: CertificateInfo) -> bool:
        accepted = bool(await self._callback(info))
        if accepted and self._pin_store is not None:
            self._pin_store.pin(info.host, info.port, info.fingerprint_sha256)
        return accepted


def fingerprint_sha256(der: bytes) -> str:
    import hashlib  # OpenSSL's digests: only once a certificate is seen

    return hashlib.sha256(der).hexdigest()


def format_fingerprint(fingerprint: str) -> str:
    """``ab:cd:…`` (upper case), the form certificate viewers show."""
    clean = normalise_fingerprint(fingerprint)
    return ":".join(clean[i:i + 2] for i in range(0, len(clean), 2)).upper()


def normalise_fingerprint(fingerprint: str) -> str:
    return fingerprint.replace(":", "").replace(" ", "").lower()


def _name_text(name: object) -> str:
    try:
        return name.rfc4514_string()  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - odd encodings must not stop the dialog
        return str(name)


def certificate_info(der: bytes, *, host: str, port: int = 0,
                     verify_error: str | None = None) -> CertificateInfo:
    """Decode a DER certificate into :class:`CertificateInfo` (via ``cryptography``)."""
    subject = issuer = not_before = not_after = "?"
    try:
        from cryptography import x509

        cert = x509.load_der_x509_certificate(der)
        subject = _name_text(cert.subject)
        issuer = _name_text(cert.issuer)
        before = getattr(cert, "not_valid_before_utc", None) or cert.not_valid_before
        after = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after
        not_before = before.isoformat()
        not_after = after.isoformat()
    except Exception:  # noqa: BLE001 - an undecodable cert is still shown by fingerprint
        pass
    return CertificateInfo(
        subject=subject, issuer=issuer, not_before=not_before, not_after=not_after,
        fingerprint_sha256=fingerprint_sha256(der), verify_error=verify_error,
        host=host, port=port, der=der,
    )


class PinStore:
    """Pinned SHA-256 fingerprints per ``host:port``, in a small JSON file.

    Written atomically (temporary file then rename) so a crash never leaves a half
    file that would silently un-pin every host.
    """

    def __init__(self, path: Path) -> None:
        # where the file lives is the front end's choice (client.config.appdirs)
        self.path = path
        self._lock = threading.Lock()

    @staticmethod
    def key(host: str, port: int) -> str:
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def _load(self) -> dict[str, list[str]]:
        import json  # the pin file only: a session without TLS never reads it

        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): [normalise_fingerprint(str(f)) for f in v]
                for k, v in data.items() if isinstance(v, list)}

    def pins_for(self, host: str, port: int) -> frozenset[str]:
        with self._lock:
            return frozenset(self._load().get(self.key(host, port), ()))

    def pin(self, host: str, port: int, fingerprint: str) -> None:
        """Remember ``fingerprint`` as the certificate of ``host:port`` (replacing older
        pins: trusting a new certificate on purpose is how a pin is renewed)."""
        with self._lock:
            data = self._load()
            data[self.key(host, port)] = [normalise_fingerprint(fingerprint)]
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            _write_json(tmp, data)
            os.replace(tmp, self.path)

    def unpin(self, host: str, port: int) -> None:
        with self._lock:
            data = self._load()
            if data.pop(self.key(host, port), None) is not None:
                tmp = self.path.with_name(self.path.name + ".tmp")
                _write_json(tmp, data)
                os.replace(tmp, self.path)


def _write_json(path: Path, data: dict[str, list[str]]) -> None:
    import json

    path.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
