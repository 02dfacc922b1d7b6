"""Job table benchmarks: refresh apply time, event-loop lag, memory and cold start.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_bench.py [--jobs 100000]
     ... --measure filter       a filter keystroke, a status or connection change
     ... --measure first-rows   the real render-manager process to its first painted rows

Each measure runs in its own child process (a fresh interpreter), so memory and garbage of
one never weigh on the next. The table is the window's: a JobTableModel behind a
JobFilterModel (text filter empty) in a QTableView with the window's delegates, sorted by
Created, newest first, inside a shown QMainWindow.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
import qasync
from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from render_manager.domain.job import Job  # noqa: E402
from render_manager.domain.status import BackendKind, JobStatus  # noqa: E402
from render_manager.keychain import Keychain  # noqa: E402
from render_manager.services.context import open_context  # noqa: E402
from render_manager.ui.jobs.filter_bar import FilterBar  # noqa: E402
from render_manager.ui.jobs.filter_model import JobFilterModel  # noqa: E402
from render_manager.ui.jobs.table_model import JobTableModel  # noqa: E402
from render_manager.ui.jobs.table_view import job_table_view  # noqa: E402
from render_manager.ui.qt.main_thread_gc import MainThreadCollector, freeze_long_lived  # noqa: E402

STORE_POLL_S = 2.0  # the window's poll of the shared store (main_window.STORE_POLL_MS)
PROBE_S = 0.005  # the lag probe's sleep


# -- data ---------------------------------------------------------------------------------


def make_jobs(n: int, active: int, layout: str, tick: int = 0) -> list[Job]:
    """n local jobs, `active` of them rendering; `tick` moves the active jobs' progress on.

    layout "scattered": every (n / active)th job renders, so the changed rows of a refresh
    are 10,000 separate runs in the table (the worst case for range signals); "newest": the
    newest `active` jobs render, so the changed rows are one run at the top.
    """

    base = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    step = max(1, n // max(1, active))
    jobs: list[Job] = []
    for i in range(n):
        created = base + timedelta(seconds=20 * i)
        rendering = (
            i % step == 0 and i // step < active if layout == "scattered" else i >= n - active
        )
        common: dict[str, Any] = {
            "kind": BackendKind.LOCAL,
            "id": f"job-{i:06d}",
            "connection": "local",
            "name": f"shot_{i % 997:03d}_promo_{i:06d}",
            "created_at": created,
            "started_at": created + timedelta(seconds=5),
            "total_frames": 250,
        }
        if rendering:
            progress = float((i + 7 * tick) % 100)
            jobs.append(
                Job.from_raw(
                    raw_status="rendering",
                    progress=progress,
                    frames_done=int(progress * 2.5),
                    **common,
                )
            )
        elif i % 23 == 0:
            jobs.append(
                Job.from_raw(
                    raw_status="failed",
                    progress=37.0,
                    finished_at=created + timedelta(seconds=90),
                    error=f"aerender ERROR: No comp was found named 'Main_{i}'\nsecond line",
                    **common,
                )
            )
        else:
            jobs.append(
                Job.from_raw(
                    raw_status="finished",
                    progress=100.0,
                    finished_at=created + timedelta(seconds=600),
                    output=f"/renders/project_{i % 311}/shot_{i:06d}.mov",
                    frames_done=250,
                    **common,
                )
            )
    return jobs


def changed_only(before: list[Any], after: list[Any]) -> list[Job]:
    """The jobs of `after` that differ from `before`: what a refresh delivers."""
    return [new for old, new in zip(before, after, strict=True) if old != new]


def refreshed(before: list[Job], after: list[Job]) -> tuple[list[Job], list[Job]]:
    """(the jobs now, the changed ones), as the model holds them after the refresh: the
    changed jobs are new objects, their strings and times too, made one after another as
    a read of the store makes them; the unchanged stay the objects they were. So the
    only new objects alive are the changed jobs, as in the window (a refresh's
    garbage-collection cost is theirs, not the bench's)."""
    changed = changed_only(before, after)
    del after
    gc.collect(0)  # the bench's own garbage (100,000 jobs made to find the changed ones)
    fresh: list[Job] = pickle.loads(pickle.dumps(changed))  # noqa: S301 (the bench's own data)
    del changed
    by_id = {job.id: job for job in fresh}
    return [by_id.get(job.id, job) for job in before], fresh


# -- the table, as the window builds it ---------------------------------------------------


def build_table() -> tuple[Any, Any, Any, Any]:
    """(window, view, model, proxy): the window's table over an empty model, shown."""
    window = QMainWindow()
    model = JobTableModel()
    proxy = JobFilterModel(window)
    proxy.setSourceModel(model)
    view = job_table_view(proxy, window)  # the window's own view, delegates and layout
    window.setCentralWidget(view)
    window.resize(1200, 700)
    window.show()
    QApplication.processEvents()
    return window, view, model, proxy


def rss_mib() -> float:
    """This process's resident memory."""
    return float(psutil.Process().memory_info().rss) / 2**20


# -- apply: one refresh of 10,000 changed jobs, against a model reset ---------------------


class CollectionTimes:
    """The garbage collections run since `clear()`: their generations and time."""

    def __init__(self) -> None:
        self._times: list[tuple[int, float]] = []
        self._start = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self._times.append((info["generation"], time.perf_counter() - self._start))

    def clear(self) -> None:
        self._times.clear()

    def seconds(self) -> float:
        return sum(s for _g, s in self._times)

    def generations(self) -> list[int]:
        return sorted({g for g, _s in self._times})


def timed_refreshes(
    app: QApplication, model: JobTableModel, jobs: list[Job], layout: str, rounds: int
) -> tuple[list[Job], dict[str, Any]]:
    """`rounds` refreshes applied as the window applies them, each timed: (the jobs now,
    the timings)."""
    active = sum(1 for job in jobs if not job.is_terminal)
    gc_s = CollectionTimes()
    apply_s: list[float] = []
    upsert_s: list[float] = []
    plan_s: list[float] = []
    collect_s: list[float] = []
    gens: list[list[int]] = []
    with ThreadPoolExecutor(1) as worker:
        for tick in range(1, rounds + 1):
            jobs, changed = refreshed(jobs, make_jobs(len(jobs), active, layout, tick))
            # As the window's refresh: the plan is made on the worker thread that read
            # the store, the GUI thread applies it.
            start = time.perf_counter()
            plan = worker.submit(model.plan_upsert, changed).result()
            plan_s.append(time.perf_counter() - start)
            gc_s.clear()
            start = time.perf_counter()
            model.apply_upsert(plan)
            model.counts()  # the window updates its status bar after every refresh
            upsert_s.append(time.perf_counter() - start)
            app.processEvents()
            # The GUI-thread collector's pass over the objects the refresh brought: it
            # runs within half a second of the refresh (or at the next one, when the
            # freed rows left its allocation count under the threshold), so one young
            # pass is always counted here.
            gc.collect(0)
            # Every collection of the timed part, whether in the events or here.
            collect_s.append(gc_s.seconds())
            gens.append(gc_s.generations())
            apply_s.append(time.perf_counter() - start)
            # As the window does: the replaced rows are freed by the next refresh's read.
            worker.submit(plan.release).result()
            del plan

    return jobs, {
        "apply_s": apply_s,
        "upsert_s": upsert_s,
        "plan_s": plan_s,
        "collect_s": collect_s,
        "gens": gens,
    }


def part_apply(n: int, active: int, layout: str, rounds: int, freeze: bool) -> dict[str, Any]:

    app = QApplication(sys.argv[:1])
    collector = MainThreadCollector(app)  # as the app runs: gc on the GUI thread's timer
    _window, view, model, proxy = build_table()
    jobs = make_jobs(n, active, layout)
    start = time.perf_counter()
    model.set_jobs(jobs)
    app.processEvents()
    load_s = time.perf_counter() - start
    if freeze:
        freeze_long_lived()
    rss = rss_mib()

    # A user's state that every refresh must keep: a few selected rows, a scrolled view.
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in (3, 4, 5, 40_000):
        view.selectionModel().select(proxy.index(row, 0), flags)
    view.scrollTo(proxy.index(50_000, 0))
    app.processEvents()
    selected = sorted(proxy.job_at(i.row()).id for i in view.selectionModel().selectedRows())
    scroll = view.verticalScrollBar().value()

    jobs, timed = timed_refreshes(app, model, jobs, layout, rounds)

    # One more refresh, counting what it tells the views (untimed: the counting slots cost).
    signals: dict[str, int] = {}
    counters: dict[str, Any] = {}
    for name in ("dataChanged", "layoutChanged", "modelReset", "rowsInserted", "rowsRemoved"):
        signals[name] = 0
        counters[name] = lambda *_a, _n=name: signals.__setitem__(_n, signals[_n] + 1)
        getattr(model, name).connect(counters[name])
    jobs, changed = refreshed(jobs, make_jobs(n, active, layout, rounds + 1))
    model.upsert(changed)
    app.processEvents()
    kept = sorted(proxy.job_at(i.row()).id for i in view.selectionModel().selectedRows())
    kept_scroll = view.verticalScrollBar().value()
    # Only the counting slots: a bare disconnect() would also cut the proxy off the model
    # (the resets below would then leave the proxy inside a reset that never ends).
    for name, counter in counters.items():
        getattr(model, name).disconnect(counter)

    reset_s: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        model.set_jobs(jobs)
        app.processEvents()
        collector.check()
        reset_s.append(time.perf_counter() - start)
    collector.release()
    return {
        "layout": layout,
        "changed": len(changed),
        "load_s": load_s,
        "rss_mib": rss,
        **timed,
        "repaint_s": _repaint_s(view),
        "reset_s": reset_s,
        "signals": signals,
        "selection_kept": kept == selected,
        "scroll_kept": kept_scroll == scroll,
    }


def _repaint_s(view: Any) -> float:
    """Median time to paint the table's whole visible area once: the floor under any
    refresh that changes a visible row."""
    times = []
    for _ in range(5):
        start = time.perf_counter()
        view.viewport().repaint()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# -- lag: the event loop while a store's 10,000 active jobs change every 2 s --------------


def part_writer(home: str, n: int, active: int, layout: str, seconds: float) -> None:
    """Another process (an engine, renderctl) writing the active jobs every 2 s."""
    ctx = open_context(home, keychain=Keychain(timeout=1))
    running = [j for j in make_jobs(n, active, layout) if not j.is_terminal]
    end = time.monotonic() + seconds
    tick = 0
    while time.monotonic() < end:
        tick += 1
        due = time.monotonic() + STORE_POLL_S
        # Every active job moves on by 1-5 %, as renders reporting progress do.
        running = [
            j.with_changes(progress=(j.progress + 1 + (tick + k) % 5) % 100)
            for k, j in enumerate(running)
        ]
        ctx.jobs.upsert_many(running)
        print(
            f"writer: tick {tick} written in {STORE_POLL_S - due + time.monotonic():.2f} s",
            file=sys.stderr,
            flush=True,
        )
        time.sleep(max(0.0, due - time.monotonic()))
    ctx.close()


async def probe(until: float, lags: list[float]) -> None:
    """How late each of a run of short sleeps wakes up, until `until`."""
    while (now := time.perf_counter()) < until:
        await asyncio.sleep(PROBE_S)
        lags.append(max(0.0, time.perf_counter() - now - PROBE_S))


def read_and_plan(ctx: Any, model: JobTableModel, seq: int, spent: list[Any]) -> Any:
    """The window's refresh on its worker thread: free what the last refresh replaced,
    read the store's changes, plan their upsert."""
    while spent:
        spent.pop().release()
    got = ctx.jobs.changed_since(seq)
    return got, model.plan_upsert(got.jobs)


def part_lag(n: int, active: int, layout: str, seconds: float, freeze: bool) -> dict[str, Any]:

    home = Path(tempfile.mkdtemp(prefix="rm-gui-bench-")) / "home"
    ctx = open_context(home, keychain=Keychain(timeout=1))
    ctx.jobs.upsert_many(make_jobs(n, active, layout))
    app = QApplication(sys.argv[:1])
    collector = MainThreadCollector(app)  # as the app runs: gc on the GUI thread's timer
    _window, _view, model, _proxy = build_table()
    applies: list[float] = []
    failures: list[str] = []
    tasks: set[asyncio.Task[None]] = set()

    async def scenario() -> dict[str, Any]:
        changes = await asyncio.to_thread(ctx.jobs.changed_since, 0)
        seq = [changes.seq]  # the last change number read
        model.set_jobs(changes.jobs)
        if freeze:
            freeze_long_lived()  # as the window does after its first load
        rss = rss_mib()
        idle: list[float] = []
        await probe(time.perf_counter() + 3.0, idle)

        spent: list[Any] = []

        async def refresh() -> None:
            got, plan = await asyncio.to_thread(read_and_plan, ctx, model, seq[0], spent)
            seq[0] = got.seq
            if got.jobs:
                start = time.perf_counter()
                model.apply_upsert(plan)  # as the window: the plan was made on the worker
                model.counts()
                applies.append(time.perf_counter() - start)
                spent.append(plan)

        def on_done(task: asyncio.Task[None]) -> None:
            tasks.discard(task)
            if not task.cancelled() and task.exception() is not None:
                failures.append(repr(task.exception()))

        def on_poll() -> None:
            task = asyncio.ensure_future(refresh())
            tasks.add(task)
            task.add_done_callback(on_done)

        poll = QTimer(interval=int(STORE_POLL_S * 1000))
        poll.timeout.connect(on_poll)
        writer = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--part", "writer", "--home", str(home),
            "--jobs", str(n), "--active", str(active), "--layout", layout,
            "--seconds", str(seconds + 1),
        )  # fmt: skip
        poll.start()
        busy: list[float] = []
        await probe(time.perf_counter() + seconds, busy)
        poll.stop()
        await writer.wait()
        return {"rss_mib": rss, "idle": idle, "busy": busy}

    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        result = runner.run(scenario())
    collector.release()
    ctx.close()
    if failures:
        raise RuntimeError(f"refresh failed: {failures[0]}")
    return {**result, "applies": applies, "rows": model.rowCount()}


