"""Byte counts and rates as people read them; shared by the ladder, the CLI's progress
line and its summaries. A module of its own so a plain ``get`` can print a size without
loading the ladder model."""

from __future__ import annotations

__all__ = ["format_bytes", "format_rate"]


def format_bytes(count: int) -> str:
    """Exact below 10 kB (people compare listing sizes byte for byte), then kB/MB/GB."""
    if count < 10_000:
        return f"{count} B"
    value = float(count)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000.0
        if value < 1000 or unit == "TB":
            return f"{value:.1f} {unit}"
    return f"{count} B"  # pragma: no cover - loop always returns


def format_rate(bytes_per_second: float) -> str:
    return format_bytes(int(bytes_per_second)) + "/s"
