"""What each data column of a local batch drives in the project: a text layer's Source Text,
a footage layer's file, or a layer property.

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

from render_manager.projects import Composition, LayerType, ProjectInfo

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


_HINTS = {
    TargetKind.TEXT: "text",
    TargetKind.FOOTAGE: "a file or an http(s) URL",
    TargetKind.COLOR: "#RRGGBB",
    TargetKind.NUMBER: "a number",
    TargetKind.CHECKBOX: "0 or 1",
    TargetKind.POINT: "x,y",
}


@dataclass(frozen=True, slots=True)
class Target:
    """One thing of a composition a column can drive.

    `property_path` is the nexrender property path ("Source Text", "Effects.Brand Color.Color");
    None for a footage layer, whose file is replaced. `media` is nexrender's footage asset
    type (image, video or audio).
    """

    composition: str
    layer: str
    kind: TargetKind
    property_path: str | None = None
    media: str = "image"

    @property
    def label(self) -> str:
        """How the picker shows it: "Title ▸ Source Text", "logo.png ▸ footage"."""
        path = self.property_path
        what = "footage" if path is None else path.replace(".", _SEP)
        return f"{self.layer}{_SEP}{what}"

    @property
    def hint(self) -> str:
        """The values it takes, in words ("#RRGGBB", "a file or an http(s) URL")."""
        return _HINTS[self.kind]

    def asset(self, column: str) -> dict[str, Any]:
        """The nexrender asset that sets this target from `column` of each row."""
        value = "{{" + column + "}}"
        if self.property_path is None:
            return {
                "type": self.media,
                "layerName": self.layer,
                "src": value,
                "composition": self.composition,
            }
        return {
            "type": "data",
            "layerName": self.layer,
            "property": self.property_path,
            "value": value,
            "composition": self.composition,
        }


def compositions_to_map(info: ProjectInfo, composition: str) -> list[Composition]:
    """The compositions whose layers are offered: the one named, else every one (a name
    that is a `{{column}}`, or not in the project, leaves the choice open)."""
    found = info.composition(composition)
    return [found] if found is not None else list(info.compositions)


def targets(info: ProjectInfo, composition: str) -> list[Target]:
    """Every target of the composition named (of every composition when it is not one of
    the project's), top layer first: Source Text of text layers, the file of footage
    layers, then each layer's settable properties."""
    found: list[Target] = []
    for comp in compositions_to_map(info, composition):
        for layer in comp.layers:
            if layer.type is LayerType.TEXT:
                found.append(Target(comp.name, layer.name, TargetKind.TEXT, "Source Text"))
            elif layer.type is LayerType.FOOTAGE:
                media = _media(layer.footage)
                found.append(Target(comp.name, layer.name, TargetKind.FOOTAGE, media=media))
    return found


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
    extension: "logo" for "logo.png"), its text or its footage; each target once."""
    by_layer: dict[str, Target] = {}
    by_key: dict[str, Target] = {}
    for target in offered:
        if target.kind in (TargetKind.TEXT, TargetKind.FOOTAGE):
            by_layer.setdefault(target.layer, target)
            by_key.setdefault(_key(target.layer), target)
    for target in offered:
        if target.kind is TargetKind.FOOTAGE:
            by_key.setdefault(_key(PurePath(target.layer).stem), target)
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
    keys = ("type", "layerName", "property", "value", "src")
    return all(asset.get(k) == other.get(k) for k in keys)


def placeholder_columns(choices: Iterable[str]) -> dict[str, str]:
    """The placeholder each mapped column's asset uses, to the column it reads."""
    return {column.strip(): column for column in choices}
