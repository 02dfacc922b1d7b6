"""One check of a local job, from its document to a job the engine can run: `validate_local`.

The batch preview, submission and the engine all read local jobs through here, so a job is
parsed by one pair of parsers and its rules live in one place: the document's own rules
(`parse_local_job`, `parse_encode_action`), the engine's (`local_job_rules`) and the disk's
(the project and asset files exist, an encode's input is a non-empty movie or an image
sequence without a gap, aerender is found).

A render's composition is looked for in its project (read once per validator): a name that
is not there is an error, with the closest names; a project the reader cannot read is still
a plain job, its composition unchecked, and the job carries a warning saying so
(`ReadyJob.warnings`), for the preview and `renderctl submit` to show.

What is queued is the parsed job written back (`ReadyJob.stored`); the engine reads it back
with `stored_render` / `stored_encode`, through the same parsers, rather than from the
document the user wrote. An encode's input is checked on disk again when it runs, since it
may have gone in the meantime.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeAlias

from render_manager.domain.connection import Connection
from render_manager.domain.local_job import (
    FootageAsset,
    JobSpecError,
    LocalJobSpec,
    ScriptAsset,
    StaticAsset,
)
from render_manager.domain.local_job_json import spec_to_json
from render_manager.domain.local_job_parser import parse_local_job
from render_manager.domain.local_job_rules import (
    LocalJobType,
    action_problems,
    script_injection_refusal,
)
from render_manager.domain.start_time import START_AT_KEY, StartTimeError, parse_start_time
from render_manager.engine.composition_check import check_composition
from render_manager.engine.encode_spec import EncodeError, EncodeSpec, parse_encode_action
from render_manager.engine.locate import AerenderNotFound, find_aerender
from render_manager.engine.project_rewrite import plan_rewrite
from render_manager.engine.staging import local_path
from render_manager.projects import ProjectInfo, ProjectUnreadable, read_project
from render_manager.store.local_records import LocalJobRecord

NOT_AN_OBJECT = "a job must be a JSON object"


@dataclass(frozen=True, slots=True)
class RenderJob:
    """A local job aerender renders (then its postrender actions), checked and ready."""

    spec: LocalJobSpec
    type: Literal[LocalJobType.RENDER] = LocalJobType.RENDER
    # What was not checked, and why: shown beside the job, never a reason to refuse it;
    # not part of the job (one read back from the store has none).
    warnings: tuple[str, ...] = field(default=(), compare=False)
    # The earliest it may start (seconds since the epoch): the queue's, not aerender's.
    not_before: float | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        """The job's name, else the composition it renders."""
        return self.spec.name or self.spec.template.composition

    @property
    def priority(self) -> int:
        """Its place in the queue: higher runs first."""
        return self.spec.priority

    def stored(self) -> dict[str, Any]:
        """What the store keeps for the engine: the spec as nexrender JSON."""
        return spec_to_json(self.spec)


@dataclass(frozen=True, slots=True)
class EncodeJob:
    """A local job ffmpeg encodes, checked and ready; its paths are absolute."""

    spec: EncodeSpec
    name: str
    priority: int = 0
    type: Literal[LocalJobType.ENCODE] = LocalJobType.ENCODE
    warnings: tuple[str, ...] = field(default=(), compare=False)
    not_before: float | None = field(default=None, compare=False)

    def stored(self) -> dict[str, object]:
        """What the store keeps for the engine: the encode's options, paths resolved."""
        return self.spec.to_options()


ReadyJob: TypeAlias = RenderJob | EncodeJob
"""A local job that passed every check, tagged by its `type`."""


