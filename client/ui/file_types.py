"""The Type column's words, one rule for both panes: a file's type as the desktop's MIME
database describes it by its name ("CSV document", "Tar archive (gzip-compressed)"),
and "BIN file" where it knows nothing better than "unknown". The remote list used the
MIME subtype ("csv", "octet-stream") while the local list said "CSV document" and
"unknown" for the same files."""

from __future__ import annotations

from functools import lru_cache
from pathlib import PurePosixPath

from PySide6.QtCore import QCoreApplication, QMimeDatabase

__all__ = ["type_text"]

_DATABASE = QMimeDatabase()


def _tr(text: str) -> str:
    return QCoreApplication.translate("FileTypes", text)


def type_text(name: str, is_dir: bool, is_link: bool = False) -> str:
    """What the Type column says for an entry called ``name``."""
    if is_dir:
        return _tr("Folder")
    if is_link:
        return _tr("Link")
    if name.rfind(".") <= 0:  # no extension, or a dot file such as .htaccess
        return _tr("File")
    return _type_of_suffixes("".join(PurePosixPath(name.lower()).suffixes[-2:]))


@lru_cache(maxsize=4096)
def _type_of_suffixes(suffixes: str) -> str:
    """Cached per ending (a 100,000-file folder has few distinct ones); the last two
    suffixes, so ``.tar.gz`` is told from ``.gz``."""
    mime = _DATABASE.mimeTypeForFile("x" + suffixes, QMimeDatabase.MatchMode.MatchExtension)
    comment = mime.comment()
    if mime.isDefault() or not comment:
        return _tr("{} file").format(suffixes.rsplit(".", 1)[-1].upper())
    return comment[:1].upper() + comment[1:]
