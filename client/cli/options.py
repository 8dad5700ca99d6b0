"""The options every network subcommand shares, and how they become
:class:`ConnectionSettings`.

Options left out keep the saved site's choice (``site:NAME``) or the engine default, so
every option default here is ``None`` and only what the user typed overrides.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping

from client.cli.credentials import CredentialsError, resolve_credentials
from client.cli.sftp_target import add_sftp_options, sftp_site_settings, sftp_url_settings
from client.config.urls import RemoteUrl, UrlError, parse_url
from client.engine.proxy import NO_PROXY_WORDS, ProxySettings, ProxyUrlError, parse_proxy_url
from client.engine.settings import (
    ConnectionSettings,
    TlsMode,
    TransferMode,
    active_address_problem,
)
from client.protocol.charsets import CharsetError, normalize_charset
from client.protocol.pasv_policy import PasvPolicy
from client.protocol.values import value

TYPE_CHECKING = False  # typing loads for type checkers only (start-up time)
if TYPE_CHECKING:  # the SFTP settings load for SFTP targets only
    from client.engine.sftp.settings import SftpSettings

__all__ = ["add_common_options", "Target", "TargetError", "build_target", "parse_port_range"]


class TargetError(Exception):
    """The URL, the options or the credentials cannot make a connection (exit code 1)."""


def parse_port_range(text: str) -> tuple[int, int]:
    low, dash, high = text.partition("-")
    try:
        first, last = int(low), int(high if dash else low)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port range like 50000-50100, got {text!r}") from None
    if not (0 < first <= last < 65536):
        raise argparse.ArgumentTypeError(
            f"the port range {text!r} must be two ports from 1 to 65535, low-high")
    return first, last


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"the timeout must be above 0 seconds, got {text!r}")
    return value


def _keepalive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 <= value <= 86400:
        raise argparse.ArgumentTypeError(
            f"the keep-alive interval must be 0 (off) to 86400 seconds, got {text!r}")
    return value


def _charset(text: str) -> str:
    try:
        return normalize_charset(text)
    except CharsetError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Connection and output options shared by ls, get, put, mirror and diagnose."""
    net = parser.add_argument_group("connection")
    net.add_argument("--mode", choices=["passive", "active"], default=None,
                     help="who opens the data connection (default passive: the client)")
    passive_cmd = net.add_mutually_exclusive_group()
    passive_cmd.add_argument("--epsv", action="store_true",
                             help="passive mode sends EPSV (RFC 2428) instead of PASV on IPv4 "
                                  "(IPv6 always uses EPSV)")
    passive_cmd.add_argument("--no-epsv", action="store_true",
                             help="passive mode sends PASV (the default on IPv4; overrides a "
                                  "saved site's choice)")
    active_cmd = net.add_mutually_exclusive_group()
    active_cmd.add_argument("--eprt", action="store_true",
                            help="active mode sends EPRT (RFC 2428) instead of PORT on IPv4 "
                                 "(IPv6 always uses EPRT)")
    active_cmd.add_argument("--no-eprt", action="store_true",
                            help="active mode sends PORT (the default on IPv4; overrides a "
                                 "saved site's choice)")
    net.add_argument("--pasv-address", choices=["auto", "control", "advertised"], default=None,
                     help="what to dial after a 227 naming another host than the control "
                          "peer: auto (default: the control peer, with a notice naming the "
                          "advertised address), control (the same, quietly), advertised "
                          "(trust the server)")
    net.add_argument("--active-address", metavar="IP", default=None,
                     help="IPv4 or IPv6 address to announce in PORT/EPRT, not a host name "
                          "(default: the control connection's local address)")
    net.add_argument("--active-ports", metavar="A-B", type=parse_port_range, default=None,
                     help="local port range to listen on in active mode")
    net.add_argument("--tls", choices=["auto", "explicit", "implicit", "off"], default=None,
                     help="auto (default for ftp://: AUTH TLS when offered, warn when not), "
                          "explicit (required), implicit (port 990), off")
    net.add_argument("--insecure", action="store_true",
                     help="do not verify the server's certificate (self-signed, expired, "
                          "another name); a warning names the server and the "
                          "certificate's SHA-256 fingerprint, unless -q")
    net.add_argument("--ca-file", metavar="FILE", default=None,
                     help="trust the certificates in this PEM file")
    net.add_argument("--timeout", metavar="S", type=_seconds, default=None,
                     help="control connection timeout in seconds (default 20)")
    net.add_argument("--data-timeout", metavar="S", type=_seconds, default=None,
                     help="data connect / first byte / stall timeout in seconds (default 20)")
    net.add_argument("--fallback", action="store_true",
                     help="after a data-channel failure, try once in the other mode")
    net.add_argument("--stat-fallback", action="store_true",
                     help="when a listing's data connection fails, list over the control "
                          "connection (STAT) instead: for data connections that open but "
                          "carry nothing")
    net.add_argument("--keepalive", metavar="SECONDS", type=_keepalive_seconds, default=None,
                     help="send NOOP after this many idle seconds, so a NAT box or the "
                          "server's idle timeout does not drop the connection (0: off, "
                          "the default)")
    net.add_argument("--tcp-keepalive", metavar="SECONDS", type=_keepalive_seconds,
                     default=None,
                     help="TCP keep-alive on the control connection after this many silent "
                          "seconds, also while a long transfer runs, so a NAT box keeps it "
                          "(default 15; 0: off)")
    net.add_argument("--proxy", metavar="URL", default=None,
                     help="connect through this proxy: socks5://[user@]host:port, "
                          "socks4a://host:port, http://[user@]host:port (HTTP CONNECT), "
                          "ftp-user://, ftp-site://, ftp-open://host:port (FTP proxy logon "
                          "types); the password from FTP_PROXY_PASSWORD. 'none': connect "
                          "directly even when a default proxy is set")
    net.add_argument("--list-hidden", action="store_true",
                     help="ask for hidden files too: LIST -a (MLSD lists them anyway)")
    add_sftp_options(parser)
    net.add_argument("--charset", metavar="NAME", type=_charset, default=None,
                     help="charset of remote names, for commands, replies and listings: "
                          "auto (the default: UTF-8, and a hint on stderr when names look "
                          "like another), utf-8, windows-1251, koi8-r, shift_jis, gbk, "
                          "gb18030, big5, euc-kr, iso-8859-2, … (any ASCII-compatible "
                          "charset Python knows)")
    out = parser.add_argument_group("output")
    out.add_argument("-v", "--verbose", action="store_true",
                     help="annotated transcript of the conversation on stderr")
    out.add_argument("--transcript", metavar="FILE", default=None,
                     help="write every event as JSON Lines to FILE (PASS always ****)")
    out.add_argument("-q", "--quiet", action="store_true",
                     help="no progress and no notes; errors only")
    out.add_argument("--no-log", action="store_true",
                     help="do not write the session log: by default each connection's "
                          "annotated conversation (PASS/ACCT ****) goes to one file in "
                          "'logs' in the app's data folder, as the window's does (on Linux "
                          "~/.local/share/ftp-inspector/logs; "
                          "$FTP_INSPECTOR_CONFIG_DIR/data/logs when set; -v names it); the "
                          "oldest files go beyond 20 MiB together")


