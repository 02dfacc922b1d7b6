"""How many frames a render of a composition has when neither the job nor aerender's log
says: read from the project, once per project file, off the event loop.

Without ``-s``/``-e`` aerender renders what a new render-queue item of the composition
renders: its work area (After Effects' default time span, "Work Area Only"; py-aep
creates items the same way). A frame given by the job replaces that end of the work area.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from render_manager.domain.local_job import TemplateSpec
from render_manager.engine.staging import local_path
from render_manager.projects import Composition, ProjectInfo, ProjectUnreadable, read_project

log = logging.getLogger(__name__)


def frames_of_range(template: TemplateSpec, comp: Composition | None) -> int | None:
    """The frames aerender renders for `template`; None when that cannot be told."""
    start, end = template.frame_start, template.frame_end
    if start is None or end is None:
        if comp is None or comp.frame_rate <= 0:
            return None
        first = round(comp.work_area_start * comp.frame_rate)
        length = round(comp.work_area_duration * comp.frame_rate)
        if length <= 0:
            return None
        start = first if start is None else start
        end = first + length - 1 if end is None else end
    if end < start:
        return None
    return (end - start) // (template.frame_increment or 1) + 1


_KEPT_PROJECTS = 256  # projects remembered; the oldest read is forgotten first


class CompFrameCounts:
    """The projects read for frame counts, one read per file version, shared by a pool.

    Only the compositions' timing is kept (not their layers), for the last projects read.
    """

    def __init__(self, read: Callable[[Path], ProjectInfo] = read_project) -> None:
        self._read = read
        self._reads: dict[tuple[Path, int], asyncio.Task[dict[str, Composition] | None]] = {}

    async def frames(self, template: TemplateSpec) -> int | None:
        """The job's frame count: its range, else the composition's work area in the project."""
        known = frames_of_range(template, None)
        if known is not None:
            return known
        path = local_path(template.src)
        if path is None:
            return None  # a project given by URL is not read for this
        comps = await self._compositions(path)
        if comps is None:
            return None
        return frames_of_range(template, comps.get(template.composition))

    async def _compositions(self, path: Path) -> dict[str, Composition] | None:
        try:
            key = (path, path.stat().st_mtime_ns)
        except OSError:
            return None
        task = self._reads.get(key)
        if task is None:
            # Parsing is CPU work: a thread. Jobs of one project wait on the same read.
            task = asyncio.ensure_future(asyncio.to_thread(self._timings, path))
            self._reads[key] = task
            while len(self._reads) > _KEPT_PROJECTS:
                del self._reads[next(iter(self._reads))]
        return await asyncio.shield(task)

    def _timings(self, path: Path) -> dict[str, Composition] | None:
        """Each composition by name (the first of a name, as aerender's -comp finds it),
        without its layers; None when the project cannot be read."""
        try:
            info = self._read(path)
        except ProjectUnreadable as exc:
            # The progress stays "frames rendered, length unknown", as before.
            log.info("frame count unknown: %s", exc)
            return None
        comps: dict[str, Composition] = {}
        for comp in info.compositions:
            comps.setdefault(comp.name, replace(comp, layers=()))
        return comps
