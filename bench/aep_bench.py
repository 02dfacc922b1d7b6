"""Project reading: how long `read_project` takes on each real .aep fixture.

Per project: the median of several reads (each a fresh parse of the file), and the
first read of a fresh process, py-aep's import included (what `renderctl inspect` pays).

Run: .venv/bin/python bench/aep_bench.py [--repeat 7] [PROJECT.aep ...]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
from pathlib import Path

from render_manager.projects import read_project

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "aep-projects"


def _cold_read_ms(project: Path) -> float:
    """The first read in a new interpreter, py-aep's import included."""
    code = (
        "import time; t = time.perf_counter();"
        "from render_manager.projects import read_project;"
        f"read_project({str(project)!r}); print((time.perf_counter() - t) * 1000)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("projects", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    projects = args.projects or sorted(FIXTURES.glob("*.aep"))
    read_project(projects[0])  # import py-aep once before timing the warm reads
    print(f"| project | size | layers | read (median of {args.repeat}) | first read, cold |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for project in projects:
        times = []
        for _ in range(args.repeat):
            gc.collect()  # each read starts from a clean heap, as a fresh worker's would
            start = time.perf_counter()
            info = read_project(project)
            times.append((time.perf_counter() - start) * 1000)
        layers = sum(len(c.layers) for c in info.compositions)
        print(
            f"| `{project.name}` | {project.stat().st_size / 1024:.0f} KiB | {layers} "
            f"| {statistics.median(times):.0f} ms | {_cold_read_ms(project):.0f} ms |"
        )


if __name__ == "__main__":
    main()
