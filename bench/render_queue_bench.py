"""Importing a render queue: `renderctl submit --render-queue` on a project whose queue
holds N Queued items, timed as a user runs it (a fresh process, py-aep's import included).

The project is made with py-aep; the home is a fresh one in a temporary folder, its local
connection pointed at the fake aerender (submit checks that aerender exists).

Run: .venv/bin/python bench/render_queue_bench.py [--items 10 100 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import py_aep
from py_aep.enums import RQItemStatus

REPO = Path(__file__).resolve().parents[1]
FAKE = REPO / "tests" / "fake_aerender.py"


def _project(path: Path, items: int) -> Path:
    app = py_aep.new()
    comp = app.project.root_folder.add_comp("Main", 1920, 1080, 1.0, 10.0, 25.0)
    for n in range(items):
        item = app.project.render_queue.add(comp)
        item.output_modules[0].file = str(path.parent / f"out_{n:04d}.mov")
        item.status = RQItemStatus.QUEUED
    app.project.save(path)
    return path


def _renderctl(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RENDER_MANAGER_HOME": str(home), "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "render_manager.cli.main", *args],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[10, 100, 500])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| queued items | jobs | submit --render-queue (median) |")
    print("| ---: | ---: | ---: |")
    for count in args.items:
        times = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                project = _project(folder / "queue.aep", count)
                home = folder / "home"
                _renderctl(home, "connection", "set", "local", "--aerender", str(FAKE))
                started = time.perf_counter()
                done = _renderctl(home, "submit", "-c", "local", "--render-queue",
                                  str(project), "--json")  # fmt: skip
                times.append(time.perf_counter() - started)
                jobs = len(json.loads(done.stdout)["jobs"])
        print(f"| {count} | {jobs} | {statistics.median(times):.2f} s |")


if __name__ == "__main__":
    main()
