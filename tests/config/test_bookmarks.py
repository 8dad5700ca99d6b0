"""Bookmarks kept in a saved site: written to sites.json and read back; a hand-edited
entry that is not a bookmark (no name, a relative remote path) is left out, not fatal;
a name added again replaces the old one in its place."""

from __future__ import annotations

import json

from client.config.bookmarks import Bookmark, bookmarks_from_json, with_bookmark, without_bookmark
from client.config.sites import Site, SiteStore


def test_bookmarks_go_to_the_sites_file_and_come_back(tmp_path) -> None:
    store = SiteStore(tmp_path / "sites.json")
    site = Site(name="Shop", host="127.0.0.1",
                bookmarks=(Bookmark("Web root", "/var/www", "/home/me/shop/build"),
                           Bookmark("Logs", "/var/log/shop")))
    store.save([site])
    raw = json.loads((tmp_path / "sites.json").read_text())
    assert raw["sites"][0]["bookmarks"][1] == {"name": "Logs", "remote": "/var/log/shop",
                                               "local": ""}
    assert store.find("Shop").bookmarks == site.bookmarks


def test_malformed_bookmarks_are_left_out() -> None:
    value = [{"name": "ok", "remote": "/a"}, {"name": "", "remote": "/b"},
             {"name": "relative", "remote": "b"}, "text", {"remote": "/c"},
             {"name": "bad local", "remote": "/d", "local": 5}]
    assert bookmarks_from_json(value) == (Bookmark("ok", "/a"),)
    assert bookmarks_from_json({"name": "x"}) == ()
    assert Site.from_json({"name": "n", "host": "h", "bookmarks": "junk"}).bookmarks == ()


def test_a_name_added_again_replaces_the_old_bookmark_in_place() -> None:
    first = (Bookmark("a", "/1"), Bookmark("b", "/2"))
    again = with_bookmark(first, Bookmark("a", "/3", "/home"))
    assert again == (Bookmark("a", "/3", "/home"), Bookmark("b", "/2"))
    assert without_bookmark(again, "a") == (Bookmark("b", "/2"),)
