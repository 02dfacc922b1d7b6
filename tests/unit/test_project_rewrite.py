"""`write_rewritten`: the job's copy of a project with its values, checked; the template kept."""

from __future__ import annotations

from pathlib import Path

import py_aep
import pytest

from render_manager.projects import read_project
from render_manager.projects.edits import FootageEdit, RewriteFailed, TextEdit
from render_manager.projects.rewrite import write_rewritten
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
