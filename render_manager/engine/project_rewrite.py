"""Which route a local job that changes its project takes, and the edits of the rewrite route.

A job whose every asset is a text value, a transform or effect property value, or a
footage file for a layer or a footage item (local, or an http(s) URL downloaded at
staging), on a project the reader
can read, is rendered from its own rewritten copy of the project (stock aerender is
enough). Anything else needs the script a patched aerender runs (`-r`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

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
from render_manager.projects.edits import (
    Edit,
    FootageEdit,
    FootageItemEdit,
    PropertyEdit,
    TextEdit,
)
from render_manager.projects.rewrite import edit_problems

SOURCE_TEXT_PATHS = (("Source Text",), ("Source Text", "text"))


@dataclass(frozen=True, slots=True)
class RewritePlan:
    """The edits of the rewrite route, or why the job cannot take it.

    `reasons` are what a rewrite cannot do (a script asset, an expression, a keyframed
    property): the patched-aerender route may still run the job. `errors` are wrong input
    found in the project (no such layer or property, a value of the wrong kind): the job
    is refused whatever the route, before anything is queued.
    """

    edits: tuple[tuple[int, Edit], ...] = ()
    reasons: tuple[str, ...] = field(default=())
    errors: tuple[str, ...] = field(default=())

    @property
    def possible(self) -> bool:
        """True when the project can be rewritten with every value of the job."""
        return not self.reasons and not self.errors


def plan_rewrite(
    spec: LocalJobSpec,
    staged: Mapping[int, str] | None = None,
    read: Callable[[Path], ProjectInfo] = read_project,
) -> RewritePlan:
    """The job's edits, checked against the project (`staged`: asset index to staged file).

    `read` reads the project (raising `ProjectUnreadable`); a batch passes a cached one.
    Before staging (at submit) a footage URL stands for the file it will download to.
    """
    edits: list[tuple[int, Edit]] = []
    reasons: list[str] = []
    for index, asset in enumerate(spec.assets):
        edit = _edit(asset, staged.get(index) if staged else None)
        if isinstance(edit, str):
            reasons.append(f"assets[{index}]: {edit}")
        elif edit is not None:
            edits.append((index, edit))
    project = local_path(spec.template.src)
    if project is None:
        reasons.append("template.src: a project given by URL is not rewritten")
        return RewritePlan(reasons=tuple(reasons))
    try:
        info = read(project)
    except ProjectUnreadable as exc:
        return RewritePlan(reasons=(*reasons, f"template.src: {exc}"))
    kept: list[tuple[int, Edit]] = []
    errors: list[str] = []
    for index, edit in edits:
        found = edit_problems(info, [(f"assets[{index}]", edit)])
        reasons += found.limits
        asset = spec.assets[index]
        optional = isinstance(asset, DataAsset | FootageAsset) and asset.continue_on_missing
        if found.errors and optional:
            continue  # nexrender's continueOnMissing: render without this value
        errors += found.errors
        kept.append((index, edit))
    return RewritePlan(edits=tuple(kept), reasons=tuple(reasons), errors=tuple(errors))


def _edit(asset: Asset, staged: str | None) -> Edit | str | None:
    """The edit for one asset, None for one that needs none, or why it cannot be rewritten."""
    if isinstance(asset, StaticAsset):
        return None
    if isinstance(asset, ScriptAsset):
        return "a script asset runs inside After Effects; a project rewrite cannot run it"
    if isinstance(asset, FootageAsset) and asset.footage is not None:
        if asset.sequence:
            return "an image sequence is not rewritten"
        return FootageItemEdit(asset.footage, _footage_file(asset, staged))
    layer = asset.layer_name if asset.layer_name is not None else asset.layer_index
    if layer is None:
        return "the asset names no layer (give layerName or layerIndex)"
    # nexrender's "A->B": the layer is in B, used inside A; B is the one to edit.
    composition = asset.composition[-1] if asset.composition else None
    if isinstance(asset, DataAsset):
        if asset.expression is not None:
            return "an expression is evaluated by After Effects; a project rewrite cannot set it"
        if asset.keypath in SOURCE_TEXT_PATHS:
            if not isinstance(asset.value, str):
                return "a Source Text value must be a string to be rewritten"
            return TextEdit(layer, asset.value, composition)
        return PropertyEdit(layer, asset.keypath, asset.value, composition)
    assert isinstance(asset, FootageAsset)
    if asset.sequence:
        return "an image sequence is not rewritten"
    return FootageEdit(layer, _footage_file(asset, staged), composition)


def _footage_file(asset: FootageAsset, staged: str | None) -> Path:
    """The file a footage asset puts in the project: the staged one, else its source."""
    return Path(staged) if staged else local_path(asset.src) or _url_file(asset.src)


def _url_file(url: str) -> Path:
    """The file name a footage URL downloads as (what the check at submit needs)."""
    return Path(PurePosixPath(unquote(urlsplit(url).path)).name or "download")
