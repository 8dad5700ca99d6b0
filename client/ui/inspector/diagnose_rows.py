"""The Diagnose wizard's live list of attempts: one row per probe of the matrix, with
a state that changes while it runs (waiting, running with a timer, ok, failed with the
class, refused, not attempted, not run).

:func:`~client.engine.diagnose.run_diagnosis` reports a row only when it ends, and runs
the rows one after the other in :data:`PLAN` order, so the row after the last finished
one is the one running now. The TLS row runs only when the server offers TLS; it says
so while it waits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from client.engine.diagnose.model import Attempt, Outcome, Probe
from client.engine.events import DataFailure
from client.engine.ladder.items import FAILURE_LABELS

__all__ = ["PLAN", "PlannedProbe", "AttemptRowsModel", "state_text"]

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class PlannedProbe:
    """A row as announced on the first page: what is tried and why it matters."""

    probe: Probe
    what: str


PLAN: tuple[PlannedProbe, ...] = (
    PlannedProbe(Probe.EPSV, "passive, extended (RFC 2428): the server names only a port"),
    PlannedProbe(Probe.PASV_ADVERTISED,
                 "passive: dial the address in the server's 227 reply (only when it is "
                 "routable from here)"),
    PlannedProbe(Probe.PASV_CONTROL,
                 "passive: dial the control connection's address on the 227 port"),
    PlannedProbe(Probe.EPRT, "active, extended: the server dials back to this machine"),
    PlannedProbe(Probe.PORT, "active, classic: the server dials back to this machine"),
    PlannedProbe(Probe.STAT, "a listing over the control connection (no data connection)"),
    PlannedProbe(Probe.TLS, "handshake, certificate and session reuse on a protected "
                            "data connection (when the server offers AUTH TLS)"),
)

_COLUMNS = ("Attempt", "State", "Time", "Detail")
_OK = QColor("#1e7b34")
_BAD = QColor("#b3261e")
_SOFT = QColor("#8a6d00")
_IDLE = QColor("#6b6b6b")


def state_text(attempt: Attempt) -> str:
    """A finished row's state in a few words ("failed: SYN unanswered")."""
    if attempt.outcome is Outcome.OK:
        return "ok"
    if attempt.outcome is Outcome.UNSUPPORTED:
        return f"refused by the server ({attempt.reply_code})" if attempt.reply_code \
            else "refused by the server"
    if attempt.outcome is Outcome.NOT_ATTEMPTED:
        if attempt.failure_class == "unroutable-refused":
            return "not attempted: unroutable"
        return "not attempted"
    if attempt.failure is not None:
        return f"failed: {FAILURE_LABELS.get(attempt.failure, attempt.failure.value)}"
    try:
        label = FAILURE_LABELS.get(DataFailure(attempt.failure_class or ""))
    except ValueError:
        label = None
    return f"failed: {label or attempt.failure_class or 'error'}"


class AttemptRowsModel(QAbstractTableModel):
    """The plan's rows with their live states; :meth:`tick` refreshes the running
    row's timer."""

    def __init__(self, parent: QObject | None = None, *, tls_expected: bool = True) -> None:
        super().__init__(parent)
        self.tls_expected = tls_expected
        self.results: dict[Probe, Attempt] = {}
        self.running: Probe | None = None
        self.started_at: float | None = None
        self.finished = False
        self.cancelled = False

    # -- feeding ---------------------------------------------------------------------------
    def start(self) -> None:
        """The run begins: the first row is running."""
        self.beginResetModel()
        self.results.clear()
        self.finished = self.cancelled = False
        self.running = PLAN[0].probe
        self.started_at = time.monotonic()
        self.endResetModel()

    def add(self, attempt: Attempt) -> None:
        """A row ended; the next one in the plan starts."""
        self.results[attempt.probe] = attempt
        order = [p.probe for p in PLAN]
        position = order.index(attempt.probe)
        self.running = order[position + 1] if position + 1 < len(order) else None
        self.started_at = time.monotonic()
        self.dataChanged.emit(self.index(0, 0), self.index(len(PLAN) - 1, len(_COLUMNS) - 1))

    def finish(self, *, cancelled: bool = False) -> None:
        """The run ended (rows not reached are "not run")."""
        self.running = None
        self.finished = True
        self.cancelled = cancelled
        self.dataChanged.emit(self.index(0, 0), self.index(len(PLAN) - 1, len(_COLUMNS) - 1))

    def tick(self) -> None:
        if self.running is not None:
            row = [p.probe for p in PLAN].index(self.running)
            self.dataChanged.emit(self.index(row, 1), self.index(row, 2))

    # -- reading ---------------------------------------------------------------------------
    def state_of(self, probe: Probe) -> str:
        attempt = self.results.get(probe)
        if attempt is not None:
            return state_text(attempt)
        if probe is self.running:
            return f"running {self.elapsed():.1f} s"
        if self.finished:
            if self.cancelled:
                return "cancelled"
            return "not offered by the server" if probe is Probe.TLS else "not run"
        if probe is Probe.TLS and not self.tls_expected:
            return "waiting (only if the server offers TLS)"
        return "waiting"

    def elapsed(self) -> float:
        return time.monotonic() - self.started_at if self.started_at is not None else 0.0

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(PLAN)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(_COLUMNS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        planned = PLAN[index.row()]
        attempt = self.results.get(planned.probe)
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return planned.probe.value
            if column == 1:
                return self.state_of(planned.probe)
            if column == 2:
                if attempt is not None:
                    return "" if attempt.outcome is Outcome.NOT_ATTEMPTED \
                        else f"{attempt.elapsed:.1f} s"
                return f"{self.elapsed():.1f} s" if planned.probe is self.running else ""
            if column == 3:
                if attempt is None and self.finished and planned.probe is Probe.TLS \
                        and not self.cancelled:
                    return "the server does not offer AUTH TLS"
                return attempt.detail if attempt is not None else planned.what
        if role == Qt.ItemDataRole.ToolTipRole:
            return attempt.detail if attempt is not None else planned.what
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            if attempt is None:
                return _SOFT if planned.probe is self.running else _IDLE
            if attempt.outcome is Outcome.OK:
                return _OK
            if attempt.outcome is Outcome.FAILED:
                return _BAD
            return _SOFT
        return None
