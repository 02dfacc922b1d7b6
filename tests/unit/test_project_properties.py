"""Each layer's settable properties in the read model, `renderctl inspect --json` and the
path resolver: transforms and simple effect properties, as users type their values."""

from __future__ import annotations

import json
from pathlib import Path

import py_aep
import pytest

from render_manager.projects import read_project
from render_manager.projects.model import Layer, PropertyKind
from render_manager.projects.properties import find_property, kind_words, resolve_property
from tests.unit.cli_runner import Renderctl, renderctl_runner
from tests.unit.helpers.aep_make import add_effect, branded_project


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> Layer:
    info = read_project(branded_project(tmp_path_factory.mktemp("p") / "brand.aep"))
    main = info.composition("Main")
    assert main is not None
    return next(layer for layer in main.layers if layer.name == "Card")


def test_effects_and_transforms_are_read_with_their_kind_and_value(card: Layer) -> None:
    got = {(p.dotted, p.kind, p.value, p.dimensions) for p in card.properties}
    assert got == {
        ("Effects.Brand Color.Color", PropertyKind.COLOR, "#FF0000", 3),
        ("Effects.Size.Slider", PropertyKind.NUMBER, "10", 1),
        ("Effects.Show.Checkbox", PropertyKind.CHECKBOX, "0", 1),
        ("Transform.Anchor Point", PropertyKind.POINT, "960,540", 2),
        ("Transform.Position", PropertyKind.POINT, "960,540", 2),
        ("Transform.Scale", PropertyKind.POINT, "100,100", 2),
        ("Transform.Rotation", PropertyKind.NUMBER, "0", 1),
        ("Transform.Opacity", PropertyKind.NUMBER, "100", 1),
    }
    assert not any(p.keyframed or p.expression for p in card.properties)


@pytest.mark.parametrize(
    ("path", "found"),
    [
        ("Position", "Transform.Position"),
        ("Transform.Position", "Transform.Position"),
        ("ADBE Transform Group.ADBE Position", "Transform.Position"),
        ("Effects.Brand Color.Color", "Effects.Brand Color.Color"),
        ("ADBE Effect Parade.Brand Color.ADBE Color Control-0001", "Effects.Brand Color.Color"),
        (("Effects", "Size", "Slider"), "Effects.Size.Slider"),
    ],
)
def test_paths_resolve_by_name_match_name_or_a_bare_transform_name(
    card: Layer, path: str, found: str
) -> None:
    prop = find_property(card, path)
    assert prop is not None
    assert prop.dotted == found


def test_names_match_case_sensitively_and_a_miss_names_the_closest(card: Layer) -> None:
    assert find_property(card, "Effects.brand color.Color") is None
    lookup = resolve_property(card, "Effects.Brand Colour.Color")
    assert (lookup.prop, lookup.limit) == (None, False)
    assert lookup.problem == "layer 'Card' has no effect 'Brand Colour'; closest: Brand Color"
    typo = resolve_property(card, "Effects.Brand Color.Colour")
    assert not typo.limit
    assert typo.problem == (
        "layer 'Card' has no property 'Effects.Brand Color.Colour'; "
        "closest: Effects.Brand Color.Color"
    )
    assert resolve_property(card, "Transform.Postion").problem.startswith(
        "layer 'Card' has no property 'Transform.Postion'; closest: Transform.Position"
    )


def test_a_property_a_rewrite_does_not_set_is_a_limit_not_wrong_input(tmp_path: Path) -> None:
    app = py_aep.new()
    comp = app.project.root_folder.add_comp("Main", 64, 36, 1.0, 2.0, 25.0)
    solid = comp.add_solid([1.0, 0.0, 0.0], "Card", 64, 36)
    add_effect(solid, "ADBE Layer Control", "Matte Layer")  # a layer picker: no plain value
    app.project.save(tmp_path / "picker.aep")
    [card] = read_project(tmp_path / "picker.aep").compositions[0].layers
    assert card.effects == ("Matte Layer",)
    for path in ("Effects.Matte Layer.Layer", "Masks.Mask 1.Mask Path", "X Rotation"):
        lookup = resolve_property(card, path)
        assert lookup.limit, lookup
        assert f"{path} is not a value a project rewrite sets" in lookup.problem


def test_kind_words_say_what_to_type(card: Layer) -> None:
    words = {p.dotted: kind_words(p) for p in card.properties}
    assert words["Effects.Brand Color.Color"] == "a colour #RRGGBB"
    assert words["Transform.Position"] == "a point x,y"
    assert words["Effects.Show.Checkbox"] == "a checkbox value (true, false, 1 or 0)"


def test_inspect_json_lists_each_layers_properties(
    tmp_path: Path,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run: Renderctl = renderctl_runner(monkeypatch, capsys)
    project = branded_project(tmp_path / "brand.aep")

    result = run("inspect", str(project), "--json")

    assert (result.code, result.err) == (0, "")
    comps = {c["name"]: c for c in json.loads(result.out)["compositions"]}
    bar = comps["Lower Third"]["layers"][0]
    assert bar["name"] == "Bar"
    assert {"path": "Effects.Brand Color.Color", "kind": "color", "value": "#00FF00"} in bar[
        "properties"
    ]
    assert {"path": "Transform.Opacity", "kind": "number", "value": "100"} in bar["properties"]


def test_3d_layers_and_cameras_have_3d_points_and_their_own_names(tmp_path: Path) -> None:
    app = py_aep.new()
    comp = app.project.root_folder.add_comp("Main", 64, 36, 1.0, 2.0, 25.0)
    comp.add_camera("Cam", [32.0, 18.0])
    comp.add_solid([1.0, 0.0, 0.0], "Card", 64, 36).three_d_layer = True
    app.project.save(tmp_path / "3d.aep")
    card, cam = read_project(tmp_path / "3d.aep").compositions[0].layers
    assert [(p.dotted, p.value) for p in card.properties][:2] == [
        ("Transform.Anchor Point", "32,18,0"),
        ("Transform.Position", "32,18,0"),
    ]
    rotation = find_property(card, "Rotation")  # a 3-D layer's Z Rotation, as in ExtendScript
    assert rotation is not None
    assert rotation.dotted == "Transform.Z Rotation"
    assert [p.dotted for p in cam.properties] == [
        "Transform.Point of Interest",
        "Transform.Position",
        "Transform.Z Rotation",
    ]
