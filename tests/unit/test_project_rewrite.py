"""`write_rewritten`: the job's copy of a project with its values, checked; the template kept."""

from __future__ import annotations

from pathlib import Path

import py_aep
import pytest

from render_manager.projects import read_project
from render_manager.projects.edits import FootageEdit, FootageItemEdit, RewriteFailed, TextEdit
from render_manager.projects.rewrite import edit_problems, write_rewritten
from tests.unit.test_project_reader import _png


def _template(folder: Path) -> Path:
    app = py_aep.new()
    main = app.project.root_folder.add_comp("Main", 64, 36, 1.0, 1.0, 25.0)
    main.add_text("Hello").name = "Title"
    main.add(app.project.import_file(py_aep.ImportOptions(_png(folder / "logo.png"))))
    path = folder / "promo.aep"
    app.project.save(path)
    return path


def test_text_and_footage_land_in_the_copy_and_the_template_is_untouched(tmp_path: Path) -> None:
    template = _template(tmp_path)
    before = template.read_bytes()
    swap = _png(tmp_path / "rows" / "logo_fr.png")
    copy = tmp_path / "job" / "promo-job.aep"
    copy.parent.mkdir()
    write_rewritten(
        template, copy, [TextEdit("Title", "Line 1\nÉté"), FootageEdit("logo.png", swap)]
    )
    layers = read_project(copy).compositions[0].layers
    assert {(layer.text, layer.footage) for layer in layers} == {
        ("Line 1\nÉté", None),
        (None, str(swap)),
    }
    assert template.read_bytes() == before


def test_a_footage_file_that_does_not_exist_fails_with_the_reason(tmp_path: Path) -> None:
    template = _template(tmp_path)
    with pytest.raises(RewriteFailed, match="path does not exist"):
        write_rewritten(
            template, tmp_path / "out.aep", [FootageEdit("logo.png", tmp_path / "no.png")]
        )


def test_a_layer_of_the_wrong_kind_fails_with_its_name(tmp_path: Path) -> None:
    template = _template(tmp_path)
    with pytest.raises(RewriteFailed, match=r"no text layer named 'logo\.png'"):
        write_rewritten(template, tmp_path / "out.aep", [TextEdit("logo.png", "x")])


def test_text_and_footage_by_layer_index_as_nexrender_numbers_them(tmp_path: Path) -> None:
    template = _template(tmp_path)  # layer 1: logo.png (added last, so on top), 2: Title
    swap = _png(tmp_path / "rows" / "logo_de.png")
    copy = tmp_path / "job.aep"
    write_rewritten(template, copy, [TextEdit(2, "Hallo", "Main"), FootageEdit(1, swap, "Main")])
    first, second = read_project(copy).compositions[0].layers
    assert (first.footage, second.text) == (str(swap), "Hallo")


def test_a_layer_index_of_the_wrong_kind_fails_with_its_place(tmp_path: Path) -> None:
    template = _template(tmp_path)
    with pytest.raises(RewriteFailed, match="no text layer at index 1"):
        write_rewritten(template, tmp_path / "out.aep", [TextEdit(1, "x")])


def _items_template(folder: Path) -> Path:
    """Main shows the "Brand logo" item twice and a "Hero shot" placeholder; Outro shows
    the logo once more."""
    app = py_aep.new()
    main = app.project.root_folder.add_comp("Main", 64, 36, 1.0, 1.0, 25.0)
    outro = app.project.root_folder.add_comp("Outro", 64, 36, 1.0, 1.0, 25.0)
    logo = app.project.import_file(py_aep.ImportOptions(_png(folder / "logo.png")))
    logo.name = "Brand logo"
    hero = app.project.import_placeholder("Hero shot", 64, 36, 25.0, 1.0)
    for comp, item in ((main, logo), (main, logo), (main, hero), (outro, logo)):
        comp.add(item)
    path = folder / "items.aep"
    app.project.save(path)
    return path


