"""What each data column of a local batch drives in the project: a text layer's Source Text,
a footage layer's file, a footage item's file (every layer showing it follows), or a layer
property.

The batch dialog reads the project, offers the `targets` of a composition, guesses a target
for each column (`auto_targets`) and adds one nexrender asset per mapped column to the job
template (`with_mapped_assets`). The assets take the row's value through a `{{column}}`
placeholder, so the preview, the local validator and the engine's project rewrite treat
them as they treat any hand-written asset. Everything here is pure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from render_manager.projects import (
    Composition,
    Footage,
    Layer,
    LayerProperty,
    LayerType,
    ProjectInfo,
)
from render_manager.projects.properties import kind_words

_SEP = " ▸ "
_VIDEO = {".mov", ".mp4", ".m4v", ".avi", ".mkv", ".webm", ".mxf", ".mpg", ".mpeg", ".wmv"}
_AUDIO = {".wav", ".mp3", ".aif", ".aiff", ".m4a", ".aac", ".ogg", ".flac"}


class TargetKind(StrEnum):
    """What a column's value becomes, and so which values it takes."""

    TEXT = "text"
    FOOTAGE = "footage"
    COLOR = "color"
    NUMBER = "number"
    CHECKBOX = "checkbox"
    POINT = "point"


PROJECT_PANEL = "Project panel"
"""How a footage item's label starts: it is the project's, not a layer of a composition."""
_TEXT_TAKES = "text"
_FOOTAGE_TAKES = "a file or an http(s) URL"


@dataclass(frozen=True, slots=True)
class Target:
    """One thing of a composition a column can drive.

    `property_path` is the nexrender property path ("Source Text", "Effects.Brand Color.Color");
    None for a footage layer, whose file is replaced. `footage_item` marks a footage item of
    the project panel: `layer` is then the item's name, `composition` empty, and the asset
    names it with ``"footage"`` (every layer showing the item follows). `media` is
    nexrender's footage asset type (image, video or audio); `takes` the values it takes,
    in words ("a colour #RRGGBB"); `current` its value in the project (the text, the
    file, "#FF0000"). `composition` is
    nexrender's: "Main", or "Main->Lower Third" for a layer inside a precomp of Main; `where`
    names the composition in the label when the one rendered is not the layer's own.
    """

    composition: str
    layer: str
    kind: TargetKind
    property_path: str | None = None
    media: str = "image"
    takes: str = _TEXT_TAKES
    current: str = ""
    where: str = ""
    footage_item: bool = False

    @property
    def label(self) -> str:
        """How the picker shows it: "Title ▸ Source Text", "Bar ▸ footage — in Lower Third",
        "Project panel ▸ logo.png" for a footage item."""
        if self.footage_item:
            return f"{PROJECT_PANEL}{_SEP}{self.layer}"
        path = self.property_path
        what = "footage" if path is None else path.replace(".", _SEP)
        where = f" — in {self.where}" if self.where else ""
        return f"{self.layer}{_SEP}{what}{where}"

    def asset(self, column: str) -> dict[str, Any]:
        """The nexrender asset that sets this target from `column` of each row."""
        # Every value is a string as the data file holds it ("#FF8000", "10", "960,540"): the
        # validator says per row when one is not of the property's kind.
        value = "{{" + column + "}}"
        asset: dict[str, Any]
        if self.footage_item:
            return {"type": self.media, "footage": self.layer, "src": value}
        if self.property_path is None:
            asset = {"type": self.media, "layerName": self.layer, "src": value}
        else:
            asset = {
                "type": "data",
                "layerName": self.layer,
                "property": self.property_path,
                "value": value,
            }
        if self.composition:
            asset["composition"] = self.composition
        return asset


def compositions_to_map(info: ProjectInfo, composition: str) -> list[Composition]:
    """The compositions whose layers are offered: the one named, else every one (a name
    that is a `{{column}}`, or not in the project, leaves the choice open)."""
    found = info.composition(composition)
    return [found] if found is not None else list(info.compositions)


