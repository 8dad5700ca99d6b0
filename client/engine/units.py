"""Byte counts and rates as people read them, in one format wherever the application
shows one (the panes, the queue, search results, the synchronise preview, the ladder,
the CLI): bytes below 1 KiB, then KiB, MiB, GiB, TiB with one decimal (binary units,
as file managers and FileZilla's IEC setting show sizes). A module of its own so a plain
``get`` can print a size without loading the ladder model."""

from __future__ import annotations

__all__ = ["format_bytes", "format_rate", "format_size"]


def format_size(count: int | None) -> str:
    """``"900 B"``, ``"2.8 KiB"``, ``"16.0 MiB"``; empty when the size is unknown."""
    if count is None:
        return ""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"  # pragma: no cover - loop always returns


def format_bytes(count: int) -> str:
    """A byte count (never unknown) in the one format."""
    return format_size(count)


def format_rate(bytes_per_second: float) -> str:
    return format_size(int(bytes_per_second)) + "/s"