def test_a_footage_item_takes_the_file_for_every_layer_that_shows_it(tmp_path: Path) -> None:
    template = _items_template(tmp_path)
    before = template.read_bytes()
    swap = _png(tmp_path / "rows" / "logo_fr.png")
    hero = _png(tmp_path / "rows" / "hero_fr.png")
    copy = tmp_path / "job.aep"

    write_rewritten(
        template, copy, [FootageItemEdit("Brand logo", swap), FootageItemEdit("Hero shot", hero)]
    )

    info = read_project(copy)
    shown = sorted((c.name, layer.footage) for c in info.compositions for layer in c.layers)
    assert shown == sorted(
        [("Main", str(swap)), ("Main", str(swap)), ("Main", str(hero)), ("Outro", str(swap))]
    )
    # A name given by hand stays; a placeholder's follows its new file, as in After Effects.
    assert sorted((f.name, f.file) for f in info.footage) == [
        ("Brand logo", str(swap)),
        ("hero_fr.png", str(hero)),
    ]
    assert template.read_bytes() == before


def test_a_footage_item_not_in_the_project_fails_with_its_name(tmp_path: Path) -> None:
    template = _items_template(tmp_path)
    with pytest.raises(RewriteFailed, match="no footage item named 'Brand Logo' in the project"):
        write_rewritten(
            template,
            tmp_path / "out.aep",
            [FootageItemEdit("Brand Logo", _png(tmp_path / "x.png"))],
        )


def test_a_replacement_that_did_not_land_fails_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = _items_template(tmp_path)
    # A writer that silently keeps the old file: the read-back catches it.
    monkeypatch.setattr(py_aep.FootageItem, "replace", lambda self, file: None)
    with pytest.raises(RewriteFailed, match="the footage item 'Brand logo' was not replaced by"):
        write_rewritten(
            template,
            tmp_path / "out.aep",
            [FootageItemEdit("Brand logo", _png(tmp_path / "x.png"))],
        )
    assert not (tmp_path / "out.aep").exists()


def test_missing_footage_items_are_input_errors_with_the_closest_names(tmp_path: Path) -> None:
    info = read_project(_items_template(tmp_path))
    found = edit_problems(
        info,
        [
            ("assets[0]", FootageItemEdit("Brand logo", Path("/x.png"))),
            ("assets[1]", FootageItemEdit("Brand Logo", Path("/x.png"))),
            ("assets[2]", FootageItemEdit("Hero", Path("/x.png"))),
        ],
    )
    assert found.errors == [
        "assets[1]: no footage item named 'Brand Logo' in the project; closest: Brand logo",
        "assets[2]: no footage item named 'Hero' in the project; closest: Hero shot",
    ]
    assert found.limits == []


def test_a_placeholder_layer_takes_a_file_as_the_reader_offers_it(tmp_path: Path) -> None:
    # The reader calls a layer over a placeholder a footage layer (the submit check accepts
    # it): the rewrite must replace it too, not fail the job at staging.
    template = _items_template(tmp_path)
    hero = _png(tmp_path / "rows" / "hero_fr.png")
    copy = tmp_path / "job.aep"

    write_rewritten(template, copy, [FootageEdit("Hero shot", hero, "Main")])

    main = read_project(copy).composition("Main")
    assert main is not None
    assert [layer.footage for layer in main.layers].count(str(hero)) == 1


def test_a_layer_s_footage_changes_only_that_layer_not_the_item_others_show(
    tmp_path: Path,
) -> None:
    # As nexrender (and After Effects' Replace Layer Source) do: the item stays for the
    # layers of other compositions; a footage item target is the way to change them all.
    template = _items_template(tmp_path)
    swap = _png(tmp_path / "rows" / "logo_fr.png")
    copy = tmp_path / "job.aep"

    write_rewritten(template, copy, [FootageEdit("Brand logo", swap, "Main")])

    info = read_project(copy)
    main, outro = info.composition("Main"), info.composition("Outro")
    assert main is not None
    assert outro is not None
    assert [layer.footage for layer in main.layers].count(str(swap)) == 2
    assert [layer.footage for layer in outro.layers] == [str(tmp_path / "logo.png")]
    assert ("Brand logo", str(tmp_path / "logo.png")) in {(f.name, f.file) for f in info.footage}
