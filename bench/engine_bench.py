"""Local engine benchmarks: throughput against a bare asyncio loop, cancel latency, idle CPU.

Run: .venv/bin/python bench/engine_bench.py [--jobs 500] [--concurrency 4] [--repeat 1]

On a shared machine the load changes between the engine's run and the bare loop's: with
--repeat N the pair is measured N times, alternating, and the best of each is compared too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import psutil

from render_manager.domain.connection import Connection
from render_manager.domain.engine_settings import EngineSettings
from render_manager.domain.status import BackendKind
from render_manager.engine.local_cancel import LocalCanceller
from render_manager.engine.local_submit import LocalSubmitter
from render_manager.engine.pool import RenderPool
from render_manager.keychain import Keychain
from render_manager.services.context import AppContext, open_context
from render_manager.store.local_jobs import LocalJobRepository

HERE = Path(__file__).resolve().parent
INSTANT = HERE / "instant_aerender.sh"
FAKE = HERE.parent / "tests" / "fake_aerender.py"


def _home(aerender: Path, concurrency: int) -> tuple[AppContext, Path]:
    root = Path(tempfile.mkdtemp(prefix="rm-bench-"))
    ctx = open_context(root / "home", keychain=Keychain(timeout=1))
    connection = replace(
        ctx.connections.get("local"),
        aerender=str(aerender),
        concurrency=concurrency,
        engine=EngineSettings(exit_grace_s=5),
    )
    ctx.connections.update(connection)
    project = root / "promo.aep"
    project.write_bytes(b"project")
    return ctx, project


def _submit(ctx: AppContext, project: Path, n: int) -> list[str]:
    connection = ctx.connections.get("local")
    submitter = LocalSubmitter(ctx.jobs, LocalJobRepository(ctx.db), ctx.home, connection)
    bodies = [{"template": {"src": str(project), "composition": "Main"}} for _ in range(n)]
    result = submitter.submit(bodies, base_dir=project.parent)
    assert result.status == "created", result.errors
    return [job_id for _, job_id in result.jobs]


async def _bare(n: int, concurrency: int, out_dir: Path) -> float:
    """The same processes spawned by a plain semaphore-bounded asyncio loop."""
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            log = out_dir / f"{i}.log"
            with log.open("wb") as fh:
                proc = await asyncio.create_subprocess_exec(
                    str(INSTANT), "-project", "p", "-comp", "Main",
                    "-output", str(out_dir / f"{i}.mov"), stdout=fh, stderr=fh,
                )  # fmt: skip
                await proc.wait()

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    return time.perf_counter() - start


async def engine_run(n: int, concurrency: int) -> float:
    """Wall seconds of the engine alone running n trivial jobs."""
    ctx, project = _home(INSTANT, concurrency)
    _submit(ctx, project, n)
    pool = RenderPool(ctx.db, ctx.home, ctx.connections.get("local"), command="bench")
    start = time.perf_counter()
    await pool.run(until_idle=True)
    seconds = time.perf_counter() - start
    ctx.close()
    return seconds


async def throughput(n: int, concurrency: int) -> tuple[float, float, float, float]:
    """Wall seconds of the engine and of the bare loop, then the CPU seconds of the event
    loop's thread in each (less sensitive to other work on a shared machine)."""
    ctx, project = _home(INSTANT, concurrency)
    _submit(ctx, project, n)
    pool = RenderPool(ctx.db, ctx.home, ctx.connections.get("local"), command="bench")
    start, cpu = time.perf_counter(), time.thread_time()
    await pool.run(until_idle=True)
    engine_s, engine_cpu = time.perf_counter() - start, time.thread_time() - cpu
    finished = sum(j.status.value == "finished" for j in ctx.jobs.list())
    assert finished == n, f"only {finished}/{n} finished"
    cpu = time.thread_time()
    bare_s = await _bare(n, concurrency, Path(tempfile.mkdtemp(prefix="rm-bare-")))
    bare_cpu = time.thread_time() - cpu
    ctx.close()
    return engine_s, bare_s, engine_cpu, bare_cpu


