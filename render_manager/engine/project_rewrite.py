"""Which route a local job that changes its project takes, and the edits of the rewrite route.

A job whose every asset is a text value or a local footage file, on a project the reader
can read, is rendered from its own rewritten copy of the project (stock aerender is
enough). Anything else needs the script a patched aerender runs (`-r`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from render_manager.domain.local_job import (
    Asset,
    DataAsset,
    FootageAsset,
    LocalJobSpec,
    ScriptAsset,
    StaticAsset,
)
from render_manager.engine.staging import local_path
from render_manager.projects import ProjectInfo, ProjectUnreadable, read_project
from render_manager.projects.edits import Edit, FootageEdit, TextEdit
from render_manager.projects.rewrite import edit_problems

SOURCE_TEXT_PATHS = (("Source Text",), ("Source Text", "text"))


@dataclass(frozen=True, slots=True)
class RewritePlan:
    """The edits of the rewrite route, or why the job cannot take it (`reasons`)."""

    edits: tuple[tuple[int, Edit], ...] = ()
    reasons: tuple[str, ...] = field(default=())

    @property
    def possible(self) -> bool:
        """True when the project can be rewritten with every value of the job."""
        return not self.reasons


def plan_rewrite(
    spec: LocalJobSpec,
    staged: Mapping[int, str] | None = None,
    read: Callable[[Path], ProjectInfo] = read_project,
) -> RewritePlan:
    """The job's edits, checked against the project (`staged`: asset index to staged file).

    `read` reads the project (raising `ProjectUnreadable`); a batch passes a cached one.
    """
    edits: list[tuple[int, Edit]] = []
    reasons: list[str] = []
    for index, asset in enumerate(spec.assets):
        edit = _edit(asset, staged.get(index) if staged else None)
        if isinstance(edit, str):
            reasons.append(f"assets[{index}]: {edit}")
        elif edit is not None:
            edits.append((index, edit))
    if reasons:
        return RewritePlan(reasons=tuple(reasons))
    project = local_path(spec.template.src)
    if project is None:
        return RewritePlan(reasons=("template.src: a project given by URL is not rewritten",))
    try:
        info = read(project)
    except ProjectUnreadable as exc:
        return RewritePlan(reasons=(f"template.src: {exc}",))
    where = [(f"assets[{i}]", edit) for i, edit in edits]
    return RewritePlan(edits=tuple(edits), reasons=tuple(edit_problems(info, where)))


def _edit(asset: Asset, staged: str | None) -> Edit | str | None:
    """The edit for one asset, None for one that needs none, or why it cannot be rewritten."""
    if isinstance(asset, StaticAsset):
        return None
    if isinstance(asset, ScriptAsset):
        return "a script asset runs inside After Effects; a project rewrite cannot run it"
    if asset.layer_name is None:
        return "a layer given by layerIndex is not rewritten (give layerName)"
    composition = asset.composition[-1] if asset.composition else None
    if isinstance(asset, DataAsset):
        if asset.expression is not None:
            return "an expression is evaluated by After Effects; a project rewrite cannot set it"
        if asset.keypath not in SOURCE_TEXT_PATHS:
            return f"property {asset.property!r} is not rewritten (only Source Text is)"
        if not isinstance(asset.value, str):
            return "a Source Text value must be a string to be rewritten"
        return TextEdit(asset.layer_name, asset.value, composition)
    assert isinstance(asset, FootageAsset)
    path = Path(staged) if staged else local_path(asset.src)
    if path is None:
        return "footage from a URL is not rewritten yet"
    if asset.sequence:
        return "an image sequence is not rewritten"
    return FootageEdit(asset.layer_name, path, composition)
