"""`ProjectInfo` as the JSON `renderctl inspect --json` prints (issue 12, section 1)."""

from __future__ import annotations

from typing import Any

from render_manager.projects.model import Composition, Layer, ProjectInfo, RenderQueueItem


def project_json(info: ProjectInfo) -> dict[str, Any]:
    """The project as plain JSON values. Keys are stable: scripts read them."""
    return {
        "ae_version": info.ae_version,
        "compositions": [_composition(c) for c in info.compositions],
        "render_queue": [_render_item(r) for r in info.render_queue],
        "footage": [{"name": f.name, "file": f.file, "missing": f.missing} for f in info.footage],
        "fonts": list(info.fonts),
    }


def _composition(comp: Composition) -> dict[str, Any]:
    return {
        "name": comp.name,
        "width": comp.width,
        "height": comp.height,
        "frame_rate": comp.frame_rate,
        "duration": comp.duration,
        "frames": comp.frames,
        "work_area": {"start": comp.work_area_start, "duration": comp.work_area_duration},
        "layers": [_layer(layer) for layer in comp.layers],
    }


def _layer(layer: Layer) -> dict[str, Any]:
    out: dict[str, Any] = {"index": layer.index, "name": layer.name, "type": str(layer.type)}
    # "text" only on text layers and "footage" only on footage layers (null: a placeholder).
    if layer.type == "text":
        out["text"] = layer.text
    elif layer.type == "footage":
        out["footage"] = layer.footage
    out["properties"] = [
        {"path": prop.dotted, "kind": str(prop.kind), "value": prop.value}
        | ({"keyframed": True} if prop.keyframed else {})
        | ({"expression": True} if prop.expression else {})
        for prop in layer.properties
    ]
    return out


def _render_item(item: RenderQueueItem) -> dict[str, Any]:
    return {
        "index": item.index,
        "comp": item.comp,
        "status": str(item.status),
        "render": item.render,
        "frames": {"start": item.frame_start, "end": item.frame_end},
        "output_modules": [
            {"template": m.template, "output": m.output} for m in item.output_modules
        ],
        "render_settings": item.render_settings,
    }
