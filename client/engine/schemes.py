"""Which protocol a connection speaks, named once for the URL parser, the saved sites,
the queue's session factory and both front ends.

FTP and FTPS share one engine (:class:`client.engine.session.FtpSession`; the TLS mode
says how FTPS starts); SFTP is a different protocol on SSH with its own engine
(:mod:`client.engine.sftp`), so it has no passive/active mode and no data connections.
"""

from __future__ import annotations

import enum

__all__ = ["Protocol", "SCHEME_PROTOCOL", "default_port"]


class Protocol(enum.Enum):
    FTP = "ftp"
    FTPS = "ftps"  # FTP over TLS, implicit or explicit (the TLS mode decides)
    SFTP = "sftp"

    @property
    def is_ftp_family(self) -> bool:
        """True for the protocols the FTP engine speaks."""
        return self is not Protocol.SFTP


#: URL scheme -> protocol (``ftpes`` is explicit FTPS).
SCHEME_PROTOCOL: dict[str, Protocol] = {
    "ftp": Protocol.FTP,
    "ftps": Protocol.FTPS,
    "ftpes": Protocol.FTPS,
    "sftp": Protocol.SFTP,
}


def default_port(protocol: Protocol, *, implicit_tls: bool = False) -> int:
    """22 for SFTP, 990 for implicit FTPS, else 21."""
    if protocol is Protocol.SFTP:
        return 22
    return 990 if implicit_tls else 21
