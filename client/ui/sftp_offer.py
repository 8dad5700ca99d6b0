""""Connect with SFTP": from the Diagnose verdict (the server's data connections are
blocked and it also answers SSH) or from the failure banner (the FTP port greeted with
``SSH-2.0-…``), the quickconnect bar gets the server's ``sftp://`` address, the user
stays (and the proxy the diagnosed connection went through), and the password field
has the focus: one Enter connects."""

from __future__ import annotations

from client.engine.diagnose.model import SftpOffer
from client.engine.errors import ServerProtocolError
from client.engine.proxy.settings import ProxySettings
from client.engine.settings import ConnectionSettings
from client.ui.quickconnect import SFTP_CHOICE, QuickConnectBar

__all__ = ["fill_quickconnect", "sftp_offer_for_error"]


def fill_quickconnect(quick: QuickConnectBar, offer: SftpOffer, user: str = "",
                      proxy: ProxySettings | None = None) -> str:
    """Put ``offer``'s address in the bar (the port is in the URL); returns the URL.
    ``proxy``: the diagnosed connection's, which the SSH connection then goes through
    too (only a tunnel can carry SSH; otherwise the default proxy applies)."""
    user = "" if user == "anonymous" else user
    url = offer.url(user)
    # never the FTP password: the person types it for SSH (the same host may keep other
    # passwords for SSH, and another host must never get it)
    quick.fill_fields(url, user, "", 0, SFTP_CHOICE)
    quick.use_proxy_once(proxy if proxy is not None and proxy.kind.is_tunnel else None)
    quick.password.setFocus()
    return url


def sftp_offer_for_error(error: BaseException,
                         settings: ConnectionSettings | None) -> SftpOffer | None:
    """The offer when ``error`` says the FTP port is an SSH server, else None."""
    if settings is None or not isinstance(error, ServerProtocolError) \
            or error.service != "SSH":
        return None
    return SftpOffer(settings.host, settings.port, "",
                     f"port {settings.port} of {settings.host} is an SSH server")
