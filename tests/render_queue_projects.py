"""Real .aep projects with a render queue, made with py-aep for the render-queue tests."""

from __future__ import annotations

from pathlib import Path

import py_aep
from py_aep.enums import RQItemStatus


def render_queue_project(path: Path, out_dir: Path) -> Path:
    """A project at `path` whose render queue holds, in order:

    1. "Main", Queued, frames 10-49, one output module writing `out_dir`/main.mov;
    2. "Lower third", Done;
    3. "Main", Unqueued;
    4. "Lower third", Queued, whole comp (0-49), two output modules: an image sequence in
       `out_dir` and one without an output path.
    """
    app = py_aep.new()
    project = app.project
    main = project.root_folder.add_comp("Main", 640, 360, 1.0, 4.0, 25.0)
    lower = project.root_folder.add_comp("Lower third", 640, 360, 1.0, 2.0, 25.0)
    queue = project.render_queue
    first = queue.add(main)
    first.output_modules[0].file = str(out_dir / "main.mov")
    first.status = RQItemStatus.QUEUED
    first.time_span_start_frame = 10
    first.time_span_end_frame = 50  # py-aep's end is the first frame after the span
    done = queue.add(lower)
    done.output_modules[0].file = str(out_dir / "lower-done.mov")
    done.status = RQItemStatus.DONE
    off = queue.add(main)
    off.output_modules[0].file = str(out_dir / "main-off.mov")
    off.status = RQItemStatus.UNQUEUED
    both = queue.add(lower)
    both.output_modules[0].file = str(out_dir / "lower_[#####].tif")
    both.add()
    both.status = RQItemStatus.QUEUED
    path.parent.mkdir(parents=True, exist_ok=True)
    project.save(path)
    return path


def project_without_queued_item(path: Path) -> Path:
    """A project whose render queue holds two Done items and one Unqueued one."""
    app = py_aep.new()
    project = app.project
    main = project.root_folder.add_comp("Main", 640, 360, 1.0, 2.0, 25.0)
    for status in (RQItemStatus.DONE, RQItemStatus.UNQUEUED, RQItemStatus.DONE):
        item = project.render_queue.add(main)
        item.output_modules[0].file = str(path.parent / "out.mov")
        item.status = status
    path.parent.mkdir(parents=True, exist_ok=True)
    project.save(path)
    return path


def project_with_work_area(path: Path, *, fps: float, work_area: tuple[float, float]) -> Path:
    """A project with one comp "Main" (60 s) whose work area is (start, duration) seconds."""
    app = py_aep.new()
    main = app.project.root_folder.add_comp("Main", 640, 360, 1.0, 60.0, fps)
    main.work_area_start, main.work_area_duration = work_area
    path.parent.mkdir(parents=True, exist_ok=True)
    app.project.save(path)
    return path
