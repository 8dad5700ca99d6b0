"""URL parsing and the password order, in-process."""

from __future__ import annotations

import pytest

from client.cli.credentials import CredentialsError, resolve_credentials
from client.config.urls import UrlError, parse_url
from client.engine.settings import TlsMode


@pytest.mark.parametrize("text, host, port, user, password, path, tls", [
    ("ftp://example.net", "example.net", None, None, None, None, TlsMode.AUTO),
    ("ftp://alice@example.net:2121/pub/x.txt", "example.net", 2121, "alice", None,
     "pub/x.txt", TlsMode.AUTO),
    ("ftps://a%40b:p%3Aw%2Fd@[::1]:990/", "::1", 990, "a@b", "p:w/d", None, TlsMode.IMPLICIT),
    ("ftpes://u:@h/%2Fetc/motd", "h", None, "u", "", "/etc/motd", TlsMode.EXPLICIT),
    ("FTP://h//abs/dir/", "h", None, None, None, "/abs/dir/", TlsMode.AUTO),
    ("ftp://h/photos%202024/beach%20day.jpg", "h", None, None, None,
     "photos 2024/beach day.jpg", TlsMode.AUTO),
])
def test_urls(text, host, port, user, password, path, tls) -> None:
    url = parse_url(text)
    assert (url.host, url.port, url.user, url.password, url.path, url.tls) == (
        host, port, user, password, path, tls)


@pytest.mark.parametrize("text", [
    "ftp://h/a%0D%0ADELE%20x", "ftp://h/a%0Ab", "ftp://u:p%00@h/", "ftp://u%0D@h/",
])
def test_decoded_cr_lf_nul_are_refused(text: str) -> None:
    with pytest.raises(UrlError, match="CR|LF|NUL"):
        parse_url(text)


@pytest.mark.parametrize("text", ["http://h/", "h/path", "ftp://", "ftp://h:99999/",
                                  "ftp://h:x/", "ftp://[::1/", "ftp://h/a?b", "site:"])
def test_bad_urls(text: str) -> None:
    with pytest.raises(UrlError):
        parse_url(text)


def test_display_never_shows_the_password() -> None:
    url = parse_url("ftp://alice:s3cret@h:21/pub")
    assert "s3cret" not in url.display() and "s3cret" not in repr(url)
    assert url.display() == "ftp://alice@h:21/pub"


def test_site_urls() -> None:
    url = parse_url("site:Work/web/pub/file.txt")
    assert url.site == "Work/web/pub/file.txt" and url.scheme == "site"


def _netrc(tmp_path, text: str) -> dict[str, str]:
    path = tmp_path / "netrc"
    path.write_text(text)
    path.chmod(0o600)
    return {"NETRC": str(path), "HOME": str(tmp_path)}


def test_password_order(tmp_path) -> None:
    env = _netrc(tmp_path, "machine h login alice password fromnetrc\n")
    assert resolve_credentials("h", "alice", "fromurl", env=env).source == "url"
    c = resolve_credentials("h", "alice", None, env={**env, "FTP_PASSWORD": "fromenv"})
    assert (c.password, c.source) == ("fromenv", "FTP_PASSWORD")
    c = resolve_credentials("h", None, None, env=env)
    assert (c.user, c.password, c.source) == ("alice", "fromnetrc", "netrc")
    # a netrc password for another login is not used for this one
    with pytest.raises(CredentialsError, match="no password for 'bob'"):
        resolve_credentials("h", "bob", None, env=env, interactive=False)
    c = resolve_credentials("h", "bob", None, env=env, interactive=True,
                            prompt=lambda text: "typed")
    assert (c.password, c.source) == ("typed", "prompt")


def test_named_user_with_ftp_password_leaves_netrc_unread(tmp_path, capsys) -> None:
    """User in the URL and FTP_PASSWORD: nothing in a netrc file could change the
    answer, so it is not read (a broken one is not even mentioned)."""
    env = _netrc(tmp_path, "machine h login alice bogus token\n")
    c = resolve_credentials("h", "alice", None, env={**env, "FTP_PASSWORD": "fromenv"})
    assert (c.user, c.password, c.source) == ("alice", "fromenv", "FTP_PASSWORD")
    assert capsys.readouterr().err == ""
    # without a user in the URL the file is still read for its login
    c = resolve_credentials("h", None, None, env={**env, "FTP_PASSWORD": "fromenv"})
    assert "ignoring" in capsys.readouterr().err


def test_anonymous_when_nobody_is_named(tmp_path) -> None:
    c = resolve_credentials("h", None, None, env={"HOME": str(tmp_path)})
    assert (c.user, c.password, c.source) == ("anonymous", "anonymous@", "anonymous")


def test_credentials_error_does_not_contain_secrets(tmp_path) -> None:
    env = _netrc(tmp_path, "machine h login alice password topsecret\n")
    with pytest.raises(CredentialsError) as info:
        resolve_credentials("h", "carol", None, env=env, interactive=False)
    assert "topsecret" not in str(info.value)


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PART = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/@:?#[]%"),
                max_size=12)


@given(user=_PART, password=_PART, path=st.text(max_size=20))
def test_any_url_either_parses_safely_or_is_refused(user: str, password: str, path: str) -> None:
    from urllib.parse import quote

    text = f"ftp://{quote(user, safe='')}:{quote(password, safe='')}@h/{quote(path, safe='/')}"
    try:
        url = parse_url(text)
    except UrlError:
        assert any(c in user + password + path for c in "\r\n\x00")
        return
    for value in (url.user or "", url.password or "", url.path or ""):
        assert not any(c in value for c in "\r\n\x00")
    assert url.password == password and (url.user or "") == user
    assert f":{password}@" not in url.display()
    assert not any(c in url.display() for c in "\r\n\x00\x1b")  # shown escaped
