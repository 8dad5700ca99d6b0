"""The speed limits in the window: kept in the settings file, applied to the process's
limiter (every transfer of the queue follows at once), and a status-bar button that
shows them and turns them on and off with a click."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import QToolButton, QWidget

from client.engine.ratelimit import Direction, RateLimits, SpeedLimiter, format_limit

__all__ = ["SpeedLimitButton", "load_limits", "save_limits"]

_KEYS = {"download_total": "speedLimits/downloadTotal",
         "download_each": "speedLimits/downloadEach",
         "upload_total": "speedLimits/uploadTotal",
         "upload_each": "speedLimits/uploadEach"}
_ENABLED = "speedLimits/enabled"
_UNLIMITED = "\u221e"


def _int(value: object) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def load_limits(settings: QSettings) -> RateLimits:
    """The saved limits (none saved: no limits, switched on for when some are set)."""
    values = {field: _int(settings.value(key)) for field, key in _KEYS.items()}
    enabled = str(settings.value(_ENABLED, "true")).lower() in ("true", "1")
    return RateLimits(enabled=enabled, **values)


def save_limits(settings: QSettings, limits: RateLimits) -> None:
    for field, key in _KEYS.items():
        settings.setValue(key, getattr(limits, field) or 0)
    settings.setValue(_ENABLED, "true" if limits.enabled else "false")
    settings.sync()


def _switched_on(limits: RateLimits, on: bool = True) -> RateLimits:
    return dataclasses.replace(limits, enabled=on)


def describe(limits: RateLimits) -> str:
    """``↓ 500K ↑ 1M`` for the status bar: the tighter of the two limits per direction."""
    parts = []
    for direction, arrow in ((Direction.DOWNLOAD, "\u2193"), (Direction.UPLOAD, "\u2191")):
        on = _switched_on(limits)
        rates = [r for r in (on.total(direction), on.each(direction)) if r]
        shown = format_limit(min(rates)) if rates else _UNLIMITED
        parts.append(f"{arrow} {shown}")
    return " ".join(parts)


class SpeedLimitButton(QToolButton):
    """Checked: the limits apply. A click flips them for every running transfer."""

    #: the limits changed (toggle or preferences); the window saves nothing else
    limits_changed = Signal(object)
    #: clicked while no limit is set: there is nothing to turn on, so set one
    settings_wanted = Signal()

    def __init__(self, settings: QSettings, limiter: SpeedLimiter,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("speedLimitButton")
        self.setCheckable(True)
        self.setAutoRaise(True)
        # like the status bar's labels, out of the Tab chain (File → Preferences has the
        # same switch for the keyboard)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._settings = settings
        self._limiter = limiter
        self.toggled.connect(self._toggled)
        self.apply(load_limits(settings))

    @property
    def limits(self) -> RateLimits:
        return self._limiter.limits

    def apply(self, limits: RateLimits) -> None:
        """Use ``limits`` from now on (running transfers included) and save them."""
        self._limiter.limits = limits
        save_limits(self._settings, limits)
        self.blockSignals(True)
        self.setChecked(limits.enabled)
        self.blockSignals(False)
        self._show(limits)
        self.limits_changed.emit(limits)

    def _toggled(self, on: bool) -> None:
        if not _switched_on(self.limits).any:
            # nothing to turn on or off (a click silently turned the limits off, and the
            # first limit set later did not apply): the click asks for a limit instead
            self.blockSignals(True)
            self.setChecked(not on)
            self.blockSignals(False)
            self.settings_wanted.emit()
            return
        self.apply(_switched_on(self.limits, on))

    def _show(self, limits: RateLimits) -> None:
        numbers = describe(limits)
        has_numbers = _switched_on(limits).any
        if not has_numbers:
            text = self.tr("No speed limit")
        elif limits.enabled:
            text = self.tr("Limit {}").format(numbers)
        else:
            text = self.tr("Limit off")
        self.setText(text)
        name = self.tr("Speed limits")
        self.setAccessibleName(name)
        tip = [self.tr("Speed limits (click to turn them on or off; set them in "
                       "File \u2192 Preferences):")]
        for label, field in ((self.tr("downloads, all together"), "download_total"),
                             (self.tr("each download"), "download_each"),
                             (self.tr("uploads, all together"), "upload_total"),
                             (self.tr("each upload"), "upload_each")):
            tip.append(f"  {label}: {format_limit(getattr(limits, field))}/s"
                       if getattr(limits, field) else f"  {label}: {self.tr('none')}")
        if has_numbers and not limits.enabled:
            tip.append(self.tr("Turned off: transfers run at full speed."))
        if not has_numbers:
            tip.append(self.tr("None is set: click to set one."))
        self.setToolTip("\n".join(tip))
