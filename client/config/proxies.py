"""The app-wide default proxy and the proxy choice of a saved site (Qt-free: the CLI
and the window read the same file).

A site's ``proxy`` field is ``"default"`` (use the default proxy below), ``"none"``
(connect directly even when a default is set) or a proxy URL without its password
(``socks5://bob@proxy.example:1080``). The default proxy is ``proxy.json`` in the config
folder, also without a password. Proxy passwords live in the keyring only, under the
service ``ftp-inspector`` with the user name ``proxy:default`` or ``proxy:<site id>``;
the keyring is loaded only when a proxy has a user name.
"""

from __future__ import annotations

import os
from pathlib import Path

from client.config.appdirs import config_dir
from client.engine.proxy import NO_PROXY_WORDS, ProxySettings, ProxyUrlError, parse_proxy_url

__all__ = ["DEFAULT_CHOICE", "NO_PROXY", "DEFAULT_PROXY_KEY", "ProxyStore",
           "normalise_choice", "site_proxy_key", "choice_for"]


class _Log:
    """``logging.getLogger(__name__)`` on first use: ``get`` reads this module before it
    dials, and the logging package is not needed for that."""

    def warning(self, message: str, *args: object) -> None:
        import logging

        logging.getLogger(__name__).warning(message, *args)


log = _Log()

DEFAULT_CHOICE = "default"
NO_PROXY = "none"
DEFAULT_PROXY_KEY = "proxy:default"


def site_proxy_key(site_id: str) -> str:
    """The keyring user name of a site's proxy password."""
    return f"proxy:{site_id}"


def normalise_choice(value: object) -> str:
    """A site's stored proxy choice made safe: "default", "none", or a proxy URL with
    any password dropped (an old or hand-edited file never brings one back)."""
    if not isinstance(value, str) or not value.strip():
        return DEFAULT_CHOICE
    text = value.strip()
    if text.lower() == DEFAULT_CHOICE:
        return DEFAULT_CHOICE
    if text.lower() in NO_PROXY_WORDS:
        return NO_PROXY
    try:
        return parse_proxy_url(text).url()
    except ProxyUrlError:
        log.warning("a saved site's proxy %r cannot be read; using the default proxy", text)
        return DEFAULT_CHOICE


def choice_for(proxy: ProxySettings | None) -> str:
    """The stored form of ``proxy`` for a site ("none" for None)."""
    return NO_PROXY if proxy is None else proxy.url()


def _keyring_password(key: str) -> str | None:
    from client.config.sites import KEYRING_SERVICE, keyring_available

    if not keyring_available():
        return None
    import keyring
    import keyring.errors

    try:
        return keyring.get_password(KEYRING_SERVICE, key)
    except keyring.errors.KeyringError as exc:
        log.warning("keyring lookup failed: %s", exc)
        return None


class ProxyStore:
    """The default proxy (``proxy.json``) and proxy passwords (keyring)."""

    def __init__(self, path: Path | None = None) -> None:
        # only read here: save_default creates the folder when there is something to save
        self.path = path or (config_dir(create=False) / "proxy.json")

    def default_url(self) -> str | None:
        """The default proxy's URL (no password), or None when there is none."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return None  # the usual case: no default proxy, and no json to load for it
        except OSError as exc:
            log.warning("proxy settings %s cannot be read (%s); no default proxy", self.path, exc)
            return None
        import json

        try:
            data = json.loads(text)
        except ValueError as exc:
            log.warning("proxy settings %s cannot be read (%s); no default proxy", self.path, exc)
            return None
        url = data.get("default") if isinstance(data, dict) else None
        choice = normalise_choice(url) if url else NO_PROXY
        return None if choice in (NO_PROXY, DEFAULT_CHOICE) else choice

    def load_default(self) -> ProxySettings | None:
        """The default proxy with its password from the keyring (when it has a user)."""
        url = self.default_url()
        if url is None:
            return None
        proxy = parse_proxy_url(url)
        if proxy.user:
            proxy = proxy.replace(password=_keyring_password(DEFAULT_PROXY_KEY))
        return proxy

    def save_default(self, proxy: ProxySettings | None) -> None:
        """Write the default (None: no default proxy); its password goes to the keyring
        when given, and a password no longer needed is deleted."""
        import json

        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"version": 1, "default": proxy.url() if proxy is not None else None}
        import tempfile  # only when saving

        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".proxy-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, indent=2)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if proxy is not None and proxy.user and proxy.password:
            self.set_password(DEFAULT_PROXY_KEY, proxy.password)
        elif proxy is None or not proxy.user:
            self.delete_password(DEFAULT_PROXY_KEY)

    def for_site(self, choice: str, site_id: str) -> ProxySettings | None:
        """The proxy a site with proxy choice ``choice`` connects through."""
        choice = normalise_choice(choice)
        if choice == NO_PROXY:
            return None
        if choice == DEFAULT_CHOICE:
            return self.load_default()
        proxy = parse_proxy_url(choice)
        if proxy.user:
            proxy = proxy.replace(password=_keyring_password(site_proxy_key(site_id)))
        return proxy

    @staticmethod
    def set_password(key: str, password: str) -> None:
        from client.config.sites import KEYRING_SERVICE, keyring_available

        if not keyring_available():
            import keyring.errors

            raise keyring.errors.NoKeyringError(
                "no secure keyring backend is available for the proxy password")
        import keyring

        keyring.set_password(KEYRING_SERVICE, key, password)

    @staticmethod
    def delete_password(key: str) -> None:
        from client.config.sites import KEYRING_SERVICE, keyring_available

        if not keyring_available():
            return
        import keyring
        import keyring.errors

        try:
            keyring.delete_password(KEYRING_SERVICE, key)
        except keyring.errors.PasswordDeleteError:
            pass
