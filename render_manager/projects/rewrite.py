"""The job's own copy of a project with its values applied: `edit_problems`, `write_rewritten`.

The template is only read; the copy is read back after saving and every value checked, so
a value the writer silently dropped fails the job instead of rendering the template's.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from render_manager.projects.edits import (
    Edit,
    EditedItem,
    EditedLayer,
    FootageEdit,
    FootageItemEdit,
    LayerEdit,
    PropertyEdit,
    RewriteFailed,
    TextEdit,
    layer_words,
)
from render_manager.projects.model import Layer, LayerProperty, LayerType, ProjectInfo
from render_manager.projects.properties import find_property, kind_words, resolve_property
from render_manager.projects.values import parse_value, value_words

# Within this, a number read back is the number written (values are shown to 4 decimals).
TOLERANCE = 1e-3


@dataclass(frozen=True)
class EditProblems:
    """What stops edits: `errors` are wrong input (no such layer or property, a value of
    the wrong kind), refused whatever the route; `limits` are what a project rewrite
    cannot do (a keyframed property), which a script inside After Effects might."""

    errors: list[str] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)


def edit_problems(info: ProjectInfo, edits: Sequence[tuple[str, Edit]]) -> EditProblems:
    """Why each `(where, edit)` cannot be applied to the project `info` describes."""
    found = EditProblems()
    for where, edit in edits:
        if isinstance(edit, FootageItemEdit):
            names = sorted({f.name for f in info.footage})
            if edit.item not in names:
                found.errors.append(
                    f"{where}: no footage item named {edit.item!r} in the project"
                    f"{_closest(edit.item, names)}"
                )
            continue
        layers = _layers(info, edit.composition, edit.layer)
        in_comp = f" in {edit.composition!r}" if edit.composition else ""
        if isinstance(edit, PropertyEdit) and layers:
            _property_problems(where, edit, layers, in_comp, found)
            continue
        wanted = _LAYER_TYPE.get(type(edit))
        if any(wanted in (None, layer.type) for layer in layers):
            continue
        names = sorted(
            {la.name for la in _layers(info, edit.composition) if wanted in (None, la.type)}
        )
        kind = f"{wanted.value} layer" if wanted else "layer"
        found.errors.append(
            f"{where}: no {kind} {layer_words(edit.layer)}{in_comp}{_closest(edit.layer, names)}"
        )
    return found


# The kind of layer each edit needs; a property edit takes any layer that has the property.
_LAYER_TYPE: dict[type, LayerType] = {TextEdit: LayerType.TEXT, FootageEdit: LayerType.FOOTAGE}


def _property_problems(
    where: str, edit: PropertyEdit, layers: list[Layer], in_comp: str, found: EditProblems
) -> None:
    lookups = [resolve_property(layer, edit.path) for layer in layers]
    props = [lookup.prop for lookup in lookups if lookup.prop is not None]
    if not props:
        wrong = [lookup for lookup in lookups if not lookup.limit]
        if wrong:
            found.errors.append(f"{where}: {wrong[0].problem}")
        else:
            found.limits.append(f"{where}: {lookups[0].problem}")
        return
    prop = props[0]
    if parse_value(prop.kind, edit.value) is None:
        found.errors.append(
            f"{where}: {prop.dotted} takes {kind_words(prop)}; got {value_words(edit.value)}"
        )
    elif animated := next((p for p in props if p.keyframed or p.expression), None):
        how = "is keyframed" if animated.keyframed else "has an expression"
        found.limits.append(
            f"{where}: {animated.dotted} of layer {layer_words(edit.layer)}{in_comp} {how}; "
            "a project rewrite sets only a static value"
        )


def _closest(layer: str | int, names: list[str]) -> str:
    if isinstance(layer, int):
        return ""
    closest = difflib.get_close_matches(layer, names, n=3, cutoff=0.5)
    return f"; closest: {', '.join(closest)}" if closest else ""


def write_rewritten(template: Path, dest: Path, edits: Sequence[Edit]) -> None:
    """Write `dest`, a copy of `template` with `edits` applied, and check it read back.

    Raises `RewriteFailed` with the reason; `template` is never written. The copy is
    written beside `dest` and moved there once checked: a job run again replaces its old
    copy, and a copy that failed its check is never left where aerender would find it.
    """
    from render_manager.projects import _from_py_aep  # noqa: PLC0415 (py-aep loads slowly)

    partial = dest.with_name(f"{dest.stem}.part{dest.suffix}")
    partial.unlink(missing_ok=True)  # py-aep refuses to save over a file
    try:
        try:
            edited = _from_py_aep.apply_edits(template, partial, edits)
        except RewriteFailed:
            raise
        except Exception as exc:
            raise RewriteFailed(f"{type(exc).__name__}: {exc}") from exc
        check_landed(partial, edited)
        partial.replace(dest)
    finally:
        partial.unlink(missing_ok=True)


def check_landed(dest: Path, edited: Sequence[EditedLayer | EditedItem]) -> None:
    """Read `dest` back; raise `RewriteFailed` unless every edited layer shows its value
    and every replaced footage item its new file.

    Only the edited layers and items are read (a full `read_project` reads every layer's
    properties and fonts): this check runs once per version.
    """
    from render_manager.projects import _from_py_aep  # noqa: PLC0415 (py-aep loads slowly)

    changed_layers = [c for c in edited if isinstance(c, EditedLayer)]
    changed_items = [c for c in edited if isinstance(c, EditedItem)]
    places = [(c.composition, c.index, isinstance(c.edit, PropertyEdit)) for c in changed_layers]
    try:
        layers, files = _from_py_aep.read_back(dest, places, [c.item_id for c in changed_items])
    except Exception as exc:  # any parser failure: the copy is not a project we can trust
        raise RewriteFailed(
            f"the rewritten project cannot be read back: {type(exc).__name__}: {exc}"
        ) from exc
    for changed in changed_layers:
        _check_landed(layers.get((changed.composition, changed.index)), changed.edit)
    for item in changed_items:
        file = files.get(item.item_id)
        if file is None or Path(file) != item.edit.file:
            raise RewriteFailed(
                f"the footage item {item.edit.item!r} was not replaced by {item.edit.file}"
            )


def _check_landed(layer: Layer | None, edit: LayerEdit) -> None:
    """Raise `RewriteFailed` unless the layer read back shows the edit's value."""
    where = f"layer {layer_words(edit.layer)}"
    if isinstance(edit, TextEdit):
        if layer is None or layer.text != edit.text:
            raise RewriteFailed(f"the text of {where} did not change to {edit.text!r}")
    elif isinstance(edit, FootageEdit):
        if layer is None or layer.footage is None or Path(layer.footage) != edit.file:
            raise RewriteFailed(f"the footage of {where} was not replaced by {edit.file}")
    else:
        prop = find_property(layer, edit.path) if layer is not None else None
        if prop is None or not _same_value(prop, edit):
            shown = prop.value if prop is not None else "nothing"
            raise RewriteFailed(
                f"{'.'.join(edit.path)} of {where} did not change to "
                f"{value_words(edit.value)} (read back: {shown})"
            )


def _same_value(prop: LayerProperty, edit: PropertyEdit) -> bool:
    wanted = parse_value(prop.kind, edit.value)
    got = parse_value(prop.kind, prop.value)
    if wanted is None or got is None:
        return False
    # A 2-D layer's point reads back as x,y: compare what both have.
    pairs = list(zip(wanted, got, strict=False))
    tolerance = 0.6 / 255 if prop.kind == "color" else TOLERANCE
    return len(pairs) == min(len(wanted), len(got)) and all(
        abs(a - b) <= tolerance for a, b in pairs
    )


def _layers(
    info: ProjectInfo, composition: str | None, layer: str | int | None = None
) -> list[Layer]:
    """The layers of `composition` (every one when None) that `layer` names (all when None)."""
    return [
        each
        for comp in info.compositions
        if composition is None or comp.name == composition
        for each in comp.layers
        if layer is None or (each.index if isinstance(layer, int) else each.name) == layer
    ]
