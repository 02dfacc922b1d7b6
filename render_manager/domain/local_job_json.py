"""Writing a `LocalJobSpec` back as nexrender job JSON, the form local jobs are stored in."""

from __future__ import annotations

from typing import Any

from render_manager.domain.local_job import (
    Asset,
    DataAsset,
    FootageAsset,
    LocalJobSpec,
    ScriptAsset,
    StaticAsset,
    copy_json,
)


def spec_to_json(spec: LocalJobSpec) -> dict[str, Any]:
    """The job as nexrender JSON, for storage: ``parse_local_job(spec_to_json(s)) == s``.

    Defaults are left out; composition paths are joined with ``->``; tags become
    nexrender's comma-separated string.
    """
    template = spec.template
    out_template: dict[str, Any] = {"src": template.src, "composition": template.composition}
    _put(out_template, "outputModule", template.output_module)
    _put(out_template, "outputExt", template.output_ext)
    _put(out_template, "settingsTemplate", template.settings_template)
    _put(out_template, "frameStart", template.frame_start)
    _put(out_template, "frameEnd", template.frame_end)
    _put(out_template, "frameIncrement", template.frame_increment)
    _put(out_template, "continueOnMissing", template.continue_on_missing or None)
    out: dict[str, Any] = {"template": out_template}
    if spec.assets:
        out["assets"] = [_asset_to_json(asset) for asset in spec.assets]
    actions: dict[str, Any] = {}
    for key, items in (("prerender", spec.prerender), ("postrender", spec.postrender)):
        if items:
            actions[key] = [{"module": a.module, **copy_json(a.options)} for a in items]
    if actions:
        out["actions"] = actions
    _put(out, "name", spec.name)
    _put(out, "priority", spec.priority or None)
    _put(out, "tags", ",".join(spec.tags) or None)
    return out


def _asset_to_json(asset: Asset) -> dict[str, Any]:
    out: dict[str, Any]
    match asset:
        case FootageAsset():
            out = {"type": asset.type, "src": asset.src}
            _put(out, "footage", asset.footage)
            _put_layer(out, asset.layer_name, asset.layer_index, asset.composition)
            _put(out, "name", asset.name)
            _put(out, "extension", asset.extension)
            _put(out, "sequence", asset.sequence or None)
            _put(out, "removeOld", asset.remove_old or None)
            _put(out, "continueOnMissing", asset.continue_on_missing or None)
        case DataAsset():
            out = {"type": "data", "property": asset.property}
            _put_layer(out, asset.layer_name, asset.layer_index, asset.composition)
            _put(out, "value", copy_json(asset.value))
            _put(out, "expression", asset.expression)
            _put(out, "continueOnMissing", asset.continue_on_missing or None)
        case ScriptAsset():
            out = {"type": "script", "src": asset.src}
        case StaticAsset():
            out = {"type": "static", "src": asset.src}
            _put(out, "name", asset.name)
    return out


def _put_layer(
    out: dict[str, Any], name: str | None, index: int | None, composition: tuple[str, ...]
) -> None:
    _put(out, "layerName", name)
    _put(out, "layerIndex", index)
    _put(out, "composition", "->".join(composition) or None)


def _put(out: dict[str, Any], key: str, value: object) -> None:
    if value is not None:
        out[key] = value
