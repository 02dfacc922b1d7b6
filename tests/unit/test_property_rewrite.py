"""Transform and effect values written into the job's copy and checked; wrong input said
per edit with what the property takes and the closest names."""

from __future__ import annotations

from pathlib import Path

import py_aep
import pytest

from render_manager.projects import read_project
from render_manager.projects.edits import Edit, PropertyEdit, RewriteFailed
from render_manager.projects.model import Layer
from render_manager.projects.rewrite import edit_problems, write_rewritten
from tests.unit.helpers.aep_make import branded_project


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return branded_project(tmp_path_factory.mktemp("t") / "brand.aep")


def _layer(path: Path, comp: str, name: str) -> Layer:
    found = read_project(path).composition(comp)
    assert found is not None
    return next(layer for layer in found.layers if layer.name == name)


def _values(layer: Layer) -> dict[str, str]:
    return {prop.dotted: prop.value for prop in layer.properties}


def test_colour_slider_checkbox_and_transforms_land_and_the_template_is_kept(
    template: Path, tmp_path: Path
) -> None:
    before = template.read_bytes()
    edits: list[Edit] = [
        PropertyEdit("Card", ("Effects", "Brand Color", "Color"), "#3366CC"),
        PropertyEdit("Card", ("Effects", "Size", "Slider"), "42.5"),
        PropertyEdit("Card", ("Effects", "Show", "Checkbox"), True),
        PropertyEdit(3, ("Position",), [100, 200]),  # layerIndex 3 is "Card"
        PropertyEdit("Card", ("Transform", "Scale"), "50,60"),
        PropertyEdit("Card", ("Transform", "Opacity"), 55),
    ]
    write_rewritten(template, tmp_path / "job.aep", edits)
    got = _values(_layer(tmp_path / "job.aep", "Main", "Card"))
    assert got["Effects.Brand Color.Color"] == "#3366CC"
    assert got["Effects.Size.Slider"] == "42.5"
    assert got["Effects.Show.Checkbox"] == "1"
    assert got["Transform.Position"] == "100,200"
    assert got["Transform.Scale"] == "50,60"
    assert got["Transform.Opacity"] == "55"
    assert template.read_bytes() == before
    assert _values(_layer(template, "Main", "Card"))["Effects.Brand Color.Color"] == "#FF0000"


def test_a_nested_comp_s_layer_is_edited_in_that_comp_only(template: Path, tmp_path: Path) -> None:
    # nexrender's "Main->Lower Third": the layer is in Lower Third (the last name).
    edit = PropertyEdit("Bar", ("Effects", "Brand Color", "Color"), [0, 0, 1], "Lower Third")
    write_rewritten(template, tmp_path / "job.aep", [edit])
    bar = _layer(tmp_path / "job.aep", "Lower Third", "Bar")
    assert _values(bar)["Effects.Brand Color.Color"] == "#0000FF"
    card = _layer(tmp_path / "job.aep", "Main", "Card")
    assert _values(card)["Effects.Brand Color.Color"] == "#FF0000"


def _problems(template: Path, edit: PropertyEdit) -> tuple[list[str], list[str]]:
    found = edit_problems(read_project(template), [("assets[0]", edit)])
    return found.errors, found.limits


def test_a_wrong_colour_says_what_the_property_takes(template: Path) -> None:
    edit = PropertyEdit("Card", ("Effects", "Brand Color", "Color"), "#GG0000")
    assert _problems(template, edit) == (
        ["assets[0]: Effects.Brand Color.Color takes a colour #RRGGBB; got '#GG0000'"],
        [],
    )


def test_a_point_given_a_word_says_what_it_takes(template: Path) -> None:
    edit = PropertyEdit("Card", ("Position",), "left")
    errors, _limits = _problems(template, edit)
    assert errors == ["assets[0]: Transform.Position takes a point x,y; got 'left'"]


def test_a_missing_layer_names_the_closest(template: Path) -> None:
    edit = PropertyEdit("Crad", ("Opacity",), 50)
    errors, _limits = _problems(template, edit)
    assert errors == ["assets[0]: no layer named 'Crad'; closest: Card"]


