"""A promo project made with py-aep, as a motion designer's versioning template looks:
two text layers, a logo footage layer and a "Card" solid with a Brand Color, a Size slider
and a Show checkbox."""

from __future__ import annotations

from pathlib import Path

import py_aep

from tests.unit.helpers.aep_make import add_effect
from tests.unit.test_project_reader import _png


def promo_project(folder: Path) -> Path:
    """`folder/promo.aep` (comp "Main", 1920x1080 at 25 fps, 2 s) beside `logo.png`."""
    app = py_aep.new()
    main = app.project.root_folder.add_comp("Main", 1920, 1080, 1.0, 2.0, 25.0)
    card = main.add_solid([1.0, 1.0, 1.0], "Card", 1920, 1080)
    add_effect(card, "ADBE Color Control", "Brand Color", [1.0, 0.0, 0.0, 1.0])
    add_effect(card, "ADBE Slider Control", "Size", 10.0)
    add_effect(card, "ADBE Checkbox Control", "Show")
    main.add(app.project.import_file(py_aep.ImportOptions(_png(folder / "logo.png"))))
    main.add_text("Up to 50% off").name = "Subtitle"
    main.add_text("Summer sale").name = "Title"
    path = folder / "promo.aep"
    app.project.save(path)
    return path
