"""Validating and queueing local jobs: all of a submission is queued, or none of it."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from render_manager.domain.connection import Connection
from render_manager.domain.ids import new_ulid
from render_manager.domain.job import Batch, Job
from render_manager.domain.local_job import JobSpecError
from render_manager.domain.local_job_json import spec_to_json
from render_manager.domain.local_job_parser import parse_local_job
from render_manager.domain.status import BackendKind, LocalStatus
from render_manager.engine.encode_spec import EncodeError, parse_encode_action
from render_manager.engine.job_runner import SCRIPT_INJECTION_NEEDED
from render_manager.engine.locate import AerenderNotFound, find_aerender
from render_manager.engine.staging import local_path
from render_manager.services.results import SubmitResult
from render_manager.store.jobs import JobRepository
from render_manager.store.local_jobs import LocalJobRepository, NewLocalJob

ENCODE_TYPE = "encode"
_KNOWN_ACTIONS = frozenset({"encode"})


class LocalSubmitter:
    """Turns job bodies into queued local jobs."""

    def __init__(
        self, jobs: JobRepository, local: LocalJobRepository, home: Path, connection: Connection
    ) -> None:
        if connection.kind is not BackendKind.LOCAL:
            raise ValueError(f"{connection.name} is not a local connection")
        self._jobs = jobs
        self._local = local
        self._home = home
        self._connection = connection

    def submit(
        self, bodies: Sequence[Any], *, base_dir: Path, batch_name: str | None = None
    ) -> SubmitResult:
        """Validate every body, then queue them all in one transaction (or none on error).

        Relative paths in a body are taken relative to `base_dir` (the job file's folder).
        """
        prepared: list[NewLocalJob] = []
        errors: list[tuple[int, str]] = []
        now = datetime.now(UTC)
        batch_id = new_ulid() if len(bodies) > 1 else None
        for index, body in enumerate(bodies):
            try:
                prepared.append(self._prepare(body, base_dir, now, batch_id))
            except (JobSpecError, EncodeError, AerenderNotFound, _Invalid) as exc:
                errors.append((index, str(exc)))
        if errors:
            return SubmitResult(batch_id=None, status="error", errors=errors)
        if batch_id is not None:
            self._jobs.add_batch(
                Batch(
                    id=batch_id,
                    connection=self._connection.name,
                    name=batch_name or f"{len(prepared)} jobs",
                    created_at=now,
                )
            )
        self._local.submit(prepared)
        return SubmitResult(
            batch_id=batch_id,
            status="created",
            jobs=[(i, new.job.id) for i, new in enumerate(prepared)],
        )

    def _prepare(
        self, body: Any, base_dir: Path, now: datetime, batch_id: str | None
    ) -> NewLocalJob:
        if not isinstance(body, dict):
            raise _Invalid("a job must be a JSON object")
        job_id = new_ulid()
        work_dir = self._home / "jobs" / job_id
        if body.get("type") == ENCODE_TYPE:
            spec = _resolve_encode(body, base_dir)
            priority = _priority(spec)
            spec.pop("priority", None)  # the queue's business, not ffmpeg's
            encode = parse_encode_action(spec, work_dir)
            name = str(spec.get("name") or f"Encode {Path(str(encode.input)).name}")
            job_type = ENCODE_TYPE
        else:
            raw = _resolve_paths(body, base_dir)
            parsed = parse_local_job(raw)
            self._check_files(raw)
            find_aerender(self._connection.aerender, connection_name=self._connection.name)
            if parsed.needs_script and not self._connection.engine.script_injection:
                raise _Invalid(SCRIPT_INJECTION_NEEDED)
            if parsed.prerender:
                raise _Invalid("prerender actions are not supported by the local engine")
            for action in parsed.postrender:
                if action.module not in _KNOWN_ACTIONS:
                    raise _Invalid(
                        f"postrender action {action.module!r} is not supported "
                        f"(supported: {', '.join(sorted(_KNOWN_ACTIONS))})"
                    )
            spec = spec_to_json(parsed)
            name = parsed.name or parsed.template.composition
            job_type, priority = "aerender", parsed.priority
        job = Job.from_raw(
            kind=BackendKind.LOCAL,
            id=job_id,
            connection=self._connection.name,
            name=name,
            raw_status=LocalStatus.QUEUED.value,
            created_at=now,
            batch_id=batch_id,
        )
        return NewLocalJob(
            job=job, job_type=job_type, spec=spec, work_dir=str(work_dir), priority=priority
        )

    @staticmethod
    def _check_files(raw: dict[str, Any]) -> None:
        sources = [("template.src", raw["template"]["src"])]
        for i, asset in enumerate(raw.get("assets") or []):
            if isinstance(asset, dict) and isinstance(asset.get("src"), str):
                sources.append((f"assets[{i}].src", asset["src"]))
        for where, src in sources:
            path = local_path(src)
            if path is not None and not path.is_file():
                raise _Invalid(f"{where}: {path} does not exist")


class _Invalid(ValueError):
    pass


def _priority(body: dict[str, Any]) -> int:
    value = body.get("priority", 0)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Invalid("priority must be an integer")
    return value


def _absolute(src: str, base_dir: Path) -> str:
    path = local_path(src)
    if path is None or path.is_absolute() or "://" in src:
        return src
    return str((base_dir / path).resolve())


def _resolve_paths(body: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    raw = copy.deepcopy(body)
    template = raw.get("template")
    if isinstance(template, dict) and isinstance(template.get("src"), str):
        template["src"] = _absolute(template["src"], base_dir)
    for asset in raw.get("assets") or []:
        if isinstance(asset, dict) and isinstance(asset.get("src"), str):
            asset["src"] = _absolute(asset["src"], base_dir)
    return raw


def _resolve_encode(body: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    raw = copy.deepcopy(body)
    if isinstance(raw.get("input"), str):
        raw["input"] = _absolute(raw["input"], base_dir)
    return raw