# -- cold start: process spawn to the first painted window --------------------------------

_FIRST_PAINT = """
import sys
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget, QWidget

class FirstPaint(QObject):
    done = False
    def eventFilter(self, obj, event):
        if not self.done and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget):
            self.done = True
            print("painted", flush=True)
            sys.stdout.close()
            QCoreApplication.exit(0)
        return False

app = QApplication(sys.argv[:1])
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[2])
app.setOrganizationName("render-manager-bench")
first_paint = FirstPaint()
app.installEventFilter(first_paint)
"""
_BARE = (
    _FIRST_PAINT + "window = QMainWindow()\nwindow.resize(1200, 700)\nwindow.show()\napp.exec()\n"
)
_APP = _FIRST_PAINT + (
    "from render_manager.keychain import Keychain\n"
    "from render_manager.services.app_services import AppServices\n"
    "from render_manager.services.context import open_context\n"
    "from render_manager.ui.window.main_window import MainWindow\n"
    "ctx = open_context(sys.argv[1], keychain=Keychain(timeout=1))\n"
    "window = MainWindow(AppServices(ctx))\n"
    "window.show()\napp.exec()\n"
)


def start_env(home: Path) -> dict[str, str]:
    """The environment of a measured start: as an installed app starts, with its modules'
    bytecode cached (pip compiles it on install). A development shell's
    PYTHONDONTWRITEBYTECODE would have every start compile the app's ~90 modules from
    source (~190 ms) while PySide6 loads from its cache; the cache goes under the bench's
    temp folder, not into the source tree."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home.parent / "pycache")
    return env


def first_paint_s(code: str, home: Path) -> float:
    """Wall time from spawning a Python process running `code` to its first painted window."""
    env = start_env(home)
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(home), str(home.parent / "settings")],
        stdout=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    elapsed = time.perf_counter() - start
    child.wait(timeout=30)
    if line.strip() != b"painted":
        raise RuntimeError(f"no first paint (exit code {child.returncode})")
    return elapsed


def cold_start(runs: int) -> tuple[list[float], list[float]]:

    home = Path(tempfile.mkdtemp(prefix="rm-gui-start-")) / "home"
    open_context(home, keychain=Keychain(timeout=1)).close()  # an empty home, created once
    for code in (_BARE, _APP):  # warm the file cache: the medians compare warm starts
        first_paint_s(code, home)
    bare, real = [], []
    for _ in range(runs):  # interleaved, so drift of the machine hits both alike
        bare.append(first_paint_s(_BARE, home))
        real.append(first_paint_s(_APP, home))
    return bare, real


# -- filter: a keystroke, a status or connection change, with 100,000 jobs ---------------


class PaintCounter(QObject):
    """Counts the paint events of a widget."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def part_filter(n: int, rounds: int) -> dict[str, Any]:
    """Typing "promo_05" into the window's filter box, then clearing it, `rounds` times; and
    status and connection choices through the window's filter bar. Each step is timed from
    the change to the table updated (its events processed, the viewport painted)."""
    app = QApplication(sys.argv[:1])
    collector = MainThreadCollector(app)
    window, view, model, proxy = build_table()
    bar = FilterBar(proxy, window)
    window.setMenuWidget(bar)
    jobs = make_jobs(n, n // 10, "scattered")
    # A second connection, as a home with a farm has: a tenth of the jobs.
    jobs = [j.with_changes(connection="farm") if k % 10 == 3 else j for k, j in enumerate(jobs)]
    model.set_jobs(jobs)
    bar.set_connections(["local", "farm"])
    app.processEvents()
    freeze_long_lived()

    paints = PaintCounter(view.viewport())

    def painted() -> None:
        # The table is updated once its viewport has painted the new rows: by the events
        # processed if Qt painted then, else by one repaint now (never two paints).
        before = paints.count
        app.processEvents()
        if paints.count == before:
            view.viewport().repaint()

    def timed(step: Any) -> float:
        start = time.perf_counter()
        step()
        painted()
        return time.perf_counter() - start

    keys: list[float] = []
    echo: list[float] = []
    shown: list[int] = []
    start = time.perf_counter()
    bar.text.setFocus()  # Ctrl+F or a click: the search texts are built here
    app.processEvents()
    focus_s = time.perf_counter() - start
    for _ in range(rounds):
        for end in range(1, len("promo_05") + 1):
            # The box can echo the key once textChanged (the filter pass) returns.
            start = time.perf_counter()
            bar.text.setText("promo_05"[:end])
            echo.append(time.perf_counter() - start)
            painted()
            keys.append(time.perf_counter() - start)
            shown.append(proxy.rowCount())
        keys.append(timed(bar.text.clear))
    statuses: list[float] = []
    connections: list[float] = []
    failed, rendering = JobStatus.FAILED, JobStatus.RENDERING
    for _ in range(rounds):
        statuses.append(timed(lambda: bar.choose_statuses({failed})))
        statuses.append(timed(lambda: bar.choose_statuses({failed, rendering})))
        statuses.append(timed(bar.show_all_statuses))
        connections.append(
            timed(lambda: bar.connection.setCurrentIndex(bar.connection.findData("farm")))
        )
        connections.append(timed(lambda: bar.connection.setCurrentIndex(0)))
    collector.release()
    return {
        "keys": keys,
        "echo": echo,
        "focus_s": focus_s,
        "shown": shown[: len("promo_05")],
        "statuses": statuses,
        "connections": connections,
        "rss_mib": rss_mib(),
    }


def report_filter(args: argparse.Namespace) -> None:
    r = _child(args, "filter")
    keys = r["keys"]
    print(
        f"filter keystroke -> table updated, {args.jobs} jobs: "
        f"median {statistics.median(keys) * 1000:.1f} ms"
        f", max {_ms(max(keys))} ({len(keys)} keystrokes typing 'promo_05' and clearing it,"
        f" {args.rounds} times; rows shown per prefix {r['shown']}); key to echo (the filter"
        f" pass) median {_ms(statistics.median(r['echo']))}, max {_ms(max(r['echo']))};"
        f" focus on the box (search texts built) {_ms(r['focus_s'])}"
    )
    s, c = r["statuses"], r["connections"]
    print(
        f"status filter change: median {statistics.median(s) * 1000:.1f} ms, max {_ms(max(s))}; "
        f"connection filter change: median {statistics.median(c) * 1000:.1f} ms, max "
        f"{_ms(max(c))}; RSS {r['rss_mib']:.0f} MiB"
    )


# -- first rows: process start to the first painted rows, 100,000 jobs in the home ------

# The real `render-manager` process (render_manager.app.main), told to report the first
# paint of the job table's viewport while its model holds rows.
_FIRST_ROWS = """
import os, sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QTableView

class FirstRows(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            view = obj.parent()
            if isinstance(view, QTableView) and view.model().rowCount() > 0:
                print("painted", view.model().rowCount(), flush=True)
                os._exit(0)
        return False

app = QApplication(sys.argv[:1])
first_rows = FirstRows()
app.installEventFilter(first_rows)
from render_manager.app import main
sys.exit(main(["--home", sys.argv[1]]))
"""


def first_rows_home(n: int) -> Path:
    """A home holding n jobs (made once per size, reused by later runs)."""
    home = Path(tempfile.gettempdir()) / f"rm-gui-bench-first-rows-{n}" / "home"
    done = home.parent / "complete"
    if not done.exists():
        ctx = open_context(home, keychain=Keychain(timeout=1))
        jobs = make_jobs(n, n // 10, "scattered")
        for start in range(0, n, 10_000):
            ctx.jobs.upsert_many(jobs[start : start + 10_000])
        ctx.close()
        done.touch()
    return home


def first_rows_s(home: Path) -> tuple[float, int]:
    """Seconds from spawning `render-manager` to its first painted rows, and their count."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    settings = home.parent / "settings"
    env["XDG_CONFIG_HOME"] = str(settings)
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", _FIRST_ROWS, str(home)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    assert child.stdout is not None
    line = child.stdout.readline().split()
    elapsed = time.perf_counter() - start
    child.wait(timeout=60)
    if not line or line[0] != b"painted":
        raise RuntimeError(f"no rows painted (exit code {child.returncode})")
    return elapsed, int(line[1])


def report_first_rows(args: argparse.Namespace) -> None:
    home = first_rows_home(args.jobs)
    first_rows_s(home)  # warm the file cache: the median compares warm starts
    runs = [first_rows_s(home) for _ in range(max(1, args.starts))]
    times = [t for t, _ in runs]
    print(
        f"process start -> first rows painted, {args.jobs} jobs in the home: median "
        f"{statistics.median(times) * 1000:.0f} ms (all: {', '.join(_ms(t) for t in times)}; "
        f"rows in the table at that paint: {sorted({rows for _, rows in runs})})"
    )


# -- driver -------------------------------------------------------------------------------


def _child(args: argparse.Namespace, part: str, **extra: Any) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--part", part, "--jobs", str(args.jobs)]
    argv += ["--active", str(args.active), "--rounds", str(args.rounds)]
    argv += ["--seconds", str(args.seconds)]
    if args.no_freeze:
        argv.append("--no-freeze")
    for key, value in extra.items():
        argv += [f"--{key}", str(value)]
    out = subprocess.run(argv, check=True, stdout=subprocess.PIPE, cwd=ROOT).stdout
    result: dict[str, Any] = json.loads(out.decode().splitlines()[-1])
    return result


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def report(args: argparse.Namespace) -> None:
    report_apply(args)
    report_lag(args)
    report_cold_start(args)


def report_apply(args: argparse.Namespace) -> None:
    for layout in ("scattered", "newest"):
        r = _child(args, "apply", layout=layout)
        apply, reset = statistics.median(r["apply_s"]), statistics.median(r["reset_s"])
        print(
            f"apply ({layout}): {r['changed']} of {args.jobs} jobs changed: upsert + events "
            f"median {_ms(apply)} (all: {', '.join(_ms(s) for s in r['apply_s'])}); "
            f"model reset median {_ms(reset)}; ratio {reset / apply:.1f}x"
        )
        print(
            f"  of which apply_upsert + counts median {_ms(statistics.median(r['upsert_s']))},"
            f" the collector's passes {', '.join(_ms(s) for s in r['collect_s'])}"
            f" (generations {r['gens']}); one "
            f"repaint of the visible rows {_ms(r['repaint_s'])}; the plan, on a worker "
            f"thread, median {_ms(statistics.median(r['plan_s']))}"
        )
        print(
            f"  signals of one refresh: {r['signals']}; selection kept: "
            f"{r['selection_kept']}; scroll kept: {r['scroll_kept']}; first load "
            f"{_ms(r['load_s'])}; RSS after load {r['rss_mib']:.0f} MiB"
        )
        sys.stdout.flush()


def report_lag(args: argparse.Namespace) -> None:
    r = _child(args, "lag", layout="scattered")
    print(
        f"event-loop lag ({PROBE_S * 1000:.0f} ms probe), {args.active} active of "
        f"{r['rows']} jobs in a real store, rewritten every {STORE_POLL_S:.0f} s by another "
        f"process, {args.seconds:.0f} s: p99 {_ms(_p99(r['busy']))}, max "
        f"{_ms(max(r['busy']))} ({len(r['busy'])} samples); idle p99 {_ms(_p99(r['idle']))}"
    )
    applies = r["applies"]
    print(
        f"  refreshes applied: {len(applies)}, apply_upsert + counts median "
        f"{_ms(statistics.median(applies))}"
        f", max {_ms(max(applies))}; RSS with {r['rows']} jobs loaded from the store "
        f"{r['rss_mib']:.0f} MiB"
    )
    sys.stdout.flush()


def report_cold_start(args: argparse.Namespace) -> None:
    if args.starts < 1:
        return
    bare, real = cold_start(args.starts)
    b, w = statistics.median(bare), statistics.median(real)
    print(
        f"cold start to first paint, median of {args.starts}: bare QMainWindow {_ms(b)}, "
        f"MainWindow over an empty home {_ms(w)}; ratio {w / b:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--active", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5, help="refreshes and resets timed")
    parser.add_argument("--seconds", type=float, default=20.0, help="lag measure duration")
    parser.add_argument(
        "--starts", type=int, default=5, help="cold starts of each window (0: skip)"
    )
    parser.add_argument(
        "--no-freeze", action="store_true", help="skip gc.freeze after the load (to compare)"
    )
    parser.add_argument(
        "--measure",
        choices=["all", "apply", "lag", "cold-start", "filter", "first-rows"],
        default="all",
        help="one measure only (each prints a line with its median)",
    )
    parser.add_argument("--part", help=argparse.SUPPRESS)
    parser.add_argument("--layout", default="scattered", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.part == "apply":
        freeze = not args.no_freeze
        print(json.dumps(part_apply(args.jobs, args.active, args.layout, args.rounds, freeze)))
    elif args.part == "lag":
        freeze = not args.no_freeze
        print(json.dumps(part_lag(args.jobs, args.active, args.layout, args.seconds, freeze)))
    elif args.part == "filter":
        print(json.dumps(part_filter(args.jobs, args.rounds)))
    elif args.part == "writer":
        part_writer(args.home, args.jobs, args.active, args.layout, args.seconds)
    elif args.measure == "filter":
        report_filter(args)
    elif args.measure == "first-rows":
        report_first_rows(args)
    elif args.measure == "apply":
        report_apply(args)
    elif args.measure == "lag":
        report_lag(args)
    elif args.measure == "cold-start":
        report_cold_start(args)
    else:
        report(args)


if __name__ == "__main__":
    main()
