"""The window and the command line give the same answer for the same text: one table of
URLs and ``site:`` references, run through both front ends.

The command line: :func:`client.cli.options.build_target` (what ``ls``/``get`` use).
The window: the quickconnect bar's :meth:`build_settings` for URLs, and
:func:`client.ui.sites.dialog.connect_saved_site`'s lookup for ``site:`` references.
Paths follow RFC 1738 §3.2 as curl does: relative to the login folder, ``%2F`` (or a
doubled slash) for an absolute path; a decoded CR, LF or NUL is refused by both.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pytest

from client.cli.options import TargetError, add_common_options, build_target
from client.config.sites import Site, SiteStore
from client.config.urls import parse_target, parse_url

URLS = [
    # (text, host, port, user, path) ; None for path: the login folder
    ("ftp://h", "h", 21, "anonymous", None),
    ("ftp://h/", "h", 21, "anonymous", None),
    ("ftp://h/pub", "h", 21, "anonymous", "pub"),
    ("ftp://h/pub/sub/", "h", 21, "anonymous", "pub/sub/"),
    ("ftp://h/%2Fetc", "h", 21, "anonymous", "/etc"),
    ("ftp://h//etc", "h", 21, "anonymous", "/etc"),
    ("ftp://alice@h:2121/photos%202024", "h", 2121, "alice", "photos 2024"),
    ("ftps://bob@[::1]/x", "::1", 990, "bob", "x"),
    ("FTPES://h:21/%2F", "h", 21, "anonymous", "/"),
]

REFUSED = [
    "ftp://u:p%0d%0aDELE@h/",  # CR LF in the password would smuggle a command
    "ftp://h/a%0Ab",
    "ftp://h/a%00",
    "ftp://h/a?b",
    "http://h/",
    "ftp://h:99999/",
]


def cli_answer(text: str) -> tuple[str, int, str, str | None]:
    parser = argparse.ArgumentParser()
    add_common_options(parser)
    args = parser.parse_args([])
    target = build_target(args, text, env={"FTP_PASSWORD": "pw"}, prompt=None)
    return (target.settings.host, target.settings.port, target.settings.user, target.path)


def window_answer(text: str, qapp) -> tuple[str, int, str, str | None]:
    from client.config.history import QuickconnectHistory
    from client.ui.quickconnect import QuickConnectBar

    bar = QuickConnectBar(QuickconnectHistory(Path(tempfile.mkdtemp()) / "history.json"))
    bar.host.setText(text)
    bar.password.setText("pw")
    settings, path = bar.build_settings()
    bar.deleteLater()
    return (settings.host, settings.port, settings.user, path)


@pytest.mark.gui
@pytest.mark.parametrize(("text", "host", "port", "user", "path"), URLS)
def test_urls_mean_the_same_in_both_front_ends(qapp, text, host, port, user, path) -> None:
    expected = (host, port, user, path)
    assert cli_answer(text) == expected
    assert window_answer(text, qapp) == expected


@pytest.mark.gui
@pytest.mark.parametrize("text", REFUSED)
def test_bad_urls_are_refused_by_both_front_ends(qapp, text) -> None:
    with pytest.raises(TargetError):
        cli_answer(text)
    with pytest.raises(ValueError):
        window_answer(text, qapp)
    with pytest.raises(ValueError):
        parse_target(text)


SITE_REFERENCES = [
    # (reference, site host, path) ; the site's remote folder is "/srv" when none is given
    ("site:web", "h1", "/srv"),
    ("site:Work/web", "h1", "/srv"),
    ("site:Work/web/pub/x", "h1", "pub/x"),
    ("site:Work/web/%2Fetc", "h1", "/etc"),
    ("site:work/WEB", "h1", "/srv"),  # case-insensitive when unique
    ("site:Work/web/photos%202024", "h1", "photos 2024"),
]


@pytest.fixture
def saved_sites(config_dir: Path) -> SiteStore:
    store = SiteStore()
    store.save([Site(name="web", host="h1", folder="Work", logon="anonymous",
                     remote_dir="/srv"),
                Site(name="other", host="h2", logon="anonymous")])
    return store


@pytest.mark.parametrize(("reference", "host", "path"), SITE_REFERENCES)
def test_site_references_mean_the_same_in_both_front_ends(saved_sites, reference, host,
                                                          path) -> None:
    cli_host, _, _, cli_path = cli_answer(reference)
    # the window's lookup (connect_saved_site): the same parser, the same store rule
    site, rest = saved_sites.find_with_path(parse_url(reference).site or "")
    assert (cli_host, cli_path) == (host, path)
    assert (site.host, rest or site.remote_dir or None) == (host, path)


def test_an_unknown_site_is_refused_by_both(saved_sites) -> None:
    from client.config.sites import SiteNotFoundError

    with pytest.raises(TargetError, match="nothing"):
        cli_answer("site:nothing/here")
    with pytest.raises(SiteNotFoundError):
        saved_sites.find_with_path("nothing/here")