async def cancel_latency(samples: int) -> list[float]:
    """From the cancel request to the render's process group being gone, in seconds."""
    os.environ["FAKE_AERENDER_FRAME_DELAY"] = "0.2"
    ctx, project = _home(FAKE, 1)
    pool = RenderPool(ctx.db, ctx.home, ctx.connections.get("local"), command="bench")
    runner = asyncio.create_task(pool.run())
    local = LocalJobRepository(ctx.db)
    canceller = LocalCanceller(ctx.jobs, local, ctx.home, wake_engine=pool.wake)
    latencies = []
    for _ in range(samples):
        (job_id,) = _submit(ctx, project, 1)
        while (record := local.get(job_id)) is None or record.pid is None:
            await asyncio.sleep(0.01)
        pid = record.pid
        start = time.perf_counter()
        await canceller.cancel([job_id], wait=False)
        # Gone = no member of the render's process group still runs (an exited process
        # waiting to be reaped holds no CPU, memory or files).
        while _group_alive(pid):
            await asyncio.sleep(0.001)
        latencies.append(time.perf_counter() - start)
        while not (ctx.jobs.get(job_id) or _never()).is_terminal:
            await asyncio.sleep(0.01)
    await pool.stop()
    await runner
    ctx.close()
    return latencies


def _group_alive(pgid: int) -> bool:
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                return True
        except (ProcessLookupError, psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return False


def _never() -> object:
    raise AssertionError("job vanished")


async def idle_cpu(seconds: float) -> float:
    """CPU seconds per wall second of an engine with nothing to run beside 100 queued jobs
    of a connection it does not serve."""
    ctx, project = _home(INSTANT, 4)
    other = Connection(name="other-workstation", kind=BackendKind.LOCAL)
    ctx.connections.add(other)
    submitter = LocalSubmitter(ctx.jobs, LocalJobRepository(ctx.db), ctx.home, other)
    bodies = [{"template": {"src": str(project), "composition": "Main"}}] * 100
    os.environ["RENDER_MANAGER_AERENDER"] = str(INSTANT)
    submitter.submit(bodies, base_dir=project.parent)
    pool = RenderPool(ctx.db, ctx.home, ctx.connections.get("local"), command="bench")
    runner = asyncio.create_task(pool.run())
    await asyncio.sleep(1)
    me = psutil.Process()
    before = me.cpu_times()
    await asyncio.sleep(seconds)
    after = me.cpu_times()
    await pool.stop()
    await runner
    ctx.close()
    return ((after.user - before.user) + (after.system - before.system)) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=1, help="throughput runs (alternating)")
    parser.add_argument("--cancel-samples", type=int, default=20)
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument(
        "--engine-only", action="store_true", help="only the engine's run, e.g. for a profiler"
    )
    args = parser.parse_args()
    if args.engine_only:
        seconds = asyncio.run(engine_run(args.jobs, args.concurrency))
        print(f"engine: {args.jobs} jobs at concurrency {args.concurrency}: {seconds:.2f} s")
        return
    pairs = [asyncio.run(throughput(args.jobs, args.concurrency)) for _ in range(args.repeat)]
    for engine_s, bare_s, engine_cpu, bare_cpu in pairs:
        print(
            f"throughput: {args.jobs} jobs at concurrency {args.concurrency}: engine "
            f"{engine_s:.2f} s, bare asyncio {bare_s:.2f} s, ratio {engine_s / bare_s:.2f}; "
            f"event-loop thread CPU: engine {engine_cpu / args.jobs * 1000:.2f} ms a job, "
            f"bare {bare_cpu / args.jobs * 1000:.2f} ms a job"
        )
    if len(pairs) > 1:
        best_engine, best_bare = min(p[0] for p in pairs), min(p[1] for p in pairs)
        ratios = [p[0] / p[1] for p in pairs]
        print(
            f"throughput over {len(pairs)} runs: median ratio {statistics.median(ratios):.2f}; "
            f"best engine {best_engine:.2f} s / best bare {best_bare:.2f} s = "
            f"{best_engine / best_bare:.2f}"
        )
    lat = asyncio.run(cancel_latency(args.cancel_samples))
    print(
        f"cancel latency (request -> process group gone), {len(lat)} samples: median "
        f"{statistics.median(lat) * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms"
    )
    cpu = asyncio.run(idle_cpu(args.idle_seconds))
    print(f"idle engine CPU beside 100 queued jobs: {cpu * 100:.2f} % of one core")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