def targets(info: ProjectInfo, composition: str) -> list[Target]:
    """Every target of the composition named and of the precomps inside it (of every
    composition when the name is not one of the project's): first the Source Text of text
    layers and the file of footage layers, then the effect properties, then the transform
    properties; top layer first in each, a precomp's layers after its composition's."""
    found = info.composition(composition)
    if found is not None:
        places = _nested(info, found)
    else:
        places = [(comp.name, comp.name, comp) for comp in info.compositions]
    layers = [(path, where, layer) for path, where, comp in places for layer in comp.layers]
    offered = [t for p, w, layer in layers if (t := _content_target(p, w, layer)) is not None]
    offered += [_item_target(footage) for footage in info.footage]
    for transform in (False, True):
        for path, where, layer in layers:
            offered += [
                _property_target(path, where, layer, prop)
                for prop in layer.properties
                if (prop.path[:1] == ("Transform",)) is transform
            ]
    return offered


def _nested(info: ProjectInfo, top: Composition) -> list[tuple[str, str, Composition]]:
    """`top` and the compositions its precomp layers show, at any depth, each once:
    (nexrender's composition path "Main->Lower Third", the name shown, the composition)."""
    places = [(top.name, "", top)]
    seen = {top.name}
    for path, _where, comp in places:  # grows while it is walked: breadth first
        for layer in comp.layers:
            inner = info.composition(layer.precomp) if layer.precomp else None
            if inner is not None and inner.name not in seen:
                seen.add(inner.name)
                places.append((f"{path}->{inner.name}", inner.name, inner))
    return places


def _content_target(composition: str, where: str, layer: Layer) -> Target | None:
    if layer.type is LayerType.TEXT:
        text = layer.text or ""
        return Target(
            composition, layer.name, TargetKind.TEXT, "Source Text", current=text, where=where
        )
    if layer.type is LayerType.FOOTAGE:
        return Target(
            composition,
            layer.name,
            TargetKind.FOOTAGE,
            media=_media(layer.footage),
            takes=_FOOTAGE_TAKES,
            current=layer.footage or "",
            where=where,
        )
    return None


def _item_target(footage: Footage) -> Target:
    return Target(
        "",
        footage.name,
        TargetKind.FOOTAGE,
        media=_media(footage.file or footage.name),
        takes=_FOOTAGE_TAKES,
        current=footage.file or "a placeholder",
        footage_item=True,
    )


def _property_target(composition: str, where: str, layer: Layer, prop: LayerProperty) -> Target:
    takes = kind_words(prop)
    if prop.keyframed:
        takes += " (keyframed: a set value would not render)"
    elif prop.expression:
        takes += " (an expression computes it)"
    kind = TargetKind(prop.kind.value)
    return Target(
        composition, layer.name, kind, prop.dotted, takes=takes, current=prop.value, where=where
    )


def _media(file: str | None) -> str:
    suffix = PurePath(file or "").suffix.lower()
    if suffix in _VIDEO:
        return "video"
    if suffix in _AUDIO:
        return "audio"
    return "image"


def _key(name: str) -> str:
    return re.sub(r"[\s_-]+", "", name).casefold()


def mappable(column: str) -> bool:
    """Whether a column can fill a placeholder (braces would end it early)."""
    return bool(column.strip()) and "{" not in column and "}" not in column


