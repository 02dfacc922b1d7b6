"""Finding a layer's property by the path a nexrender job or a user gives.

nexrender's `property` is a dotted path of names, as ExtendScript's `property(name)` takes
each step: the name After Effects shows or the match name, case-sensitive. A transform
property may be named alone ("Position" is "Transform.Position"), as ExtendScript finds
the Transform group's properties on the layer itself.
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
    """What `resolve_property` found: the property, or why not (`problem`)."""

    prop: LayerProperty | None
    problem: str = ""


def resolve_property(layer: Layer, path: str | Sequence[str]) -> PropertyLookup:
    """The property at `path`, or a problem naming the closest paths the layer has."""
    found = find_property(layer, path)
    if found is not None:
        return PropertyLookup(found)
    dotted = ".".join(split_path(path))
    names = [prop.dotted for prop in layer.properties]
    closest = difflib.get_close_matches(dotted, names, n=3, cutoff=0.5)
    if not closest and names:
        closest = names[:3]
    hint = f"; closest: {', '.join(closest)}" if closest else "; it has no settable property"
    return PropertyLookup(None, f"layer {layer.name!r} has no property {dotted!r}{hint}")


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
    return all(step in (name, match) for step, name, match in pairs)
