"""`renderctl submit -c NAME --render-queue PROJECT.aep [--json]`: a project's render queue
as one batch of jobs (see services/render_queue_import.py for what becomes what)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from render_manager.cli.errors import EXIT_BAD_INPUT, EXIT_OK, BadInput, CliError
from render_manager.domain.connection import Connection
from render_manager.domain.results import SubmitResult
from render_manager.projects import ProjectUnreadable, read_project
from render_manager.services.app_services import AppServices
from render_manager.services.render_queue_import import (
    ImportedJob,
    NoQueuedItem,
    import_queued,
    import_refusal,
    submit_imported,
)


def submit_render_queue(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    """Queue every Queued item of the project's render queue; exit 2 when there is none."""
    if args.file is not None or args.rows is not None or args.sheet is not None:
        raise BadInput("--render-queue takes the project alone: drop FILE, --rows and --sheet")
    connection = services.ctx.connections.get(args.connection)
    refusal = import_refusal(connection)
    if refusal is not None:
        raise BadInput(refusal)
    project: Path = args.render_queue
    try:
        info = read_project(project)
        jobs = import_queued(project, info)
    except (ProjectUnreadable, NoQueuedItem) as exc:
        raise BadInput(str(exc)) from None
    result = asyncio.run(_send(services, connection, project, jobs))
    for job in jobs:
        if job.note:
            print(f"{_where(job)}: {job.note}", file=sys.stderr)
    _print(project, jobs, result, args.json, out)
    if result.status == "created":
        return EXIT_OK
    print("nothing was queued", file=sys.stderr)
    return EXIT_BAD_INPUT


async def _send(
    services: AppServices, connection: Connection, project: Path, jobs: list[ImportedJob]
) -> SubmitResult:
    try:
        return await submit_imported(services, connection, project, jobs)
    except OSError as exc:
        raise CliError(f"cannot queue the render queue of {project}: {exc}") from exc
    finally:
        await services.aclose()


def _where(job: ImportedJob) -> str:
    several = len(job.item.output_modules) > 1
    return f"render queue #{job.item.index}" + (f" output {job.module}" if several else "")


def _print(
    project: Path, jobs: list[ImportedJob], result: SubmitResult, as_json: bool, out: TextIO
) -> None:
    if as_json:
        json.dump(_json(project, jobs, result), out, indent=2)
        out.write("\n")
    else:
        for index, job_id in result.jobs:
            job = jobs[index]
            frames = f"frames {job.item.frame_start}-{job.item.frame_end}"
            print(f"submitted {job_id} ({_where(job)}: {job.item.comp}, {frames})", file=out)
        if result.batch_id:
            print(f"batch {result.batch_id} ({project.name}): {len(result.jobs)} jobs", file=out)
    for index, error in result.errors:
        print(f"{_where(jobs[index])}: {error}", file=sys.stderr)


def _json(project: Path, jobs: list[ImportedJob], result: SubmitResult) -> dict[str, Any]:
    """`submit --json`'s shape; each job also says which render-queue item it came from."""
    data = result.to_json()
    data["project"] = str(project)
    created = dict(result.jobs)
    data["jobs"] = [
        {
            "index": index,
            "id": created[index],
            "render_queue_item": job.item.index,
            "output_module": job.module,
            "comp": job.item.comp,
            "frames": {"start": job.item.frame_start, "end": job.item.frame_end},
            "output_module_template": job.body["template"].get("outputModule"),
            "render_settings": job.body["template"].get("settingsTemplate"),
            "output": job.output,
            "note": job.note,
        }
        for index, job in enumerate(jobs)
        if index in created
    ]
    return data
