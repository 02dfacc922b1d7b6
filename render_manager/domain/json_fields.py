"""Reading one JSON object field by field, recording each problem with its location.

The getters never raise: a job document's every problem is reported at once, each with a
JSON-path-like location such as ``assets[2].layerName``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Protocol
from urllib.parse import urlsplit

from render_manager.domain.local_job import url_scheme

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

MISSING = object()
"""What `Fields.raw` returns for an absent key (None means the key holds null)."""


class ErrorSink(Protocol):
    """Where problems go."""

    def error(self, path: str, message: str) -> None:
        """Record a problem at a location."""


class Fields:
    """One JSON object being read: typed getters that record problems instead of raising."""

    def __init__(
        self, parser: ErrorSink, path: str, data: Mapping[str, object], known: tuple[str, ...]
    ) -> None:
        self._parser = parser
        self._path = path
        self._data = data
        folded = {key.lower(): key for key in known}
        for key in data:
            expected = folded.get(str(key).lower())
            if expected is not None and key != expected:
                parser.error(join_path(path, str(key)), f"unknown key; did you mean {expected!r}?")

    def present(self, key: str) -> bool:
        return self._data.get(key) is not None

    def raw(self, key: str) -> object:
        return self._data.get(key, MISSING)

    def path(self, key: str) -> str:
        return join_path(self._path, key)

    def _get(self, key: str, check: Callable[[object], str | None], required: str | None) -> object:
        value = self._data.get(key)
        if value is None:
            if required is not None:
                self._parser.error(self.path(key), required)
            return None
        problem = check(value)
        if problem is not None:
            self._parser.error(self.path(key), problem)
            return None
        return value

    def text(
        self, key: str, *, required: str | None = None, allow_empty: bool = False
    ) -> str | None:
        def check(value: object) -> str | None:
            if not isinstance(value, str):
                return f"must be a string, not {describe(value)}"
            if not allow_empty and not value.strip():
                return "must not be empty"
            return None

        value = self._get(key, check, required)
        return value if isinstance(value, str) else None

    def integer(self, key: str, *, minimum: int | None = None, label: str = "") -> int | None:
        def check(value: object) -> str | None:
            if isinstance(value, bool) or not isinstance(value, int):
                hint = ""
                if isinstance(value, str) and value.strip().isdigit():
                    hint = f" (write {value.strip()} without quotes)"
                return f"must be a whole number{label}, not {describe(value)}{hint}"
            if minimum is not None and value < minimum:
                return f"must be {minimum} or more{label}, not {value}"
            return None

        value = self._get(key, check, None)
        return value if isinstance(value, int) else None

    def boolean(self, key: str) -> bool:
        def check(value: object) -> str | None:
            if not isinstance(value, bool):
                return f"must be true or false, not {describe(value)}"
            return None

        return bool(self._get(key, check, None))

    def src(self, key: str, *, required: str) -> str | None:
        value = self._get(key, src_problem, required)
        return value if isinstance(value, str) else None


def src_problem(value: object) -> str | None:
    """Why a value is not a source local jobs can stage (a path or http(s)/file URL)."""
    if not isinstance(value, str):
        return f"must be a file path or an http(s)/file URL, not {describe(value)}"
    if not value.strip():
        return "must not be empty"
    if "\0" in value:
        return "must not contain a NUL character"
    try:
        parts = urlsplit(value)
        scheme = url_scheme(value)
    except ValueError:
        return f"{value!r} is not a valid URL"
    if scheme in ("http", "https"):
        return None if parts.hostname else f"{value!r} has no host"
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            return f"{value!r} names a remote host; use file:///path or a plain path"
        return None if parts.path else f"{value!r} has no path"
    if scheme:
        return (
            f"{value!r} uses {scheme}://, which local jobs cannot fetch "
            "(use a file path, a file:// URL or an http(s):// URL)"
        )
    return None


def describe(value: object) -> str:
    """A JSON value in words, for error messages."""
    match value:
        case None:
            return "null"
        case bool():
            return "a boolean"
        case int() | float():
            return f"the number {value}"
        case str():
            return f"the string {value!r}" if len(value) <= 40 else "a string"
        case list():
            return "a list"
        case Mapping():
            return "an object"
    return type(value).__name__


def join_path(path: str, key: str) -> str:
    """The location of `key` inside the object at `path`."""
    step = key if _IDENTIFIER.fullmatch(key) else f"[{key!r}]"
    if not path:
        return step
    return f"{path}.{step}" if not step.startswith("[") else f"{path}{step}"
