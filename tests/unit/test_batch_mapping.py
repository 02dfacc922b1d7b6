"""Columns to what the project has: targets offered, guessed by name, and the assets added."""

from __future__ import annotations

import json
from pathlib import Path

import py_aep
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
from tests.unit.test_project_reader import _png


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


@pytest.fixture(scope="module")
def with_items(tmp_path_factory: pytest.TempPathFactory) -> list[Target]:
    """Main shows logo.png (a layer of the item's own name), a "Hero shot" placeholder and
    a "Logo" text layer; the project also holds "Brand logo" (a renamed item) and a movie."""
    folder = tmp_path_factory.mktemp("items")
    app = py_aep.new()
    main = app.project.root_folder.add_comp("Main", 64, 36, 1.0, 1.0, 25.0)
    main.add(app.project.import_file(py_aep.ImportOptions(_png(folder / "logo.png"))))
    main.add(app.project.import_placeholder("Hero shot", 64, 36, 25.0, 1.0))
    brand = app.project.import_file(py_aep.ImportOptions(_png(folder / "brand.png")))
    brand.name = "Brand logo"
    app.project.save(folder / "items.aep")
    return targets(read_project(folder / "items.aep"), "Main")


def test_footage_items_are_offered_after_the_layers_and_replace_by_item_name(
    with_items: list[Target],
) -> None:
    labels = [t.label for t in with_items]
    items = [label for label in labels if label.startswith("Project panel ▸ ")]
    assert items == ["Project panel ▸ logo.png", "Project panel ▸ Hero shot",
                     "Project panel ▸ Brand logo"]  # fmt: skip
    layers = [t for t in with_items if not t.footage_item]
    assert labels.index(items[0]) == len([t for t in layers if t.kind is TargetKind.FOOTAGE])
    hero = next(t for t in with_items if t.label == "Project panel ▸ Hero shot")
    assert (hero.kind, hero.takes, hero.current) == (
        TargetKind.FOOTAGE, "a file or an http(s) URL", "a placeholder",
    )  # fmt: skip
    assert hero.asset("hero") == {"type": "image", "footage": "Hero shot", "src": "{{hero}}"}


def test_a_column_named_as_a_footage_item_drives_it_unless_a_layer_has_that_name(
    with_items: list[Target],
) -> None:
    chosen = auto_targets(["logo", "Hero shot", "brand_logo"], with_items)
    assert {c: t.label for c, t in chosen.items()} == {
        "logo": "logo.png ▸ footage",
        "Hero shot": "Hero shot ▸ footage",
        "brand_logo": "Project panel ▸ Brand logo",
    }


def test_a_mapped_footage_item_is_added_once_and_its_column_found(
    with_items: list[Target],
) -> None:
    brand = next(t for t in with_items if t.label == "Project panel ▸ Brand logo")
    template = json.dumps({"template": {"src": "/p.aep", "composition": "Main"}})
    mapped = with_mapped_assets(with_mapped_assets(template, {"brand": brand}), {"brand": brand})
    assets = json.loads(mapped)["assets"]
    assert assets == [{"type": "image", "footage": "Brand logo", "src": "{{brand}}"}]
    assert asset_columns(mapped, {"brand": brand}) == {0: "brand"}
