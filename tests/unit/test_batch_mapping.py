"""Columns to what the project has: targets offered, guessed by name, and the assets added."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from render_manager.projects import read_project
from render_manager.services.batch_data import local_template
from render_manager.services.batch_mapping import (
    MappingError,
    Target,
    TargetKind,
    asset_columns,
    auto_targets,
    name_columns,
    targets,
    with_mapped_assets,
)
from tests.unit.helpers.aep_make import branded_project


@pytest.fixture(scope="module")
def offered(tmp_path_factory: pytest.TempPathFactory) -> list[Target]:
    info = read_project(branded_project(tmp_path_factory.mktemp("p") / "brand.aep"))
    return targets(info, "Main")


def test_text_first_then_effects_then_transforms_of_the_chosen_composition(
    offered: list[Target],
) -> None:
    labels = [t.label for t in offered]
    assert labels[:4] == [
        "Title ▸ Source Text",
        "Card ▸ Effects ▸ Brand Color ▸ Color",
        "Card ▸ Effects ▸ Size ▸ Slider",
        "Card ▸ Effects ▸ Show ▸ Checkbox",
    ]
    assert "Bar ▸ Effects ▸ Brand Color ▸ Color" not in labels, "another composition's layer"
    assert "Lower Third ▸ Transform ▸ Position" in labels
    brand = offered[1]
    assert (brand.kind, brand.takes, brand.current) == (
        TargetKind.COLOR,
        "a colour #RRGGBB",
        "#FF0000",
    )


def test_the_layers_of_precomps_are_offered_with_their_nexrender_composition_path(
    offered: list[Target],
) -> None:
    (bar,) = [t for t in offered if t.layer == "Bar" and t.kind is TargetKind.COLOR]
    assert bar.label == "Bar ▸ Effects ▸ Brand Color ▸ Color — in Lower Third"
    assert bar.current == "#00FF00"
    assert bar.asset("Bar colour") == {
        "type": "data",
        "layerName": "Bar",
        "property": "Effects.Brand Color.Color",
        "value": "{{Bar colour}}",
        "composition": "Main->Lower Third",
    }


def test_a_composition_not_in_the_project_offers_every_composition_each_named(
    tmp_path: Path,
) -> None:
    info = read_project(branded_project(tmp_path / "brand.aep"))
    labels = {(t.composition, t.label) for t in targets(info, "{{comp}}")}
    assert ("Lower Third", "Bar ▸ Effects ▸ Brand Color ▸ Color — in Lower Third") in labels
    assert ("Main", "Card ▸ Effects ▸ Brand Color ▸ Color — in Main") in labels


def test_columns_are_matched_by_layer_then_by_a_one_property_effect_each_target_once(
    offered: list[Target],
) -> None:
    chosen = auto_targets(["title", "TITLE", "Brand_Color", "Size", "Position", "{x}"], offered)
    assert {c: t.label for c, t in chosen.items()} == {
        "title": "Title ▸ Source Text",
        "Brand_Color": "Card ▸ Effects ▸ Brand Color ▸ Color",
        "Size": "Card ▸ Effects ▸ Size ▸ Slider",
    }


def test_mapped_columns_become_nexrender_assets_once_each(offered: list[Target]) -> None:
    template = local_template("/p/brand.aep", "Main", text_layers=["Title"])
    choices = {"Title": offered[0], "Brand Color": offered[1]}
    body = json.loads(with_mapped_assets(template, choices))
    assert body["assets"] == [
        {"type": "data", "layerName": "Title", "property": "Source Text", "value": "{{Title}}"},
        {
            "type": "data",
            "layerName": "Card",
            "property": "Effects.Brand Color.Color",
            "value": "{{Brand Color}}",
            "composition": "Main",
        },
    ]
    assert asset_columns(json.dumps(body), choices) == {0: "Title", 1: "Brand Color"}
    assert with_mapped_assets(template, {}) == template


def test_a_template_that_is_not_json_says_so_instead_of_losing_the_mapping() -> None:
    with pytest.raises(MappingError, match="not JSON"):
        with_mapped_assets('{"priority": {{p}}}', {"T": Target("Main", "T", TargetKind.TEXT)})


def test_a_problem_names_the_column_of_each_mapped_asset() -> None:
    problem = "assets[2].src: /r/x.png does not exist; assets[0]: no text layer named 'T'"
    assert name_columns(problem, {2: "logo"}) == (
        "column 'logo' (assets[2].src): /r/x.png does not exist; assets[0]: no text layer named 'T'"
    )