class LocalValidator:
    """Checks local job documents for one connection; relative paths are read from `base_dir`.

    aerender is looked for once per validator, however many jobs it checks.
    """

    def __init__(self, connection: Connection, base_dir: Path) -> None:
        self._connection = connection
        self._base_dir = base_dir
        self._aerender_looked_up = False
        self._no_aerender: str | None = None
        # A batch of versions shares one template: read each project once (by its mtime
        # and size, so a project saved again meanwhile is read again).
        self._projects: dict[tuple[Path, int, int], ProjectInfo | ProjectUnreadable] = {}

    def validate(self, body: object, *, work_dir: Path) -> ReadyJob | list[str]:
        """The job ready to queue, or every problem found (never empty).

        `work_dir` is the job's own folder, where an encode writes an output given without
        a folder.
        """
        if not isinstance(body, Mapping):
            return [NOT_AN_OBJECT]
        # When the job may start is the queue's business: read apart from the job itself.
        start_at = body.get(START_AT_KEY)
        if START_AT_KEY in body:
            body = {key: value for key, value in body.items() if key != START_AT_KEY}
        ready = (
            self._encode(body, work_dir)
            if LocalJobType.of_body(body) is LocalJobType.ENCODE
            else self._render(body)
        )
        if start_at is None:
            return ready
        not_before = _start_time(start_at)
        if isinstance(not_before, str):
            return [*ready, not_before] if isinstance(ready, list) else [not_before]
        return (
            ready if isinstance(ready, list) else dataclasses.replace(ready, not_before=not_before)
        )

    def _render(self, body: Mapping[str, Any]) -> ReadyJob | list[str]:
        try:
            spec = parse_local_job(_with_absolute_sources(body, self._base_dir))
        except JobSpecError as exc:
            return [str(exc)]
        problems = _missing_files(spec)
        no_aerender = self._aerender_problem()
        if no_aerender is not None:
            problems.append(no_aerender)
        warnings: list[str] = []
        project = local_path(spec.template.src)
        if project is not None and project.is_file():
            checked = check_composition(
                spec.template.composition, project, self._project_or_error(project)
            )
            problems += [checked.problem] if checked.problem else []
            warnings += [checked.warning] if checked.warning else []
        if spec.needs_script and not problems:
            problems += self._route_problems(spec)
        problems += action_problems(spec)
        return problems or RenderJob(spec, warnings=tuple(warnings))

    def _route_problems(self, spec: LocalJobSpec) -> list[str]:
        """Why neither a project rewrite nor the connection's script route can run the job."""
        plan = plan_rewrite(spec, read=self._read_project)
        if plan.possible:
            return []
        if plan.errors:
            return list(plan.errors)  # wrong input: no route would render what was asked
        refusal = script_injection_refusal(spec, patched=self._connection.engine.script_injection)
        return [] if refusal is None else [*plan.reasons, refusal]

    def _read_project(self, path: Path) -> ProjectInfo:
        found = self._project_or_error(path)
        if isinstance(found, ProjectUnreadable):
            raise found
        return found

    def _project_or_error(self, path: Path) -> ProjectInfo | ProjectUnreadable:
        """The project at `path` as read once by this validator, or why it cannot be read."""
        try:
            stat = path.stat()
        except OSError:
            try:
                return read_project(path)
            except ProjectUnreadable as exc:  # the reader's own message for a missing file
                return exc
        key = (path, stat.st_mtime_ns, stat.st_size)
        if key not in self._projects:
            try:
                self._projects[key] = read_project(path)
            except ProjectUnreadable as exc:
                self._projects[key] = exc
        return self._projects[key]

    def _encode(self, body: Mapping[str, Any], work_dir: Path) -> ReadyJob | list[str]:
        problems = []
        priority = body.get("priority", 0)
        if not isinstance(priority, int) or isinstance(priority, bool):
            problems.append("priority must be an integer")
        # The queue's business, not ffmpeg's.
        options = {key: value for key, value in body.items() if key != "priority"}
        if isinstance(options.get("input"), str):
            options["input"] = _absolute(options["input"], self._base_dir)
        try:
            spec = parse_encode_action(options, work_dir)
        except EncodeError as exc:
            problems.append(str(exc))
        if problems:
            return problems
        name = str(body.get("name") or f"Encode {spec.input.name}")
        return EncodeJob(spec, name, priority)

    def _aerender_problem(self) -> str | None:
        if not self._aerender_looked_up:
            self._aerender_looked_up = True
            try:
                find_aerender(self._connection.aerender, connection_name=self._connection.name)
            except AerenderNotFound as exc:
                self._no_aerender = str(exc)
        return self._no_aerender


def _start_time(value: object) -> float | str:
    """A body's start time as seconds since the epoch, or what is wrong with it."""
    if not isinstance(value, str):
        return f"{START_AT_KEY} must be a date and time as text (ISO 8601)"
    try:
        return parse_start_time(value).timestamp()
    except StartTimeError as exc:
        return f"{START_AT_KEY}: {exc}"


def validate_local(
    body: object, base_dir: Path, connection: Connection, *, work_dir: Path
) -> ReadyJob | list[str]:
    """Check one local job document: the job ready to queue, or every problem found.

    For many documents, one `LocalValidator` looks for aerender only once.
    """
    return LocalValidator(connection, base_dir).validate(body, work_dir=work_dir)


def stored_render(record: LocalJobRecord) -> RenderJob:
    """A queued render read back from the store (raises `JobSpecError` if it was altered)."""
    return RenderJob(parse_local_job(record.spec))


def stored_encode(record: LocalJobRecord) -> EncodeJob:
    """A queued encode read back from the store; raises `EncodeError` if its input is gone."""
    spec = parse_encode_action(record.spec, Path(record.work_dir))
    return EncodeJob(spec, record.job.name, record.priority)


def _missing_files(spec: LocalJobSpec) -> list[str]:
    sources = [("template.src", spec.template.src)]
    sources += [
        (f"assets[{i}].src", asset.src)
        for i, asset in enumerate(spec.assets)
        if isinstance(asset, FootageAsset | ScriptAsset | StaticAsset)
    ]
    problems = []
    for where, src in sources:
        path = local_path(src)
        if path is not None and not path.is_file():
            problems.append(f"{where}: {path} does not exist")
    return problems


def _absolute(src: str, base_dir: Path) -> str:
    path = local_path(src)
    if path is None or path.is_absolute() or "://" in src:
        return src
    return str((base_dir / path).resolve())


def _with_absolute_sources(body: Mapping[str, Any], base_dir: Path) -> dict[str, Any]:
    """A copy of the document whose relative project and asset paths start at `base_dir`."""
    raw = copy.deepcopy(dict(body))
    template = raw.get("template")
    if isinstance(template, dict) and isinstance(template.get("src"), str):
        template["src"] = _absolute(template["src"], base_dir)
    for asset in raw.get("assets") or []:
        if isinstance(asset, dict) and isinstance(asset.get("src"), str):
            asset["src"] = _absolute(asset["src"], base_dir)
    return raw