@value
class Target:
    """What a command connects to: the settings (with the password, never printed), the
    remote path (None: the login directory) and how to show the URL."""

    settings: ConnectionSettings | SftpSettings
    path: str | None
    display: str
    password_source: str


def _site_settings(name: str, password: str | None, args: argparse.Namespace | None = None,
                   env: Mapping[str, str] | None = None,
                   ) -> tuple[ConnectionSettings | SftpSettings, str | None]:
    """Settings of a saved site, and the path after its name (the store's one rule)."""
    try:
        from client.config.sites import PasswordRequiredError, SiteNotFoundError, SiteStore
    except ImportError as exc:  # keyring missing
        raise TargetError(f"saved sites are not available here: {exc}") from None
    store = SiteStore()
    try:
        site, rest = store.find_with_path(name)
    except SiteNotFoundError as exc:
        raise TargetError(str(exc)) from None
    path = rest or (site.remote_dir or None)
    try:
        if site.is_sftp:
            return sftp_site_settings(store, site, args or argparse.Namespace(),
                                      os.environ if env is None else env, password), path
        return store.connection_settings(site, password=password), path
    except PasswordRequiredError as exc:
        raise TargetError(f"{exc}; set FTP_PASSWORD or run on a terminal") from None


def build_target(args: argparse.Namespace, url_text: str, *,
                 env: Mapping[str, str] | None = None,
                 prompt: Callable[[str], str] | None = None) -> Target:
    """URL + credentials + options -> :class:`Target`; raises :class:`TargetError`."""
    env = os.environ if env is None else env
    try:
        url = parse_url(url_text)
    except UrlError as exc:
        raise TargetError(str(exc)) from None
    if url.site is not None:
        settings, path, source = _site_target(url, env, prompt, args)
    elif url.is_sftp:
        sftp, source = sftp_url_settings(url, args, env, prompt)
        return Target(settings=sftp.replace(proxy=_proxy(args, url, sftp, env)),
                      path=url.path, display=url.display(), password_source=source)
    else:
        settings, path, source = _url_target(url, args, env, prompt)
    if not isinstance(settings, ConnectionSettings):  # an SFTP site
        return Target(settings=settings.replace(proxy=_proxy(args, url, settings, env)),
                      path=path, display=url.display(), password_source=source)
    settings = apply_options(settings, args, url)
    settings = settings.replace(proxy=_proxy(args, url, settings, env))
    _check_settings(settings, args, url)
    return Target(settings=settings, path=path, display=url.display(), password_source=source)


