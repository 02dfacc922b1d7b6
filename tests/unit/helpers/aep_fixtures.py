"""The real .aep fixtures and their sidecars, and the check of `renderctl inspect --json`
output against a sidecar (what py-aep 0.18.2 read from the file, recorded independently).

Nothing here knows a file by its name: every project is checked by the same rules.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "aep-projects"
PROJECTS = sorted(FIXTURES.glob("*.aep"))
UNREADABLE = sorted((FIXTURES / "unreadable").glob("*.aep"))

# ExtendScript's RQItemStatus values, as the sidecars record them, in inspect's words.
STATUS_WORDS = {
    "3012": "will_continue",
    "3013": "needs_output",
    "3014": "unqueued",
    "3015": "queued",
    "3016": "rendering",
    "3017": "user_stopped",
    "3018": "err_stopped",
    "3019": "done",
}
TOP_KEYS = {"ae_version", "compositions", "render_queue", "footage", "fonts"}
COMP_KEYS = {
    "name", "width", "height", "frame_rate", "duration", "frames", "work_area", "layers",
}  # fmt: skip
RQ_KEYS = {"index", "comp", "status", "render", "frames", "output_modules", "render_settings"}
LAYER_TYPES = {"text", "footage", "solid", "precomp", "shape", "null", "camera", "light", "other"}
# The sidecars round times to 6 decimals.
SIDECAR_TOLERANCE = 2e-6


def sidecar(project: Path) -> dict[str, Any]:
    """The JSON sidecar beside a fixture project."""
    data: dict[str, Any] = json.loads(project.with_suffix(".json").read_text(encoding="utf-8"))
    return data


def expected_type(layer: dict[str, Any]) -> str:
    """A sidecar layer's type in inspect's words, from its class and source fields."""
    by_class = {
        "TextLayer": "text",
        "ShapeLayer": "shape",
        "CameraLayer": "camera",
        "LightLayer": "light",
    }
    if layer["type"] in by_class:
        return by_class[layer["type"]]
    assert layer["type"] == "AVLayer", f"a layer class the sidecars did not have: {layer}"
    if layer.get("null_layer"):
        return "null"
    if "precomp" in layer:
        return "precomp"
    if layer.get("source_kind") == "solid":
        return "solid"
    if "footage_file" in layer:
        return "footage"
    return "other"


def check_against_sidecar(data: dict[str, Any], expected: dict[str, Any]) -> None:
    """`renderctl inspect --json` output agrees, field by field, with the sidecar."""
    assert set(data) == TOP_KEYS
    assert data["ae_version"] == expected["ae_version"]
    comps = data["compositions"]
    assert [c["name"] for c in comps] == [c["name"] for c in expected["compositions"]]
    for comp, want in zip(comps, expected["compositions"], strict=True):
        _check_comp(comp, want)
    queue = data["render_queue"]
    assert len(queue) == len(expected["render_queue"])
    for n, (item, want) in enumerate(zip(queue, expected["render_queue"], strict=True), 1):
        assert set(item) == RQ_KEYS
        assert item["index"] == n
        assert item["comp"] == want["comp_name"]
        assert item["status"] == STATUS_WORDS[want["status"]]
        assert item["render"] is want["render"]
        assert [om["template"] for om in item["output_modules"]] == want["output_modules"]
        assert all(set(om) == {"template", "output"} for om in item["output_modules"])
        assert 0 <= item["frames"]["start"] <= item["frames"]["end"]
        comp = next(c for c in comps if c["name"] == item["comp"])
        assert item["frames"]["end"] < comp["frames"]
        assert isinstance(item["render_settings"], str)
        assert item["render_settings"]
    for footage in data["footage"]:
        assert set(footage) == {"name", "file", "missing"}
        assert isinstance(footage["missing"], bool)
    assert all(isinstance(font, str) and font for font in data["fonts"])


# What `inspect --json` prints for each kind of settable property (the sidecars do not
# list properties: their shape is checked, and their values in test_project_properties).
PROPERTY_VALUE = {
    "color": re.compile(r"#[0-9A-F]{6}"),
    "number": re.compile(r"-?\d+(\.\d+)?"),
    "checkbox": re.compile(r"-?\d+(\.\d+)?"),
    "point": re.compile(r"-?\d+(\.\d+)?(,-?\d+(\.\d+)?){1,2}"),
}


def _check_properties(properties: list[dict[str, Any]]) -> None:
    for prop in properties:
        assert set(prop) - {"keyframed", "expression"} == {"path", "kind", "value"}, prop
        assert prop["path"].startswith(("Transform.", "Effects.")), prop
        assert PROPERTY_VALUE[prop["kind"]].fullmatch(prop["value"]), prop


def _check_comp(comp: dict[str, Any], want: dict[str, Any]) -> None:
    assert set(comp) == COMP_KEYS
    assert (comp["width"], comp["height"]) == (want["width"], want["height"])
    assert comp["frame_rate"] == pytest.approx(want["frame_rate"], abs=SIDECAR_TOLERANCE)
    assert comp["duration"] == pytest.approx(want["duration"], abs=SIDECAR_TOLERANCE)
    assert comp["frames"] == round(want["duration"] * want["frame_rate"])
    work_area = comp["work_area"]
    assert set(work_area) == {"start", "duration"}
    assert work_area["start"] >= 0
    assert work_area["duration"] > 0
    assert work_area["start"] + work_area["duration"] <= comp["duration"] + 1e-6
    layers = comp["layers"]
    assert len(layers) == want["num_layers"]
    # The sidecars list the first 40 layers of a comp.
    for n, (layer, wanted) in enumerate(zip(layers, want["layers"], strict=False), 1):
        kind = expected_type(wanted)
        keys = {"index", "name", "type", "properties"} | ({"text"} if kind == "text" else set())
        keys |= {"footage"} if kind == "footage" else set()
        assert set(layer) == keys, layer
        _check_properties(layer["properties"])
        assert (layer["index"], layer["name"], layer["type"]) == (n, wanted["name"], kind)
        if kind == "text":
            assert layer["text"] == wanted["text"]
        if kind == "footage":
            assert layer["footage"] == wanted["footage_file"]
    assert all(layer["type"] in LAYER_TYPES for layer in layers)
