"""TLS for FTPS: contexts that make every data connection resume the control session.

Servers such as vsftpd (``require_ssl_reuse=YES``, its default) refuse a protected data
connection that does not resume the control connection's TLS session: it is their proof
that the data connection comes from the same client. asyncio's ``start_tls`` and
``create_connection`` take no ``session`` argument, but both call
``SSLContext.wrap_bio``; :class:`SessionResumingContext` overrides it to pass the
control connection's *current* session. The session must come from the same context
object, and it is read afresh for each data connection (TLS 1.3 delivers tickets after
the handshake, so the session is only useful once a reply has arrived over TLS).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable

from client.engine.settings import ConnectionSettings

__all__ = [
    "SessionResumingContext",
    "make_context",
    "make_unverified_context",
    "describe_verify_error",
    "tls_version_text",
]


class SessionResumingContext(ssl.SSLContext):
    """An ``SSLContext`` whose client-side ``wrap_bio`` resumes a session supplied by
    ``session_source`` (set once the control connection is up)."""

    session_source: Callable[[], ssl.SSLSession | None] | None = None
    #: True when this context skips verification because the user trusted (or pinned)
    #: a certificate the system store does not vouch for.
    trusted_by_user: bool = False

    def wrap_bio(self, incoming, outgoing, server_side=False, server_hostname=None,  # type: ignore[override]
                 session=None):
        if session is None and not server_side and self.session_source is not None:
            try:
                session = self.session_source()
            except Exception:  # noqa: BLE001 - no session means a full handshake, not a crash
                session = None
        return super().wrap_bio(incoming, outgoing, server_side=server_side,
                                server_hostname=server_hostname, session=session)


def _base_context() -> SessionResumingContext:
    context = SessionResumingContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def make_context(settings: ConnectionSettings) -> SessionResumingContext:
    """The verifying context: system store (or ``settings.ca_file``), hostname checked."""
    context = _base_context()
    if settings.verify_certificates:
        context.check_hostname = True
        context.verify_mode = ssl.CERT_REQUIRED
        if settings.ca_file:
            context.load_verify_locations(cafile=settings.ca_file)
        else:
            context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    else:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def make_unverified_context() -> SessionResumingContext:
    """A context that accepts any certificate; used only after the user (a
    :class:`~client.engine.trust.CertificateTrust`) or a pin vouched for the exact
    certificate, which the engine then checks by fingerprint on every connection."""
    context = _base_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.trusted_by_user = True
    return context


def describe_verify_error(error: ssl.SSLCertVerificationError, host: str) -> str:
    """A sentence for the person debugging the link, not OpenSSL's terse code."""
    code = getattr(error, "verify_code", None)
    message = getattr(error, "verify_message", None) or str(error)
    if code == 62 or "Hostname mismatch" in message or "IP address mismatch" in message:
        return (f"the certificate is not valid for {host!r} (hostname mismatch: {message}); "
                "connect using a name the certificate lists, or trust this certificate "
                "explicitly")
    if code in (18, 19):
        return f"the certificate is self-signed ({message}); no authority vouches for it"
    if code == 20:
        return (f"the certificate was issued by an authority this computer does not know "
                f"({message})")
    if code == 10:
        return f"the certificate has expired ({message})"
    return f"certificate verification failed: {message}"


def tls_version_text(ssl_object: ssl.SSLObject | ssl.SSLSocket | None) -> tuple[str, str]:
    if ssl_object is None:
        return "", ""
    cipher = ssl_object.cipher()
    return ssl_object.version() or "", cipher[0] if cipher else ""