def _proxy(args: argparse.Namespace, url: RemoteUrl,
           settings: ConnectionSettings | SftpSettings,
           env: Mapping[str, str]) -> ProxySettings | None:
    """``--proxy`` (with FTP_PROXY_PASSWORD), else the site's choice, else the default
    proxy of the settings folder."""
    text = getattr(args, "proxy", None)
    if text is None:
        if url.site is not None:
            return settings.proxy
        from client.config.proxies import ProxyStore

        try:
            return ProxyStore().load_default()
        except ProxyUrlError as exc:
            raise TargetError(f"the default proxy cannot be used: {exc}") from None
    if text.strip().lower() in NO_PROXY_WORDS:
        return None
    try:
        proxy = parse_proxy_url(text)
    except ProxyUrlError as exc:
        raise TargetError(f"--proxy: {exc}") from None
    if proxy.user and proxy.password is None:
        proxy = proxy.replace(password=env.get("FTP_PROXY_PASSWORD") or None)
    return proxy


def _check_settings(settings: ConnectionSettings, args: argparse.Namespace,
                    url: RemoteUrl) -> None:
    """Settings no server conversation can fix are usage errors, said before connecting."""
    address = settings.active_address
    problem = active_address_problem(address) if address else None
    if problem is not None:
        where = ("--active-address" if getattr(args, "active_address", None)
                 else f"the active-mode address of site {url.site}")
        raise TargetError(f"{where}: {problem}")


def _site_target(url: RemoteUrl, env: Mapping[str, str],
                 prompt: Callable[[str], str] | None, args: argparse.Namespace,
                 ) -> tuple[ConnectionSettings | SftpSettings, str | None, str]:
    assert url.site is not None
    password = env.get("FTP_PASSWORD") or None
    try:
        settings, path = _site_settings(url.site, password, args, env)
        return settings, path, "FTP_PASSWORD" if password else "keyring"
    except TargetError:
        if prompt is None and sys.stdin is not None and sys.stdin.isatty():
            import getpass  # only to ask: it loads termios

            prompt = getpass.getpass
        if password is not None or prompt is None:
            raise
    settings, path = _site_settings(url.site, prompt(f"Password for site {url.site}: "), args,
                                    env)
    return settings, path, "prompt"


def _url_target(url: RemoteUrl, args: argparse.Namespace, env: Mapping[str, str],
                prompt: Callable[[str], str] | None) -> tuple[ConnectionSettings, str | None, str]:
    kwargs = {"env": env}
    if prompt is not None:
        kwargs["prompt"] = prompt  # type: ignore[assignment]
        kwargs["interactive"] = True  # type: ignore[assignment]
    try:
        creds = resolve_credentials(url.host, url.user, url.password, **kwargs)  # type: ignore[arg-type]
    except CredentialsError as exc:
        raise TargetError(str(exc)) from None
    tls = TlsMode(args.tls) if getattr(args, "tls", None) else (url.tls or TlsMode.AUTO)
    port = url.port if url.port is not None else (990 if tls is TlsMode.IMPLICIT else 21)
    settings = ConnectionSettings(host=url.host, port=port, user=creds.user,
                                  password=creds.password, tls=tls)
    return settings, url.path, creds.source


def apply_options(settings: ConnectionSettings, args: argparse.Namespace,
                  url: RemoteUrl | None = None) -> ConnectionSettings:
    """Only the options the user gave override ``settings``."""
    changes: dict[str, object] = {}
    if getattr(args, "mode", None):
        changes["mode"] = TransferMode(args.mode)
    if getattr(args, "epsv", False):
        changes["use_epsv"] = True
    if getattr(args, "no_epsv", False):
        changes["use_epsv"] = False
    if getattr(args, "eprt", False):
        changes["use_eprt"] = True
    if getattr(args, "no_eprt", False):
        changes["use_eprt"] = False
    if getattr(args, "pasv_address", None):
        changes["pasv_policy"] = PasvPolicy(args.pasv_address)
    if getattr(args, "active_address", None):
        changes["active_address"] = args.active_address
    if getattr(args, "active_ports", None):
        changes["active_ports"] = args.active_ports
    if getattr(args, "tls", None) and (url is None or url.site is not None):
        changes["tls"] = TlsMode(args.tls)
    if getattr(args, "insecure", False):
        changes["verify_certificates"] = False
    if getattr(args, "ca_file", None):
        changes["ca_file"] = args.ca_file
    if getattr(args, "timeout", None):
        changes["connect_timeout"] = args.timeout
        changes["control_timeout"] = args.timeout
    if getattr(args, "data_timeout", None):
        changes["data_timeout"] = args.data_timeout
    if getattr(args, "fallback", False):
        changes["fallback"] = True
    if getattr(args, "stat_fallback", False):
        changes["stat_listing_fallback"] = True
    keepalive = getattr(args, "keepalive", None)
    if keepalive is not None:
        changes["keepalive_interval"] = keepalive or None
    tcp_keepalive = getattr(args, "tcp_keepalive", None)
    if tcp_keepalive is not None:
        changes["tcp_keepalive"] = tcp_keepalive or None
    if getattr(args, "list_hidden", False):
        changes["list_hidden"] = True
    if getattr(args, "charset", None):
        changes["encoding"] = args.charset
    return settings.replace(**changes) if changes else settings
