"""Finding a layer's property by the path a nexrender job or a user gives.

nexrender's `property` is a dotted path of names, as ExtendScript's `property(name)` takes
each step: the name After Effects shows or the match name, case-sensitive. A transform
property may be named alone ("Position" is "Transform.Position"), as ExtendScript finds
the Transform group's properties on the layer itself; "Rotation" is a 3-D layer's
"Z Rotation" too, as in ExtendScript.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from render_manager.projects.model import Layer, LayerProperty, PropertyKind

_TRANSFORM = ("Transform", "ADBE Transform Group")


def split_path(path: str | Sequence[str]) -> tuple[str, ...]:
    """A dotted property path ("Effects.Brand Color.Color") as its steps."""
    steps = path.split(".") if isinstance(path, str) else list(path)
    return tuple(step.strip() for step in steps)


def find_property(layer: Layer, path: str | Sequence[str]) -> LayerProperty | None:
    """The settable property of `layer` at `path`, or None (the first one, as AE finds)."""
    index = find_in(layer.properties, path)
    return None if index is None else layer.properties[index]


def find_in(properties: Sequence[LayerProperty], path: str | Sequence[str]) -> int | None:
    """The index in `properties` of the one at `path`, or None."""
    steps = split_path(path)
    for candidate in (steps, (_TRANSFORM[0], *steps)) if len(steps) == 1 else (steps,):
        for index, prop in enumerate(properties):
            if _matches(prop, candidate):
                return index
    return None


@dataclass(frozen=True, slots=True)
class PropertyLookup:
    """What `resolve_property` found: the property, or why not (`problem`).

    A `limit` problem names a property the layer may well have but a project rewrite does
    not set (a mask path, an effect's gradient): a script inside After Effects might. Any
    other problem is wrong input: the layer has no such effect or transform property.
    """

    prop: LayerProperty | None
    problem: str = ""
    limit: bool = False


# Every property of After Effects' Transform group, by the names it shows.
TRANSFORM_NAMES = frozenset(
    {
        "Anchor Point",
        "Position",
        "X Position",
        "Y Position",
        "Z Position",
        "Scale",
        "Orientation",
        "X Rotation",
        "Y Rotation",
        "Rotation",
        "Z Rotation",
        "Opacity",
        "Point of Interest",
    }
)
_EFFECTS = ("Effects", "ADBE Effect Parade")
_NOT_SET = "is not a value a project rewrite sets"


def resolve_property(layer: Layer, path: str | Sequence[str]) -> PropertyLookup:
    """The property at `path`, or a problem naming the closest names the layer has."""
    found = find_property(layer, path)
    if found is not None:
        return PropertyLookup(found)
    steps = split_path(path)
    dotted = ".".join(steps)
    if steps[0] in _EFFECTS and len(steps) >= 2:
        effect = steps[1]
        if effect.startswith("ADBE ") or dotted in layer.other_effect_properties:
            return PropertyLookup(
                None, f"{dotted} {_NOT_SET} (it sets colours, numbers, checkboxes, points)", True
            )
        if effect not in layer.effects:
            hint = _hint(effect, list(layer.effects), "it has no effects")
            return PropertyLookup(None, f"layer {layer.name!r} has no effect {effect!r}{hint}")
        prefix = f"Effects.{effect}."
        names = [p.dotted for p in layer.properties if p.dotted.startswith(prefix)]
        names += [p for p in layer.other_effect_properties if p.startswith(prefix)]
        hint = _hint(dotted, names, "it has no properties")
        return PropertyLookup(None, f"layer {layer.name!r} has no property {dotted!r}{hint}")
    if steps[0] in _TRANSFORM or len(steps) == 1:
        if len(steps) <= 2 and steps[-1] in TRANSFORM_NAMES:
            return PropertyLookup(None, f"{dotted} {_NOT_SET}", True)
        names = [prop.dotted for prop in layer.properties]
        hint = _hint(dotted, names, "it has no settable property")
        return PropertyLookup(None, f"layer {layer.name!r} has no property {dotted!r}{hint}")
    return PropertyLookup(
        None, f"{dotted} {_NOT_SET} (it sets Source Text, transforms and effect values)", True
    )


def _hint(name: str, names: list[str], empty: str) -> str:
    closest = difflib.get_close_matches(name, names, n=3, cutoff=0.5) or names[:3]
    return f"; closest: {', '.join(closest)}" if closest else f"; {empty}"


def kind_words(prop: LayerProperty) -> str:
    """What the property takes, in words: "a colour #RRGGBB", "a point x,y"."""
    if prop.kind is PropertyKind.COLOR:
        return "a colour #RRGGBB"
    if prop.kind is PropertyKind.CHECKBOX:
        return "a checkbox value (true, false, 1 or 0)"
    if prop.kind is PropertyKind.NUMBER:
        return "a number"
    return "a point " + ",".join("xyz"[: prop.dimensions])


def _matches(prop: LayerProperty, steps: tuple[str, ...]) -> bool:
    if len(steps) != len(prop.path):
        return False
    match_path = prop.match_path or prop.path
    pairs = zip(steps, prop.path, match_path, strict=True)
    return all(
        step in (name, match) or (step == "Rotation" and match == "ADBE Rotate Z")
        for step, name, match in pairs
    )
