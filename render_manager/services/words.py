"""Counts in words, singular or plural as the number needs: "1 row", "2 rows"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and the noun that goes with it, with thousands separators ("1,200 jobs")."""
    word = noun if count == 1 else (plural or f"{noun}s")
    return f"{count:,} {word}"
