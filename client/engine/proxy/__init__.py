"""Proxies: the setting (:mod:`.settings`), the tunnel through SOCKS or HTTP CONNECT
(:mod:`.tunnel`) and the FTP proxy logon sequences (:mod:`.ftp_logon`)."""

from client.engine.proxy.settings import (
    NO_PROXY_WORDS,
    ProxyKind,
    ProxySettings,
    ProxyUrlError,
    parse_proxy_url,
)

__all__ = ["NO_PROXY_WORDS", "ProxyKind", "ProxySettings", "ProxyUrlError", "parse_proxy_url"]
