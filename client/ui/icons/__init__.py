"""The app's internal SVG icons, loaded from this package (HiDPI-clean at any scale).

Icons are cached per name; ``icon_for_entry`` picks one by file type and overlays the
symlink marker for links.
"""

from __future__ import annotations

import logging
import posixpath
from functools import lru_cache
from importlib import resources

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

__all__ = ["icon", "icon_for_entry", "svg_bytes"]

_TEXT = {".txt", ".md", ".log", ".csv", ".ini", ".cfg", ".conf", ".json", ".xml", ".yaml", ".yml"}
_IMAGE = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".bmp", ".webp", ".ico", ".tif", ".tiff"}
_ARCHIVE = {".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".tar", ".deb", ".rpm", ".iso"}
_CODE = {".py", ".c", ".h", ".cpp", ".js", ".ts", ".sh", ".html", ".css", ".php", ".go", ".rs", ".java"}


def svg_bytes(name: str) -> bytes:
    return (resources.files(__package__) / f"{name}.svg").read_bytes()


class _SvgEngine(QIconEngine):
    """Renders the SVG (plus an optional overlay) at whatever size and scale is asked."""

    def __init__(self, layers: tuple[bytes, ...]) -> None:
        super().__init__()
        self._layers = layers
        self._renderers = [QSvgRenderer(QByteArray(layer)) for layer in layers]

    def paint(self, painter: QPainter, rect, mode, state) -> None:  # noqa: ANN001
        for renderer in self._renderers:
            renderer.render(painter, QRectF(rect))

    def pixmap(self, size: QSize, mode, state) -> QPixmap:  # noqa: ANN001
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, pixmap.rect(), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return _SvgEngine(self._layers)


@lru_cache(maxsize=64)
def icon(name: str, overlay: str | None = None) -> QIcon:
    """The named icon; an empty icon (and a log line) if a packaging step lost the file,
    rather than a window that cannot open."""
    try:
        layers = (svg_bytes(name),) + ((svg_bytes(overlay),) if overlay else ())
    except OSError:
        logging.getLogger(__name__).warning("icon %s.svg is missing from the package", name)
        return QIcon()
    return QIcon(_SvgEngine(layers))


def icon_for_entry(name: str, is_dir: bool, is_link: bool) -> QIcon:
    if is_dir:
        base = "folder"
    else:
        ext = posixpath.splitext(name)[1].lower()
        base = ("file-text" if ext in _TEXT else "file-image" if ext in _IMAGE
                else "file-archive" if ext in _ARCHIVE else "file-code" if ext in _CODE else "file")
    return icon(base, "link-overlay" if is_link else None)
