"""Property values as users type them, and back: "#RRGGBB", "50", "1", "960,540".

Pure functions over plain values (no parser object): the reader formats what it read,
the rewrite parses what a job asks for, and both agree on one spelling.
"""

from __future__ import annotations

from collections.abc import Sequence

from render_manager.projects.model import PropertyKind


def format_number(number: float) -> str:
    """A number as a user types it: 100.0 is "100", 0.25 is "0.25" (4 decimals at most)."""
    text = f"{number:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_color(rgb: Sequence[float]) -> str:
    """Floats 0-1 (After Effects' colours; alpha ignored) as "#RRGGBB"."""
    channels = [min(255, max(0, round(float(c) * 255))) for c in rgb[:3]]
    return "#" + "".join(f"{c:02X}" for c in channels)


def format_value(kind: PropertyKind, value: object, dimensions: int) -> str | None:
    """A stored property value as text, or None when it is not the kind's shape."""
    if kind is PropertyKind.COLOR:
        numbers = _numbers(value)
        return format_color(numbers) if numbers and len(numbers) >= 3 else None
    if kind in (PropertyKind.NUMBER, PropertyKind.CHECKBOX):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return format_number(float(value))
    numbers = _numbers(value)
    if not numbers or len(numbers) < dimensions:
        return None
    return ",".join(format_number(n) for n in numbers[:dimensions])


def _numbers(value: object) -> list[float] | None:
    if not isinstance(value, list | tuple):
        return None
    if not all(isinstance(n, int | float) and not isinstance(n, bool) for n in value):
        return None
    return [float(n) for n in value]
