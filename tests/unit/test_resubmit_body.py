"""A stored body made editable for New render: text values become the form's values, and
the local form's fields are laid over the body without losing what they do not cover."""

from __future__ import annotations

import json
from typing import Any

from render_manager.services.batch_data import prepare_rows
from render_manager.services.job_templates import Row
from render_manager.services.resubmit_body import editable, local_body_over, local_fields


def _stored() -> dict[str, Any]:
    return {
        "template": {
            "src": "/projects/promo.aep",
            "composition": "Mian",
            "frameStart": 0,
            "frameEnd": 49,
            "outputModule": "H.264",
            "outputExt": "mp4",
        },
        "assets": [
            {"type": "data", "layerName": "Title", "property": "Source Text", "value": "Hello"},
            {"type": "image", "src": "/projects/logo.png", "layerName": "Logo"},
            {
                "type": "data",
                "layerName": "Tint",
                "property": "Effects.Fill.Color",
                "value": [1, 0, 0],
            },
        ],
        "actions": {"postrender": [{"module": "@nexrender/action-copy", "output": "/out/a.mp4"}]},
        "name": "promo",
    }  # fmt: skip


def test_text_values_become_the_forms_values_and_the_template_fills_back_to_the_body() -> None:
    stored = _stored()
    made = editable(stored)

    assert made.values == {"Title": "Hello"}
    assert made.text_layers == ("Title",)
    assert '"value": "{{Title}}"' in made.template
    ((row),) = prepare_rows(made.template, [Row(0, dict(made.values))])
    assert row.body == stored, "filled with its own values, the template is the body again"


def test_a_layer_named_twice_keeps_its_values_in_the_template() -> None:
    stored = _stored()
    stored["assets"].append(
        {"type": "data", "layerName": "Title", "property": "Source Text", "value": "Again"}
    )
    made = editable(stored)
    assert made.values == {}
    assert "{{" not in made.template


def test_the_local_fields_show_what_the_body_says() -> None:
    fields = local_fields(_stored())
    assert (fields.project, fields.composition) == ("/projects/promo.aep", "Mian")
    assert (fields.frame_start, fields.frame_end) == ("0", "49")
    assert (fields.output_module, fields.render_settings) == ("H.264", "")


def test_the_fields_laid_over_the_body_change_only_what_they_cover() -> None:
    made = editable(_stored())
    text = local_body_over(
        made.base,
        "/projects/promo.aep",
        "Main",
        output_module="H.264",
        text_layers=["Title", "Subtitle"],
        frame_start=0,
        frame_end=None,
    )
    body = json.loads(text)
    assert body["template"] == {
        "src": "/projects/promo.aep",
        "composition": "Main",
        "frameStart": 0,
        "outputModule": "H.264",
        "outputExt": "mp4",
    }
    assert [a["layerName"] for a in body["assets"]] == ["Title", "Logo", "Tint", "Subtitle"]
    assert body["assets"][0]["value"] == "{{Title}}"
    assert body["actions"] == _stored()["actions"]
    assert body["name"] == "promo"

    dropped = json.loads(local_body_over(made.base, "/projects/promo.aep", "Main"))
    assert [a["layerName"] for a in dropped["assets"]] == ["Logo", "Tint"]