def auto_targets(columns: Sequence[str], offered: Sequence[Target]) -> dict[str, Target]:
    """The target each column drives when its name says so: the layer of that name (exactly,
    else but for case, spaces, '-' and '_'; a footage layer's name also without its file
    extension: "logo" for "logo.png"), its text or its footage, else a footage item of that
    name (the same way), else a one-property effect of that name ("Brand Color"); each
    target once, the first offered when several are."""
    by_layer: dict[str, Target] = {}
    by_key: dict[str, Target] = {}
    # Layers before footage items of the same name: replacing a layer's footage is the
    # narrower change (an item's replacement shows wherever the item is used).
    for items in (False, True):
        group = [
            t
            for t in offered
            if t.footage_item is items and t.kind in (TargetKind.TEXT, TargetKind.FOOTAGE)
        ]
        for target in group:
            by_layer.setdefault(target.layer, target)
            by_key.setdefault(_key(target.layer), target)
        for target in group:
            if target.kind is TargetKind.FOOTAGE:
                by_key.setdefault(_key(PurePath(target.layer).stem), target)
    # An effect of one property ("Brand Color", a Color Control) named alone: the only one
    # of that name in the composition rendered, else in it and its precomps.
    effects: dict[str, list[Target]] = {}
    for target in offered:
        steps = (target.property_path or "").split(".")
        if len(steps) == 3 and steps[0] == "Effects":
            effects.setdefault(_key(steps[1]), []).append(target)
    for key, found in effects.items():
        top = [t for t in found if not t.where]
        if len(top) == 1 or len(found) == 1:
            by_key.setdefault(key, top[0] if len(top) == 1 else found[0])
    chosen: dict[str, Target] = {}
    for column in columns:
        if not mappable(column):
            continue
        match = by_layer.get(column) or by_key.get(_key(column))
        if match is not None and match not in chosen.values():
            chosen[column] = match
    return chosen


class MappingError(ValueError):
    """The mapped assets cannot be added to the job template as it stands."""


def with_mapped_assets(template: str, choices: Mapping[str, Target]) -> str:
    """The job template with one asset per mapped column appended to its `assets`.

    An asset the template already has (the same layer, property and placeholder) is not
    added twice. Raises `MappingError` when the template is not a JSON object.
    """
    if not choices:
        return template
    try:
        body = json.loads(template)
    except json.JSONDecodeError as exc:
        raise MappingError(
            f"the job template is not JSON ({exc.msg} at line {exc.lineno}), so the mapped "
            "columns cannot be added to it: fix it on the first page"
        ) from None
    if not isinstance(body, dict):
        raise MappingError("the job template must be a JSON object to take mapped columns")
    assets = body.get("assets")
    if assets is None:
        assets = body["assets"] = []
    if not isinstance(assets, list):
        raise MappingError("the job template's assets must be a list to take mapped columns")
    for column, target in choices.items():
        asset = target.asset(column)
        if not any(_same(asset, other) for other in assets):
            assets.append(asset)
    return json.dumps(body, indent=2, ensure_ascii=False)


def _same(asset: Mapping[str, Any], other: object) -> bool:
    if not isinstance(other, dict):
        return False
    keys = ("type", "footage", "layerName", "property", "value", "src")
    return all(asset.get(k) == other.get(k) for k in keys)


def asset_columns(template: str, choices: Mapping[str, Target]) -> dict[int, str]:
    """The column each asset of a (mapped) template takes its value from, by position."""
    try:
        body = json.loads(template)
    except json.JSONDecodeError:
        return {}
    assets = body.get("assets") if isinstance(body, dict) else None
    wanted = [(column, target.asset(column)) for column, target in choices.items()]
    found: dict[int, str] = {}
    for index, asset in enumerate(assets if isinstance(assets, list) else []):
        column = next((c for c, a in wanted if _same(a, asset)), None)
        if column is not None:
            found[index] = column
    return found


# An asset's place in a problem, with the field path after it: "assets[2].src".
_ASSET_PLACE = re.compile(r"\bassets\[(\d+)\][\w.]*")


def name_columns(problem: str, columns: Mapping[int, str]) -> str:
    """A row's problem with each mapped asset named by its column too:
    "assets[2].src: ..." reads "column 'logo' (assets[2].src): ..."."""

    def named(match: re.Match[str]) -> str:
        column = columns.get(int(match.group(1)))
        return match.group(0) if column is None else f"column {column!r} ({match.group(0)})"

    return _ASSET_PLACE.sub(named, problem)


def placeholder_columns(choices: Iterable[str]) -> dict[str, str]:
    """The placeholder each mapped column's asset uses, to the column it reads."""
    return {column.strip(): column for column in choices}
