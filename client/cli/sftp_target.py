"""How an ``sftp://`` URL or an SFTP ``site:NAME`` becomes :class:`SftpSettings`, and the
SFTP options (``--identity``, ``--accept-new-host-key``, ``--no-agent``).

Passwords come from the same places as for FTP, in the same order (the URL,
``FTP_PASSWORD``, ``~/.netrc``, the keyring for sites, a prompt on a terminal), except
that a missing password is no error: a key file or the SSH agent may log on. The prompt
is used only when nothing else could (no key file, no agent). Without ``--identity`` the
usual OpenSSH key files (``~/.ssh/id_ed25519``, ``id_ecdsa``, ``id_rsa``) are offered
when they exist, as ``sftp`` does.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping

from client.cli.credentials import netrc_lookup

TYPE_CHECKING = False  # typing loads for type checkers only (start-up time)
if TYPE_CHECKING:  # the SFTP settings load for sftp:// targets only
    from client.config.urls import RemoteUrl
    from client.engine.sftp.settings import SftpSettings

__all__ = ["add_sftp_options", "sftp_url_settings", "sftp_site_settings",
           "apply_sftp_options"]

def add_sftp_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("SFTP (sftp:// URLs and SFTP sites)")
    group.add_argument("--identity", "-i", metavar="FILE", action="append", default=None,
                       help="private key file to log on with (repeatable; default: "
                            "~/.ssh/id_ed25519, id_ecdsa, id_rsa when present); its "
                            "passphrase comes from SSH_KEY_PASSPHRASE")
    group.add_argument("--accept-new-host-key", action="store_true",
                       help="trust a host key seen for the first time and store it in the "
                            "app's known_hosts (without it an unknown key exits with code 5 "
                            "and its SHA256 fingerprint); a changed key is refused always")
    group.add_argument("--no-agent", action="store_true",
                       help="do not offer the SSH agent's keys (SSH_AUTH_SOCK)")


def _can_log_on_without_password(settings: SftpSettings, env: Mapping[str, str]) -> bool:
    return bool(settings.key_files) or (settings.use_agent and bool(env.get("SSH_AUTH_SOCK")))


def sftp_url_settings(url: RemoteUrl, args: argparse.Namespace, env: Mapping[str, str],
                      prompt: Callable[[str], str] | None) -> tuple[SftpSettings, str]:
    """Settings for an ``sftp://`` URL and where the password came from."""
    import getpass  # here, not at the top: a plain-FTP get never needs it

    from client.engine.sftp.settings import SftpSettings

    net_login, net_password = netrc_lookup(url.host, env)
    user = url.user or net_login or env.get("USER") or getpass.getuser()
    password, source = None, "none (keys)"
    if url.password is not None:
        password, source = url.password, "url"
    elif env.get("FTP_PASSWORD"):
        password, source = env["FTP_PASSWORD"], "FTP_PASSWORD"
    elif net_password is not None and (net_login is None or net_login == user):
        password, source = net_password, "netrc"
    settings = apply_sftp_options(
        SftpSettings(host=url.host, port=url.effective_port(), user=user, password=password),
        args, env)
    if password is None and not _can_log_on_without_password(settings, env):
        ask = prompt or (getpass.getpass if sys.stdin is not None and sys.stdin.isatty()
                         else None)
        if ask is not None:
            settings = settings.replace(password=ask(f"Password for {user}@{url.host}: "))
            source = "prompt"
    return settings, source


def sftp_site_settings(store: object, site: object, args: argparse.Namespace,
                       env: Mapping[str, str], password: str | None) -> SftpSettings:
    """Settings of a saved SFTP site with the command's options applied."""
    settings = store.sftp_settings(site, password=password)  # type: ignore[attr-defined]
    return apply_sftp_options(settings, args, env)


def apply_sftp_options(settings: SftpSettings, args: argparse.Namespace,
                       env: Mapping[str, str] | None = None) -> SftpSettings:
    from client.engine.sftp.credentials import default_key_files
    from client.engine.sftp.settings import HostKeyPolicy

    env = os.environ if env is None else env
    changes: dict[str, object] = {}
    identities = getattr(args, "identity", None)
    if identities:
        changes["key_files"] = tuple(identities)
    elif not settings.key_files:
        changes["key_files"] = default_key_files(env)
    if env.get("SSH_KEY_PASSPHRASE"):
        changes["key_passphrase"] = env["SSH_KEY_PASSPHRASE"]
    if getattr(args, "no_agent", False):
        changes["use_agent"] = False
    if getattr(args, "accept_new_host_key", False):
        changes["host_key_policy"] = HostKeyPolicy.ACCEPT_NEW
    if getattr(args, "timeout", None):
        changes["connect_timeout"] = args.timeout
        changes["request_timeout"] = args.timeout
    keepalive = getattr(args, "keepalive", None)
    if keepalive is not None:
        changes["keepalive_interval"] = keepalive or None
    return settings.replace(**changes) if changes else settings
