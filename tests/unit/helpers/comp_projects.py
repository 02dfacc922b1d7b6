"""Small After Effects projects made with py-aep: compositions of given sizes, timings and
work areas, and render-queue items, for the tests that pick or check a composition."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import py_aep


@dataclass(frozen=True)
class Comp:
    """One composition to make: size, frame rate, duration and work area in seconds."""

    name: str
    width: int = 1920
    height: int = 1080
    fps: float = 25.0
    duration: float = 10.0
    work_area: tuple[float, float] | None = None  # (start, duration)
    text_layers: tuple[str, ...] = ()  # text layers, named and holding their own name


def make_comp_project(path: Path, comps: Sequence[Comp], *, queued: Sequence[str] = ()) -> Path:
    """Save a project with these compositions at `path`; each name of `queued` gets an
    item in the render queue (py-aep gives it its default templates)."""
    app = py_aep.new()
    made = {}
    for comp in comps:
        item = app.project.root_folder.add_comp(
            comp.name, comp.width, comp.height, 1.0, comp.duration, comp.fps
        )
        if comp.work_area is not None:
            item.work_area_start, item.work_area_duration = comp.work_area
        for layer in comp.text_layers:
            item.add_text(layer).name = layer
        made[comp.name] = item
    for name in queued:
        app.project.render_queue.add(made[name])
    path.parent.mkdir(parents=True, exist_ok=True)
    # py-aep never overwrites: save beside, then replace, as an application saving does.
    fresh = path.with_name(f".{path.name}.new")
    fresh.unlink(missing_ok=True)
    app.project.save(fresh)
    fresh.replace(path)
    return path