def test_a_layer_index_past_the_end_is_an_error(template: Path) -> None:
    errors, _limits = _problems(template, PropertyEdit(9, ("Opacity",), 50, "Main"))
    assert errors == ["assets[0]: no layer at index 9 in 'Main'"]


def test_a_missing_property_names_the_closest(template: Path) -> None:
    edit = PropertyEdit("Card", ("Effects", "Brand Colour", "Color"), "#FF0000")
    errors, _limits = _problems(template, edit)
    assert errors == ["assets[0]: layer 'Card' has no effect 'Brand Colour'; closest: Brand Color"]


def test_a_keyframed_property_is_a_limit_of_the_rewrite(tmp_path: Path) -> None:
    app = py_aep.new()
    comp = app.project.root_folder.add_comp("Main", 64, 36, 1.0, 2.0, 25.0)
    solid = comp.add_solid([1.0, 0.0, 0.0], "Card", 64, 36)
    opacity = next(p for p in solid.transform.properties if p.match_name == "ADBE Opacity")
    opacity.set_value_at_time(0.0, 0.0)
    opacity.set_value_at_time(1.0, 100.0)
    app.project.save(tmp_path / "keyed.aep")
    edit = PropertyEdit("Card", ("Opacity",), 50)

    errors, limits = _problems(tmp_path / "keyed.aep", edit)
    assert errors == []
    assert limits == [
        "assets[0]: Transform.Opacity of layer named 'Card' is keyframed; "
        "a project rewrite sets only a static value"
    ]
    with pytest.raises(RewriteFailed, match=r"Transform\.Opacity of layer 'Card' is keyframed"):
        write_rewritten(tmp_path / "keyed.aep", tmp_path / "job.aep", [edit])


def test_a_job_written_again_replaces_its_old_copy(template: Path, tmp_path: Path) -> None:
    # A job run a second time (retried, or requeued after the engine stopped) rewrites
    # the copy its first run left in its folder.
    copy = tmp_path / "job.aep"
    write_rewritten(template, copy, [PropertyEdit("Card", ("Opacity",), 10)])
    write_rewritten(template, copy, [PropertyEdit("Card", ("Opacity",), 20)])
    assert _values(_layer(copy, "Main", "Card"))["Transform.Opacity"] == "20"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job.aep"]


def _separated(folder: Path, *, keyed: bool) -> Path:
    """A "Card" solid whose Position has separate X and Y (X keyframed when `keyed`)."""
    app = py_aep.new()
    comp = app.project.root_folder.add_comp("Main", 64, 36, 1.0, 2.0, 25.0)
    solid = comp.add_solid([1.0, 0.0, 0.0], "Card", 64, 36)
    position = next(p for p in solid.transform.properties if p.match_name == "ADBE Position")
    position.dimensions_separated = True
    if keyed:
        x = position.get_separation_follower(0)
        x.set_value_at_time(0.0, 0.0)
        x.set_value_at_time(1.0, 64.0)
    path = folder / ("keyed.aep" if keyed else "separated.aep")
    app.project.save(path)
    return path


def test_a_position_with_separate_dimensions_is_written_through_x_and_y(tmp_path: Path) -> None:
    copy = tmp_path / "job.aep"
    write_rewritten(
        _separated(tmp_path, keyed=False), copy, [PropertyEdit("Card", ("Position",), "10,20")]
    )
    assert _values(_layer(copy, "Main", "Card"))["Transform.Position"] == "10,20"


def test_a_separated_position_with_a_keyframed_x_is_keyframed(tmp_path: Path) -> None:
    errors, limits = _problems(
        _separated(tmp_path, keyed=True), PropertyEdit("Card", ("Position",), "10,20")
    )
    assert errors == []
    assert [limit.split(";")[0] for limit in limits] == [
        "assets[0]: Transform.Position of layer named 'Card' is keyframed"
    ]
