"""Property values as users type them, and back: "#RRGGBB", "50", "1", "960,540".

Pure functions over plain values (no parser object): the reader formats what it read,
the rewrite parses what a job asks for, and both agree on one spelling.
"""

from __future__ import annotations

import json
import math
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


_TRUE = ("true", "1", "on", "yes")
_FALSE = ("false", "0", "off", "no")


def parse_value(kind: PropertyKind, value: object) -> tuple[float, ...] | None:
    """A job's value for a property of `kind`, as numbers, or None when it is not one.

    COLOR takes "#RRGGBB" or [r, g, b(, a)] floats 0-1, as nexrender does (three numbers
    back); NUMBER a number or a numeric string; CHECKBOX true/false/1/0 (also as strings);
    POINT "x,y" / "x,y,z" or a list: two or three numbers for a point of either size (the
    z of a 2-D layer is kept but not shown, as After Effects does).
    """
    if kind is PropertyKind.COLOR:
        return _color(value)
    if kind is PropertyKind.CHECKBOX:
        return _checkbox(value)
    if kind is PropertyKind.NUMBER:
        number = _number(value)
        return None if number is None else (number,)
    parts: list[object] = []
    if isinstance(value, str):
        parts = list(value.split(","))
    elif isinstance(value, list):
        parts = list(value)
    numbers = [n for n in (_number(part) for part in parts) if n is not None]
    if len(numbers) != len(parts) or not 2 <= len(numbers) <= 3:
        return None
    return tuple(numbers)


def _color(value: object) -> tuple[float, ...] | None:
    if isinstance(value, str):
        text = value.strip()
        if len(text) != 7 or text[0] != "#":
            return None
        try:
            channels = [int(text[i : i + 2], 16) for i in (1, 3, 5)]
        except ValueError:
            return None
        return tuple(c / 255 for c in channels)
    numbers = _numbers(value)
    if numbers is None or len(numbers) not in (3, 4) or not all(0 <= n <= 1 for n in numbers):
        return None
    return tuple(numbers[:3])


def _checkbox(value: object) -> tuple[float, ...] | None:
    if isinstance(value, bool):
        return (1.0 if value else 0.0,)
    if isinstance(value, int | float) and value in (0, 1):
        return (float(value),)
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return (1.0 if value.strip().lower() in _TRUE else 0.0,)
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def value_words(value: object) -> str:
    """A job's value quoted in a message: '#GG0000', [1, 2], true."""
    return repr(value) if isinstance(value, str) else json.dumps(value)
