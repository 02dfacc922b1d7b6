"""The data side of a batch: data files, starter job templates, column mapping, row checks.

A batch is a job template (JSON text with `{{placeholders}}`) and a table of rows. Each
placeholder is mapped to a column; each row fills the template into one job body, which is
checked against what its back-end requires before anything is sent (data files are read by
`data_files`; a local body is checked, disk included, by the local validator that
`BatchSubmission.check_files` runs). Everything here is pure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from render_manager.backends.rules import rules_for
from render_manager.domain.status import BackendKind
from render_manager.services.job_files import JobFileError, bodies_of
from render_manager.services.job_templates import Row, fill, placeholders


@dataclass(frozen=True, slots=True)
class PreparedRow:
    """One data row turned into a job body, or the reason it cannot be."""

    index: int
    values: Mapping[str, str]
    body: Any = None
    error: str | None = None


def _key(name: str) -> str:
    return re.sub(r"[\s_-]+", "", name).casefold()


def auto_mapping(names: Sequence[str], columns: Sequence[str]) -> dict[str, str | None]:
    """Each placeholder's column: the one of the same name, else one equal but for case,
    spaces, '-' and '_'; None when there is none."""
    by_key = {_key(c): c for c in reversed(columns)}
    return {n: n if n in columns else by_key.get(_key(n)) for n in names}


def prepare_rows(
    template: str,
    rows: Sequence[Row],
    mapping: Mapping[str, str | None] | None = None,
    kind: BackendKind | None = None,
) -> list[PreparedRow]:
    """Fill the template from every row; a row that cannot become a valid body gets its error.

    Without a mapping, placeholders take the columns of the same name (`renderctl submit`).
    With a kind, each body is also checked against what that back-end requires.
    """
    names = placeholders(template)
    unmapped = [n for n in names if mapping is not None and not mapping.get(n)]
    prepared: list[PreparedRow] = []
    for row in rows:
        if unmapped and row.error is None:
            listed = ", ".join("{{" + n + "}}" for n in unmapped)
            prepared.append(PreparedRow(row.index, row.values, error=f"{listed}: no column chosen"))
            continue
        values = row.values
        if mapping is not None and row.error is None:
            values = {}
            for name in names:
                column = mapping.get(name)
                if column is not None and column in row.values:
                    values[name] = row.values[column]
        try:
            (body,) = bodies_of(
                fill(template, Row(row.index, values, row.error)), f"row {row.index}"
            )
        except (ValueError, JobFileError) as exc:
            prepared.append(PreparedRow(row.index, row.values, error=str(exc)))
            continue
        problem = check_body(kind, body) if kind is not None else None
        prepared.append(PreparedRow(row.index, row.values, body, problem))
    return prepared


def check_body(kind: BackendKind, body: Any) -> str | None:
    """What the back-end would refuse in this body, found before sending; None if nothing."""
    if not isinstance(body, dict):
        return "a job must be a JSON object"
    # A local body says nothing alone: `BatchSubmission.check_files` reads it whole, with
    # the files it names (one validator for the preview, submission and the engine).
    return rules_for(kind).check_body(body)


# -- starter templates ------------------------------------------------------------------------


def local_template(
    project: str,
    composition: str,
    *,
    output_module: str = "",
    render_settings: str = "",
    text_layers: Sequence[str] = (),
    frame_start: int | None = None,
    frame_end: int | None = None,
) -> str:
    """A local job for an .aep and a composition; each text layer takes a column.

    Frames left None render what aerender renders by default (the comp's work area or
    whole duration, as the project says)."""
    template: dict[str, Any] = {"src": project, "composition": composition}
    if frame_start is not None:
        template["frameStart"] = frame_start
    if frame_end is not None:
        template["frameEnd"] = frame_end
    if output_module:
        template["outputModule"] = output_module
    if render_settings:
        template["settingsTemplate"] = render_settings
    body: dict[str, Any] = {"template": template}
    if text_layers:
        body["assets"] = [_text_asset(layer) for layer in text_layers]
    return _dump(body)


def cloud_template(
    template_id: str, composition: str, layers: Sequence[tuple[str, str | None]] = ()
) -> str:
    """A Nexrender Cloud job; each (layer, type) takes a column: text, or a media URL."""
    body: dict[str, Any] = {"template": {"id": template_id, "composition": composition}}
    assets = []
    for layer, layer_type in layers:
        media = (layer_type or "").lower()
        if media in ("image", "video", "audio"):
            assets.append({"type": media, "layerName": layer, "src": "{{" + layer + "}}"})
        else:
            assets.append(_text_asset(layer))
    if assets:
        body["assets"] = assets
    return _dump(body)


def rendley_template(project_id: str, resolution: str = "1080p", codec: str = "h264") -> str:
    """A Rendley export of one project (`{{project_id}}` exports one project per row)."""
    body = {
        "project_id": project_id,
        "settings": {"target_resolution": resolution, "codec": codec},
    }
    return _dump(body)


def _text_asset(layer: str) -> dict[str, Any]:
    return {
        "type": "data",
        "layerName": layer,
        "property": "Source Text",
        "value": "{{" + layer + "}}",
    }


def _dump(body: Mapping[str, Any]) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False)


def total_cost(prices: Sequence[object | str]) -> float | None:
    """The sum of per-row prices that carry one number (credits, cost…); None if any lacks one."""
    total = 0.0
    for price in prices:
        number = _price_number(price)
        if number is None:
            return None
        total += number
    return total


def _price_number(price: object) -> float | None:
    if isinstance(price, bool):
        return None
    if isinstance(price, int | float):
        return float(price)
    if isinstance(price, dict):
        for key in ("credits", "cost", "price", "amount", "total"):
            if key in price:
                return _price_number(price[key])
    return None
