"""New render's project read: does the event loop keep turning while a large .aep is read?

A ticker coroutine asks to run every 5 ms while `ProjectCatalog.read` reads a project in
its worker thread; the longest gap between two ticks is how long the window would have
stood still. For comparison, the same read made on the loop's own thread (what a read
without the worker would cost the window). Projects: the largest real fixtures, and a
synthetic one of many compositions and text layers made with py-aep.

Run: .venv/bin/python bench/project_catalog_bench.py [--comps 300] [--layers 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import py_aep

from render_manager.projects import read_project
from render_manager.services.project_catalog import ProjectCatalog

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "aep-projects"
_TICK_S = 0.005


def _synthetic(folder: Path, comps: int, layers: int) -> Path:
    app = py_aep.new()
    for n in range(comps):
        comp = app.project.root_folder.add_comp(f"Version {n:04d}", 1920, 1080, 1.0, 10.0, 25.0)
        for k in range(layers):
            comp.add_text(f"Line {k} of version {n}")
    path = folder / f"synthetic-{comps}x{layers}.aep"
    app.project.save(path)
    return path


async def _gaps_while(read: asyncio.Future[object]) -> list[float]:
    gaps, last = [], time.perf_counter()
    while not read.done():
        await asyncio.sleep(_TICK_S)
        now = time.perf_counter()
        gaps.append((now - last) * 1000)
        last = now
    return gaps


async def _measure(project: Path) -> tuple[float, float, float, float]:
    started = time.perf_counter()
    reading = asyncio.ensure_future(ProjectCatalog().read(project))
    gaps = await _gaps_while(reading)
    await reading
    threaded = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    read_project(project)  # on the loop's thread: the loop stands still this long
    inline = (time.perf_counter() - started) * 1000
    p99 = statistics.quantiles(gaps, n=100)[98] if len(gaps) >= 2 else max(gaps, default=0)
    return threaded, max(gaps, default=0.0), p99, inline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comps", type=int, default=300)
    parser.add_argument("--layers", type=int, default=20)
    args = parser.parse_args()
    read_project(FIXTURES / "28-versioncheck-2022.aep")  # py-aep imported before timing
    with tempfile.TemporaryDirectory() as folder:
        projects = [
            FIXTURES / "20-ludumdare47-intro.aep",
            FIXTURES / "38-aodaruma-template.aep",
            _synthetic(Path(folder), args.comps, args.layers),
        ]
        print(
            "| project | size | read in the worker | longest loop gap | p99 gap "
            "| read on the loop |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for project in projects:
            threaded, longest, p99, inline = asyncio.run(_measure(project))
            size = project.stat().st_size // 1024
            print(
                f"| `{project.name}` | {size:,} KiB | {threaded:.0f} ms | {longest:.1f} ms "
                f"| {p99:.1f} ms | {inline:.0f} ms |"
            )


if __name__ == "__main__":
    main()
