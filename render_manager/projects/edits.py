"""The changes a job makes to its own copy of a project, as plain values.

A layer is named (`str`) or given by its 1-based index (`int`), as nexrender's
`layerName` / `layerIndex`; `composition` is the composition that holds it (the last name
of nexrender's `A->B` nesting), None for every composition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from render_manager.domain.local_job import JsonValue

LayerRef: TypeAlias = str | int


def layer_words(layer: LayerRef) -> str:
    """The layer as a message names it: "named 'Title'" or "at index 3"."""
    return f"at index {layer}" if isinstance(layer, int) else f"named {layer!r}"


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Set the Source Text of the text layers `layer` names (in `composition`, else all)."""

    layer: LayerRef
    text: str
    composition: str | None = None


@dataclass(frozen=True, slots=True)
class FootageEdit:
    """Replace the file of the footage shown by the layers `layer` names with `file`."""

    layer: LayerRef
    file: Path
    composition: str | None = None


@dataclass(frozen=True, slots=True)
class PropertyEdit:
    """Set a transform or effect property (`path`, nexrender's keypath split in steps) of
    the layers `layer` names to `value`, the job's JSON value as given ("#FF0000",
    [1, 0, 0], 50, true, "960,540"): it is parsed against the kind the property takes."""

    layer: LayerRef
    path: tuple[str, ...]
    value: JsonValue = field(hash=False)
    composition: str | None = None


@dataclass(frozen=True, slots=True)
class FootageItemEdit:
    """Replace the file of the project's footage items named `item` with `file`: every
    layer that shows one, in every composition, shows the new file."""

    item: str
    file: Path


Edit: TypeAlias = TextEdit | FootageEdit | PropertyEdit | FootageItemEdit
LayerEdit: TypeAlias = TextEdit | FootageEdit | PropertyEdit


@dataclass(frozen=True, slots=True)
class EditedLayer:
    """A layer an edit changed: its composition's name and its 1-based index there."""

    composition: str
    index: int
    edit: LayerEdit


@dataclass(frozen=True, slots=True)
class EditedItem:
    """A footage item an edit changed, by its id (a replaced item may take a new name)."""

    item_id: int
    edit: FootageItemEdit


class RewriteFailed(Exception):
    """The job's copy of the project could not be written, or a value did not land."""
