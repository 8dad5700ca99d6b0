"""Protecting a data connection (PROT P): the TLS handshake, the certificate compared with
the control connection's, and the events that show it.

The stream does the handshake itself (:meth:`DataStream.handshake`: asyncio's TLS layer,
or a worker thread's); what it shows and how it fails is the same either way.
"""

from __future__ import annotations

import asyncio
import ssl

from client.engine.data.stream import DataStream
from client.engine.data.tracking import ChannelSetup, ChannelTracker
from client.engine.events import DataFailure, DataPhase, TlsEstablished
from client.engine.tls import tls_version_text

__all__ = ["protect"]


async def protect(setup: ChannelSetup, stream: DataStream, tracker: ChannelTracker) -> bool:
    """Shake hands on the connected ``stream`` within the data timeout; returns whether
    the control connection's TLS session was resumed. A data connection showing another
    certificate than the one the user trusted for the control connection is refused."""
    context = setup.tls_context
    assert context is not None and stream.transport is not None
    tracker.emit(DataPhase.TLS_HANDSHAKE)
    try:
        async with asyncio.timeout(setup.settings.data_timeout):
            transport = await stream.handshake(context, setup.server_hostname)
    except (ssl.SSLError, OSError, TimeoutError, ConnectionError) as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (str(exc) or type(exc).__name__)
        raise tracker.failure(
            DataFailure.TLS_FAILED,
            f"the TLS handshake on the data connection failed: {reason}") from None
    if transport is None:
        raise tracker.failure(DataFailure.TLS_FAILED,
                              "the data connection closed during the TLS handshake")
    ssl_object = transport.get_extra_info("ssl_object")
    version, cipher = tls_version_text(ssl_object)
    reused = bool(ssl_object is not None and ssl_object.session_reused)
    fingerprint = None
    if ssl_object is not None:
        der = ssl_object.getpeercert(binary_form=True)
        if der:
            from client.engine.trust import fingerprint_sha256  # TLS only

            fingerprint = fingerprint_sha256(der)
    if (context.trusted_by_user and setup.control_fingerprint and fingerprint
            and fingerprint != setup.control_fingerprint):
        raise tracker.failure(
            DataFailure.TLS_FAILED,
            "the data connection presented a different certificate "
            f"({fingerprint}) from the control connection ({setup.control_fingerprint})")
    setup.bus.emit(TlsEstablished(
        t=setup.bus.now(), connection=setup.control.connection_id,
        channel=tracker.channel, version=version, cipher=cipher, session_reused=reused,
        fingerprint_sha256=fingerprint))
    tracker.emit(DataPhase.TLS_ESTABLISHED)
    return reused
