"""Bookmarks of a saved site: a remote folder, and the local folder that goes with it.

Choosing one shows both at once (the web root beside the project's build folder, the
logs beside a scratch folder). They live in the site, in ``sites.json``, so the window
and the command line read the same ones. Plain values: no Qt, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Bookmark", "bookmarks_from_json", "with_bookmark", "without_bookmark"]

#: more than this many per site is a list nobody reads in a menu; the oldest go
MAX_BOOKMARKS = 50


@dataclass(frozen=True)
class Bookmark:
    """``remote``: an absolute remote path; ``local``: a local folder, or "" for none."""

    name: str
    remote: str
    local: str = ""

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "remote": self.remote, "local": self.local}


def bookmarks_from_json(value: object) -> tuple[Bookmark, ...]:
    """The bookmarks stored for a site; anything malformed (a hand-edited file) is left
    out rather than failing the whole site."""
    if not isinstance(value, list):
        return ()
    found: list[Bookmark] = []
    for item in value:
        if not isinstance(item, dict):
            continue
        name, remote, local = item.get("name"), item.get("remote"), item.get("local", "")
        if isinstance(name, str) and name.strip() and isinstance(remote, str) \
                and remote.startswith("/") and isinstance(local, str):
            found.append(Bookmark(name.strip(), remote, local))
    return tuple(found[-MAX_BOOKMARKS:])


def with_bookmark(bookmarks: Iterable[Bookmark], new: Bookmark) -> tuple[Bookmark, ...]:
    """``bookmarks`` plus ``new``; one of the same name is replaced (in its place)."""
    kept = list(bookmarks)
    for index, old in enumerate(kept):
        if old.name == new.name:
            kept[index] = new
            return tuple(kept)
    return tuple([*kept, new][-MAX_BOOKMARKS:])


def without_bookmark(bookmarks: Iterable[Bookmark], name: str) -> tuple[Bookmark, ...]:
    return tuple(b for b in bookmarks if b.name != name)
