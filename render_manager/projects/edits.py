"""The changes a job makes to its own copy of a project, as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Set the Source Text of the text layers named `layer` (in `composition`, else all)."""

    layer: str
    text: str
    composition: str | None = None


@dataclass(frozen=True, slots=True)
class FootageEdit:
    """Replace the file of the footage shown by the layers named `layer` with `file`."""

    layer: str
    file: Path
    composition: str | None = None


Edit: TypeAlias = TextEdit | FootageEdit


@dataclass(frozen=True, slots=True)
class EditedLayer:
    """A layer an edit changed: its composition's name and its 1-based index there."""

    composition: str
    index: int
    edit: Edit


class RewriteFailed(Exception):
    """The job's copy of the project could not be written, or a value did not land."""
