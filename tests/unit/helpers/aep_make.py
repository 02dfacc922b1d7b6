"""Projects made with py-aep for the tests: effects and transforms the real fixtures lack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import py_aep


def add_effect(layer: Any, match_name: str, name: str, value: object = None) -> None:
    """Add the effect `match_name` called `name` to `layer`, its first property set to `value`."""
    parade = next(g for g in layer.properties if g.match_name == "ADBE Effect Parade")
    effect = parade.add_property(match_name)
    effect.name = name
    if value is not None:
        effect.properties[0].value = value


def branded_project(path: Path) -> Path:
    """A "Main" comp holding a precomp "Lower Third" (layer 1), a text layer "Title" and a
    solid "Card" with a Brand Color (#FF0000), a Size slider (10) and a Show checkbox (0);
    "Lower Third" holds a solid "Bar" with its own Brand Color (#00FF00). Saved at `path`."""
    app = py_aep.new()
    root = app.project.root_folder
    lower = root.add_comp("Lower Third", 640, 120, 1.0, 5.0, 25.0)
    bar = lower.add_solid([0.0, 0.0, 0.0], "Bar", 640, 120)
    add_effect(bar, "ADBE Color Control", "Brand Color", [0.0, 1.0, 0.0, 1.0])
    main = root.add_comp("Main", 1920, 1080, 1.0, 5.0, 25.0)
    card = main.add_solid([1.0, 1.0, 1.0], "Card", 1920, 1080)
    add_effect(card, "ADBE Color Control", "Brand Color", [1.0, 0.0, 0.0, 1.0])
    add_effect(card, "ADBE Slider Control", "Size", 10.0)
    add_effect(card, "ADBE Checkbox Control", "Show")
    main.add_text("Hello").name = "Title"
    main.add(lower)
    path.parent.mkdir(parents=True, exist_ok=True)
    app.project.save(path)
    return path
