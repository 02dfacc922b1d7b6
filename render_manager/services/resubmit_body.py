"""A stored job body made editable again: its text-layer values become the form's values.

Edit and resubmit opens New render on the body a failed job was sent with. Its text-layer
assets (`"property": "Source Text"` with a plain string value) become `{{layer}}`
placeholders whose values the form shows, exactly as New render made them; everything
else in the body (other assets, actions, name, tags, output options) is kept as it was.
For a local job, the form's fields are laid over that body (`local_body_over`) rather than
written afresh, so changing the composition keeps what the form has no field for. Pure.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from render_manager.services.batch_data import local_template

_TEXT_KEYS = frozenset({"type", "layerName", "property", "value"})
_SOURCE_TEXT = "Source Text"


@dataclass(frozen=True, slots=True)
class EditableBody:
    """A body as New render edits it: the template text with a `{{layer}}` per text
    layer, the value each had, and those layers in the body's order."""

    template: str
    values: Mapping[str, str] = field(default_factory=dict)
    text_layers: tuple[str, ...] = ()
    # The body with its text values as placeholders: what the local form's fields cover.
    base: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LocalFields:
    """What New render's local form shows of a body (empty where the body says nothing)."""

    project: str = ""
    composition: str = ""
    frame_start: str = ""
    frame_end: str = ""
    output_module: str = ""
    render_settings: str = ""


def editable(body: Mapping[str, Any]) -> EditableBody:
    """The body with each plain text-layer value turned into a `{{layer}}` placeholder.

    A layer named twice, or whose name cannot be a placeholder, keeps its value in the
    template text (still editable there)."""
    base = copy.deepcopy(dict(body))
    assets = base.get("assets")
    texts = [a for a in assets if _plain_text(a)] if isinstance(assets, list) else []
    names = [str(a["layerName"]) for a in texts]
    unique = [n for n in dict.fromkeys(names) if names.count(n) == 1 and _nameable(n)]
    values: dict[str, str] = {}
    for asset in texts:
        name = str(asset["layerName"])
        if name in unique:
            values[name] = str(asset["value"])
            asset["value"] = "{{" + name + "}}"
    return EditableBody(_dump(base), values, tuple(unique), base)


def local_fields(body: Mapping[str, Any]) -> LocalFields:
    """The local form's fields as a stored local body fills them."""
    template = body.get("template")
    if not isinstance(template, Mapping):
        return LocalFields()

    def text(key: str) -> str:
        value = template.get(key)
        return "" if value is None or isinstance(value, bool) else str(value)

    return LocalFields(
        project=text("src"),
        composition=text("composition"),
        frame_start=text("frameStart"),
        frame_end=text("frameEnd"),
        output_module=text("outputModule"),
        render_settings=text("settingsTemplate"),
    )


def local_body_over(
    base: Mapping[str, Any],
    project: str,
    composition: str,
    *,
    output_module: str = "",
    render_settings: str = "",
    text_layers: Sequence[str] = (),
    frame_start: int | None = None,
    frame_end: int | None = None,
) -> str:
    """The local job template New render's fields make, laid over `base` (see `editable`):
    the fields replace what they cover, a text layer dropped from the list loses its
    asset, one added gets a `{{layer}}`, and the rest of the body stays as it was."""
    fresh = json.loads(
        local_template(
            project,
            composition,
            output_module=output_module,
            render_settings=render_settings,
            text_layers=text_layers,
            frame_start=frame_start,
            frame_end=frame_end,
        )
    )
    body = copy.deepcopy(dict(base))
    template = dict(body.get("template") or {})
    for key in ("frameStart", "frameEnd", "outputModule", "settingsTemplate"):
        template.pop(key, None)
    template.update(fresh["template"])
    body["template"] = template
    listed = list(dict.fromkeys(text_layers))
    kept: list[Any] = []
    present: set[str] = set()
    for asset in body.get("assets") or []:
        layer = _placeholder_layer(asset)
        if layer is None:
            kept.append(asset)
        elif layer in listed and layer not in present:
            kept.append(asset)
            present.add(layer)
    kept += [a for a in fresh.get("assets", []) if a["layerName"] not in present]
    if kept:
        body["assets"] = kept
    else:
        body.pop("assets", None)
    return _dump(body)


def _plain_text(asset: object) -> bool:
    return (
        isinstance(asset, dict)
        and set(asset) == _TEXT_KEYS
        and asset["type"] == "data"
        and asset["property"] == _SOURCE_TEXT
        and isinstance(asset["layerName"], str)
        and isinstance(asset["value"], str)
    )


def _placeholder_layer(asset: object) -> str | None:
    """The layer of a text asset whose value is its own `{{layer}}`, else None."""
    if not isinstance(asset, dict) or not _plain_text(asset):
        return None
    layer = str(asset["layerName"])
    return layer if asset["value"] == "{{" + layer + "}}" else None


def _nameable(name: str) -> bool:
    return bool(name.strip()) and name == name.strip() and "{" not in name and "}" not in name


def _dump(body: Mapping[str, Any]) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False)
