"""The remote pane's file list: a table whose selection is whole rows (the header's
own selection is kept apart), with drag and drop of local files onto it (upload) and
of its rows onto its folders (move on the server).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QMimeData, QModelIndex, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QAbstractItemView, QTableView

from client.ui.remote.listing_model import LIST_MIME, REMOTE_MIME, RemoteListModel, entry_is_dir

__all__ = ["RemoteFileView", "LOCAL_MIME", "local_paths_from_mime"]

#: drag payload from the local pane: one local path per line (file URLs work too)
LOCAL_MIME = "application/x-ftp-inspector-local-paths"


def local_paths_from_mime(mime: QMimeData) -> list[Path]:
    """Local files dropped on the remote pane: from our local pane or the desktop."""
    if mime.hasFormat(LOCAL_MIME):
        data = bytes(mime.data(LOCAL_MIME)).decode("utf-8")
        return [Path(p) for p in data.splitlines() if p]
    if mime.hasUrls():
        return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
    return []


class RemoteFileView(QTableView):
    """The file list; accepts local files (our local pane, the desktop file manager).

    Large folders: the headers get a selection model of their own, never the list's.
    A header consults its selection model on every repaint to draw a selected column
    (``QItemSelectionModel::isColumnSelected``), and Qt 6 answers that by asking the
    model's ``flags()`` for every row: after Ctrl+A in a 100,000-entry folder that was
    600,000 Python calls (about 2–3 s) per repaint. Rows are selected whole here, so a
    header has no selection worth drawing anyway.
    """

    files_dropped = Signal(list, str)  # list[Path], remote target folder ("" = current)
    #: rows of this list dropped on one of its folders: remote paths, that folder
    entries_moved = Signal(list, str)

    def setModel(self, model: object) -> None:  # type: ignore[override]
        super().setModel(model)  # type: ignore[arg-type]
        self._detach_header_selection()

    def setSelectionModel(self, selection_model: QItemSelectionModel) -> None:
        super().setSelectionModel(selection_model)
        self._detach_header_selection()

    def _detach_header_selection(self) -> None:
        model = self.model()
        if model is None:
            return
        for header in (self.horizontalHeader(), self.verticalHeader()):
            if header is None or header.selectionModel() is None:
                continue
            if header.selectionModel() is not self.selectionModel():
                continue  # already its own
            header.setSelectionModel(QItemSelectionModel(model, header))

    def moveCursor(self, action: QAbstractItemView.CursorAction,  # noqa: N802 - Qt API
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        """Home and End go to the first and last file, as in the local list and in
        FileZilla (a table's own go to the first and last column of the row)."""
        model = self.model()
        if model is not None and action in (QAbstractItemView.CursorAction.MoveHome,
                                            QAbstractItemView.CursorAction.MoveEnd):
            rows = model.rowCount(self.rootIndex())
            if rows:
                row = 0 if action is QAbstractItemView.CursorAction.MoveHome else rows - 1
                return model.index(row, 0, self.rootIndex())
        return super().moveCursor(action, modifiers)

    def selected_row_spans(self) -> list[tuple[int, int]]:
        """The selected rows as sorted, disjoint ``(first, last)`` spans, read from the
        selection's ranges (one range for Ctrl+A, whatever the folder's size)."""
        selection_model = self.selectionModel()
        if selection_model is None:
            return []
        spans = sorted((r.top(), r.bottom()) for r in selection_model.selection()
                       if r.isValid() and not r.parent().isValid())
        merged: list[tuple[int, int]] = []
        for top, bottom in spans:
            if merged and top <= merged[-1][1] + 1:
                if bottom > merged[-1][1]:
                    merged[-1] = (merged[-1][0], bottom)
            else:
                merged.append((top, bottom))
        return merged

    def selectedIndexes(self) -> list[QModelIndex]:  # noqa: N802 - Qt's name
        """One index per selected row (column 0), from the ranges: what a drag needs
        (our model's ``mimeData`` reads rows). Qt's own expands every cell and asks
        ``flags()`` for each: 600,000 calls for a select-all of 100,000 entries."""
        model = self.model()
        if model is None:
            return []
        root = self.rootIndex()
        return [model.index(row, 0, root)
                for top, bottom in self.selected_row_spans() for row in range(top, bottom + 1)]

    def _move_target(self, event: QDropEvent | QDragMoveEvent) -> tuple[list[str], str] | None:
        """Rows of this list dragged onto one of its folders (not one of the rows
        dragged): the remote paths and that folder; else None."""
        mime = event.mimeData()
        model = self.model()
        if not isinstance(model, RemoteListModel) or not mime.hasFormat(REMOTE_MIME) \
                or bytes(mime.data(LIST_MIME)) != model.list_token():
            return None
        index = self.indexAt(event.position().toPoint())
        if not index.isValid() or not entry_is_dir(model.entry(index.row())):
            return None
        target = model.full_path(model.entry(index.row()))
        paths = [p for p in bytes(mime.data(REMOTE_MIME)).decode(
            "utf-8", "surrogateescape").splitlines() if p]
        if not paths or target in paths:
            return None
        return paths, target

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths_from_mime(event.mimeData()) or event.mimeData().hasFormat(LIST_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if local_paths_from_mime(event.mimeData()):
            event.acceptProposedAction()
        elif event.mimeData().hasFormat(LIST_MIME):
            # onto a folder: a move; anywhere else the rows stay where they are
            if self._move_target(event) is not None:
                event.acceptProposedAction()
            else:
                event.ignore()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        moved = self._move_target(event)
        if moved is not None:
            event.acceptProposedAction()
            self.entries_moved.emit(*moved)
            return
        paths = local_paths_from_mime(event.mimeData())
        if not paths:
            super().dropEvent(event)
            return
        index = self.indexAt(event.position().toPoint())
        target = ""
        model = self.model()
        if index.isValid() and isinstance(model, RemoteListModel):
            entry = model.entry(index.row())
            if entry_is_dir(entry):
                target = model.full_path(entry)
        event.acceptProposedAction()
        self.files_dropped.emit(paths, target)
