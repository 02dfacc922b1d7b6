"""The job's own copy of a project with its values applied: `edit_problems`, `write_rewritten`.

The template is only read; the copy is read back after saving and every value checked, so
a value the writer silently dropped fails the job instead of rendering the template's.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from render_manager.projects.edits import Edit, FootageEdit, RewriteFailed, TextEdit
from render_manager.projects.errors import ProjectUnreadable
from render_manager.projects.model import Layer, LayerType, ProjectInfo
from render_manager.projects.reader import read_project


def edit_problems(info: ProjectInfo, edits: Sequence[tuple[str, Edit]]) -> list[str]:
    """Why each `(where, edit)` cannot be applied to the project `info` describes."""
    problems = []
    for where, edit in edits:
        layers = _layers(info, edit.composition)
        wanted = LayerType.TEXT if isinstance(edit, TextEdit) else LayerType.FOOTAGE
        if any(layer.name == edit.layer and layer.type is wanted for layer in layers):
            continue
        names = sorted({layer.name for layer in layers if layer.type is wanted})
        closest = difflib.get_close_matches(edit.layer, names, n=3, cutoff=0.5)
        hint = f"; closest: {', '.join(closest)}" if closest else ""
        where_comp = f" in {edit.composition!r}" if edit.composition else ""
        problems.append(f"{where}: no {wanted.value} layer named {edit.layer!r}{where_comp}{hint}")
    return problems


def write_rewritten(template: Path, dest: Path, edits: Sequence[Edit]) -> None:
    """Write `dest`, a copy of `template` with `edits` applied, and check it read back.

    Raises `RewriteFailed` with the reason; `template` is never written.
    """
    from render_manager.projects import _from_py_aep  # noqa: PLC0415 (py-aep loads slowly)

    try:
        edited = _from_py_aep.apply_edits(template, dest, edits)
    except RewriteFailed:
        raise
    except Exception as exc:
        raise RewriteFailed(f"{type(exc).__name__}: {exc}") from exc
    try:
        info = read_project(dest)
    except ProjectUnreadable as exc:
        raise RewriteFailed(f"the rewritten project cannot be read back: {exc.reason}") from exc
    layers = {
        (comp.name, layer.index): layer for comp in info.compositions for layer in comp.layers
    }
    for changed in edited:
        _check_landed(layers.get((changed.composition, changed.index)), changed.edit)


def _check_landed(layer: Layer | None, edit: Edit) -> None:
    """Raise `RewriteFailed` unless the layer read back shows the edit's value."""
    if isinstance(edit, TextEdit):
        if layer is None or layer.text != edit.text:
            raise RewriteFailed(f"the text of layer {edit.layer!r} did not change to {edit.text!r}")
    elif isinstance(edit, FootageEdit) and (
        layer is None or layer.footage is None or Path(layer.footage) != edit.file
    ):
        raise RewriteFailed(f"the footage of layer {edit.layer!r} was not replaced by {edit.file}")


def _layers(info: ProjectInfo, composition: str | None) -> list[Layer]:
    return [
        layer
        for comp in info.compositions
        if composition is None or comp.name == composition
        for layer in comp.layers
    ]
