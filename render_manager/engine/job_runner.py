"""Running one local job from staging to a checked result: aerender renders and ffmpeg encodes."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from render_manager.domain.connection import Connection
from render_manager.domain.engine_settings import OnInterrupted
from render_manager.domain.local_job import (
    DataAsset,
    LocalJobSpec,
    StaticAsset,
    default_output_name,
    staged_file_name,
)
from render_manager.domain.local_job_rules import (
    COPY_ACTION,
    ENCODE_ACTION,
    LocalJobType,
    RenderRoute,
    script_injection_refusal,
)
from render_manager.domain.status import LocalStatus
from render_manager.engine.aerender_command import AerenderArgs, build_aerender_command
from render_manager.engine.aerender_output import AerenderProgressParser, LineSplitter
from render_manager.engine.comp_frames import CompFrameCounts
from render_manager.engine.copy_action import CopyFailed, copy_render
from render_manager.engine.download_cache import DownloadCache
from render_manager.engine.encode import EncodeProgress, run_encode
from render_manager.engine.encode_spec import EncodeError, EncodeSpec, parse_encode_action
from render_manager.engine.extendscript import build_injection_script
from render_manager.engine.local_validator import RenderJob, stored_encode, stored_render
from render_manager.engine.locate import AerenderNotFound, find_aerender
from render_manager.engine.log_tail import LogTail
from render_manager.engine.outputs import find_output, partial_output_note
from render_manager.engine.processes import ProcessIdentity, end_process_tree, new_session_kwargs
from render_manager.engine.project_rewrite import plan_rewrite
from render_manager.engine.staging import StagingError, file_name, local_path, stage
from render_manager.projects.edits import Edit, RewriteFailed
from render_manager.projects.rewrite import write_rewritten
from render_manager.store.local_jobs import LocalJobRepository
from render_manager.store.local_records import LocalJobRecord

log = logging.getLogger(__name__)

TICK_S = 0.2
PROGRESS_WRITE_S = 1.0
LOG_NAME = "aerender.log"


@dataclass
class RunnerContext:
    """What every runner of one pool shares."""

    repo: LocalJobRepository
    home: Path
    connection: Connection
    on_change: Callable[[], None]
    downloads: DownloadCache = field(default_factory=DownloadCache)
    # The frame counts of compositions, read from their projects once for the whole pool.
    frame_counts: CompFrameCounts = field(default_factory=CompFrameCounts)


class JobFailed(Exception):
    """The job failed; the message is the reason shown to the user."""


class JobInterrupted(JobFailed):
    """The job stopped because its engine did, not because of the job: the engine's
    `on_interrupted` setting decides whether it goes back to the queue, and it is never
    retried as a failure is."""


class _Cancelled(Exception):
    pass


class _Detached(Exception):
    pass


class _Stopped(Exception):
    """The engine shut down mid-job: the job goes back to the queue, nothing is lost."""


class _LogWatch:
    """The render's log as read so far, and what the parser made of it."""

    def __init__(self, log_path: Path, frames_hint: int | None) -> None:
        self.tail = LogTail(log_path)
        self.splitter = LineSplitter()
        self.parser = AerenderProgressParser(total_frames_hint=frames_hint)
        self.finished_seen_at: float | None = None

    def drain(self, *, final: bool = False) -> None:
        while data := self.tail.read_new():
            for line in self.splitter.feed(data):
                self.parser.feed_line(line, time.monotonic())
        if final:
            for line in self.splitter.flush():
                self.parser.feed_line(line, time.monotonic())


async def _tick(proc: asyncio.subprocess.Process | None, stop: asyncio.Event) -> None:
    """Wait one tick, returning early when the process exits or a stop is asked for."""
    waiters: list[asyncio.Future[object]] = [asyncio.ensure_future(stop.wait())]
    if proc is not None:
        waiters.append(asyncio.ensure_future(proc.wait()))
    _done, pending = await asyncio.wait(
        waiters, timeout=TICK_S, return_when=asyncio.FIRST_COMPLETED
    )
    for waiter in pending:
        waiter.cancel()


class JobRunner:
    """Runs one job; every outcome ends up in the store."""

    def __init__(self, ctx: RunnerContext, record: LocalJobRecord) -> None:
        self._ctx = ctx
        self._record = record
        self._job_id = record.job.id
        self._work = Path(record.work_dir)
        self._stop = asyncio.Event()
        self._cancel_requested = False
        self.detach_on_stop = False
        # Set when the user paused with "stop running renders": the status to put it back in.
        self._hold_to: LocalStatus | None = None
        self._last_write = 0.0
        self._last_values: tuple[object, ...] | None = None
        self._encode_task: asyncio.Task[object] | None = None
        self._render_job: RenderJob | None = None
        # Set once aerender finished its output: a later step's failure leaves it whole.
        self._rendered_whole = False

    async def cancel(self) -> None:
        """Stop the job and mark it cancelled."""
        self._cancel_requested = True
        self._stop.set()
        if self._encode_task is not None:
            self._encode_task.cancel()

    async def hold(self, to: LocalStatus) -> None:
        """Stop the render and put the job back as `to` (queued or paused), the run not
        counted as an attempt (a pause with "stop running renders")."""
        self._hold_to = to
        self._stop.set()
        if self._encode_task is not None:
            self._encode_task.cancel()

    async def stop(self) -> None:
        """Engine shutdown: end the job (requeued later) or leave its process running."""
        self._stop.set()
        if self._encode_task is not None:
            self._encode_task.cancel()

    async def run(self, *, adopt: ProcessIdentity | None, recovered: bool) -> None:
        """Run (or, after a restart, re-adopt) the job and record its outcome."""
        settings = self._ctx.connection.engine
        try:
            if self._record.job_type is LocalJobType.ENCODE:
                if recovered:
                    await self._end_orphan(adopt)
                    raise JobInterrupted("interrupted: the encode stopped with the engine")
                await self._run_encode_job()
            elif recovered and adopt is None and self._record.log_path is None:
                raise JobInterrupted("interrupted before the render started")
            else:
                await self._run_aerender_job(adopt=adopt, recovered=recovered)
        except _Cancelled:
            self._ctx.repo.set_status(
                self._job_id, LocalStatus.CANCELLED, error=self._noting_partial("cancelled by user")
            )
        except _Detached:
            log.info("job %s left running for the next engine to re-adopt", self._job_id)
        except _Stopped as stopped:
            self._put_back(str(stopped))
        except JobFailed as failure:
            reason = str(failure)
            interrupted = isinstance(failure, JobInterrupted)
            if interrupted and settings.on_interrupted is OnInterrupted.REQUEUE:
                self._ctx.repo.requeue(self._job_id, reason)
            # record.attempts counts the runs before this one (read before it was claimed).
            elif not interrupted and self._record.attempts < settings.retries:
                log.info("job %s failed (%s); retrying", self._job_id, reason)
                self._ctx.repo.requeue(self._job_id, f"retry after: {reason}")
            else:
                self._ctx.repo.set_status(
                    self._job_id,
                    LocalStatus.INTERRUPTED if interrupted else LocalStatus.FAILED,
                    error=self._noting_partial(reason),
                )
        except Exception as exc:  # one bad job must never stop the pool
            log.exception("job %s: unexpected error", self._job_id)
            self._ctx.repo.set_status(
                self._job_id, LocalStatus.FAILED, error=f"internal error: {exc}"
            )
        self._ctx.on_change()

    def _put_back(self, reason: str) -> None:
        """A stopped render's job goes back: held as the pause asked (its run not counted),
        or requeued after an engine stop."""
        if self._hold_to is not None:
            self._ctx.repo.hold(self._job_id, self._hold_to, "stopped by a pause")
        else:
            self._ctx.repo.requeue(self._job_id, reason)

    def _noting_partial(self, reason: str) -> str:
        """The reason a render ended without its result, saying what it left behind.

        A cancelled or failed aerender leaves what it rendered (a movie written as it goes,
        the frames of a sequence) in the job folder: it is kept and called incomplete, so
        the job never claims to have written nothing while a partial result.mov is there.
        """
        if self._record.job_type is LocalJobType.ENCODE or self._rendered_whole:
            # ffmpeg's output only appears, whole, once the encode is done; and a render
            # whose postrender step failed is complete (that step's reason says where).
            return reason
        try:
            expected = self._work / default_output_name(self._render().spec)
            note = partial_output_note(expected)
        except Exception:  # the reason must reach the store whatever the spec or disk say
            log.exception("job %s: looking for a partial output", self._job_id)
            return reason
        return reason if note is None else f"{reason}; {note}"

    async def _end_orphan(self, identity: ProcessIdentity | None) -> None:
        # An encode cannot be re-adopted (its progress came through a pipe): end the ffmpeg
        # a killed engine left writing, so the job can be rendered again cleanly.
        if identity is not None:
            await end_process_tree(identity)
        self._ctx.repo.set_process(self._job_id, None, None)

    # -- aerender ---------------------------------------------------------------------------

    def _render(self) -> RenderJob:
        """The job as submission validated it, read back from the store once."""
        if self._render_job is None:
            self._render_job = stored_render(self._record)
        return self._render_job

    async def _run_aerender_job(self, *, adopt: ProcessIdentity | None, recovered: bool) -> None:
        spec = self._render().spec
        output = self._work / default_output_name(spec)
        log_path = self._work / LOG_NAME
        if recovered:
            # The log holds everything the render printed; re-reading it restores progress.
            await self._watch_aerender(spec, adopt, None, log_path, output)
            return
        aerender = self._find_aerender()
        args = await self._stage(spec, output)
        command = build_aerender_command(aerender, args)
        log.info("job %s: %s", self._job_id, subprocess.list2cmdline(command))
        with log_path.open("ab") as log_file:
            proc = await self._spawn(command, log_file)
        identity = ProcessIdentity.of(proc.pid) or ProcessIdentity(proc.pid, time.time())
        self._ctx.repo.start_render(self._job_id, identity.pid, identity.started_at, str(log_path))
        self._ctx.on_change()
        await self._watch_aerender(spec, identity, proc, log_path, output)

    def _find_aerender(self) -> Path:
        try:
            return find_aerender(
                self._ctx.connection.aerender, connection_name=self._ctx.connection.name
            )
        except AerenderNotFound as exc:
            raise JobFailed(str(exc)) from None

    async def _spawn(self, command: list[str], log_file: IO[bytes]) -> asyncio.subprocess.Process:
        try:
            return await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log_file,
                stderr=asyncio.subprocess.STDOUT,
                cwd=self._work,
                **new_session_kwargs(),  # type: ignore[arg-type]
            )
        except OSError as exc:
            raise JobFailed(f"cannot start aerender ({command[0]}): {exc.strerror or exc}") from exc

    async def _stage(self, spec: LocalJobSpec, output: Path) -> AerenderArgs:
        template = spec.template
        self._work.mkdir(parents=True, exist_ok=True)
        try:
            project = await stage(
                template.src, self._work / file_name(template.src, "template.aep")
            )
            footage: dict[int, str] = {}
            for index, asset in enumerate(spec.assets):
                if isinstance(asset, DataAsset):
                    continue
                name = staged_file_name(asset)
                if isinstance(asset, StaticAsset):
                    # The project refers to static files by name, next to itself.
                    await stage(asset.src, self._work / name)
                    continue
                dest = self._work / "assets" / f"{index:03d}-{name}"
                footage[index] = str(await stage(await self._downloaded(asset.src, name), dest))
        except StagingError as exc:
            raise JobFailed(f"staging failed: {exc}") from None
        script = None
        route = RenderRoute.PLAIN
        # Reading the project is CPU work: off the event loop.
        plan = await asyncio.to_thread(plan_rewrite, spec, footage) if spec.needs_script else None
        if plan is not None and plan.errors:
            raise JobFailed("; ".join(plan.errors))
        if plan is not None and plan.possible:
            project = await self._rewrite(project, [edit for _i, edit in plan.edits])
            route = RenderRoute.REWRITE
        elif spec.needs_script:
            # The connection may have changed since the job was queued.
            patched = self._ctx.connection.engine.script_injection
            refusal = script_injection_refusal(spec, patched=patched)
            if refusal is not None:
                raise JobFailed(refusal)
            script = self._work / "inject.jsx"
            script.write_text(build_injection_script(spec, footage), encoding="utf-8")
            route = RenderRoute.SCRIPT
        self._ctx.repo.set_route(self._job_id, route)
        settings = self._ctx.connection
        return AerenderArgs(
            project=project,
            composition=template.composition,
            output=output,
            output_module=template.output_module,
            settings_template=template.settings_template,
            frame_start=template.frame_start,
            frame_end=template.frame_end,
            frame_increment=template.frame_increment,
            continue_on_missing=template.continue_on_missing,
            script=script,
            extra_args=settings.extra_args,
        )

    async def _downloaded(self, src: str, name: str) -> str:
        """`src` itself for a local file; for a URL, the batch's one download of it."""
        if local_path(src) is not None:
            return src
        batch = self._record.job.batch_id or self._job_id
        folder = self._ctx.home / "downloads" / batch
        return str(await self._ctx.downloads.fetch(src, folder, name))

    async def _rewrite(self, staged: Path, edits: list[Edit]) -> Path:
        """The job's own copy of the project with its values applied (CPU work: a thread)."""
        dest = staged.with_name(f"{staged.stem}-job{staged.suffix}")
        try:
            await asyncio.to_thread(write_rewritten, staged, dest, edits)
        except RewriteFailed as exc:
            raise JobFailed(f"the project could not be rewritten: {exc}") from None
        log.info("job %s: rendering the rewritten project %s", self._job_id, dest)
        return dest

    async def _watch_aerender(
        self,
        spec: LocalJobSpec,
        identity: ProcessIdentity | None,
        proc: asyncio.subprocess.Process | None,
        log_path: Path,
        output: Path,
    ) -> None:
        watch = _LogWatch(log_path, await self._ctx.frame_counts.frames(spec.template))
        started = time.monotonic()
        exit_code: int | None = None
        ended_by_us = False
        while True:
            watch.drain()
            self._write_progress(watch.parser)
            if proc is not None and proc.returncode is not None:
                exit_code = proc.returncode
                break
            if proc is None and (identity is None or not identity.is_alive()):
                break
            if self._stop.is_set():
                await self._on_stop(identity)
            if self._hung_after_finishing(watch):
                # Rendered, but aerender (or its aerendercore child) never exits.
                log.warning("job %s: aerender finished but did not exit; ending it", self._job_id)
                ended_by_us = True
                break
            failure = self._limit_exceeded(watch, started)
            if failure is not None:
                if identity is not None:
                    await end_process_tree(identity)
                raise JobFailed(failure)
            await _tick(proc, self._stop)
        if identity is not None:
            # aerender is gone (or must go), but an aerendercore child may still hold files.
            await end_process_tree(identity)
        watch.drain(final=True)
        self._write_progress(watch.parser, force=True)
        # The recorded PID is cleared with the final status, in the same transaction.
        await self._conclude_aerender(spec, watch.parser, exit_code, ended_by_us, output)

    async def _on_stop(self, identity: ProcessIdentity | None) -> None:
        if self._cancel_requested:
            if identity is not None:
                await end_process_tree(identity)
            raise _Cancelled
        if self.detach_on_stop and self._hold_to is None:
            raise _Detached
        if identity is not None:
            await end_process_tree(identity)
        raise _Stopped("the engine stopped during the render")

    def _hung_after_finishing(self, watch: _LogWatch) -> bool:
        if not watch.parser.finished_composition:
            return False
        if watch.finished_seen_at is None:
            watch.finished_seen_at = time.monotonic()
        grace = self._ctx.connection.engine.exit_grace_s
        return time.monotonic() - watch.finished_seen_at > grace

    def _limit_exceeded(self, watch: _LogWatch, started: float) -> str | None:
        settings = self._ctx.connection.engine
        if watch.tail.idle_for() > settings.stall_timeout_s:
            return (
                f"stalled: aerender printed nothing for {settings.stall_timeout_s:g} s "
                "(a crash dialog or a hung aerendercore?); the render was stopped"
            )
        limit = settings.max_render_time_s
        if limit is not None and time.monotonic() - started > limit:
            return f"the render exceeded the maximum render time of {limit:g} s and was stopped"
        return None

    async def _conclude_aerender(
        self,
        spec: LocalJobSpec,
        parser: AerenderProgressParser,
        exit_code: int | None,
        ended_by_us: bool,
        output: Path,
    ) -> None:
        written = find_output(output)
        if parser.first_error:
            raise JobFailed(parser.first_error)
        if exit_code not in (0, None):
            raise JobFailed(f"aerender exited with code {exit_code}")
        if exit_code is None and not (parser.finished_composition or ended_by_us):
            raise JobInterrupted(
                "interrupted: the render process ended while no engine was watching"
            )
        if written is None:
            raise JobFailed(f"aerender reported success but wrote no output at {output}")
        self._rendered_whole = True
        final = await self._postrender(spec, written)
        self._ctx.repo.set_status(self._job_id, LocalStatus.FINISHED, output=str(final))

    async def _postrender(self, spec: LocalJobSpec, rendered: Path) -> Path:
        final = rendered
        for action in spec.postrender:
            if action.module == COPY_ACTION:
                try:
                    final = await copy_render(final, action.options)
                except CopyFailed as exc:
                    raise JobFailed(str(exc)) from None
                continue
            if action.module != ENCODE_ACTION:
                raise JobFailed(f"unknown postrender action {action.module!r}")
            options = {"input": str(rendered), **action.options}
            try:
                encode = parse_encode_action(options, self._work)
            except EncodeError as exc:
                raise JobFailed(f"encode: {exc}") from None
            final = await self._encode(encode)
        return final

    # -- encode -----------------------------------------------------------------------------

    async def _run_encode_job(self) -> None:
        self._work.mkdir(parents=True, exist_ok=True)
        try:
            # Read back through the parser that validated it: the input is checked again.
            job = stored_encode(self._record)
        except EncodeError as exc:
            raise JobFailed(f"encode: {exc}") from None
        final = await self._encode(job.spec)
        self._ctx.repo.set_status(self._job_id, LocalStatus.FINISHED, output=str(final))

    async def _encode(self, spec: EncodeSpec) -> Path:
        self._ctx.repo.set_status(self._job_id, LocalStatus.ENCODING)
        self._ctx.on_change()
        self._last_write = 0.0

        def on_progress(progress: EncodeProgress) -> None:
            # Without the input's duration the share is unknown: count the frames instead.
            frames = progress.frame if progress.percent is None else None
            self._write(progress.percent, frames, None, progress.eta_seconds, ())

        def on_start(pid: int) -> None:
            # Recorded so that a restarted engine can end an ffmpeg this one left behind.
            identity = ProcessIdentity.of(pid)
            if identity is not None:
                self._ctx.repo.set_process(self._job_id, identity.pid, identity.started_at)

        task = asyncio.ensure_future(run_encode(spec, on_progress=on_progress, on_start=on_start))
        self._encode_task = task
        try:
            result = await task
        except asyncio.CancelledError:
            if self._cancel_requested:
                raise _Cancelled from None
            if task.cancelled() and self._stop.is_set():
                raise _Stopped("the engine stopped during the encode") from None
            raise
        except EncodeError as exc:
            raise JobFailed(f"encode failed: {exc}") from None
        finally:
            self._encode_task = None
        return Path(result.output)

    # -- progress ---------------------------------------------------------------------------

    def _write_progress(self, parser: AerenderProgressParser, *, force: bool = False) -> None:
        if force:
            self._last_write = 0.0
        self._write(
            parser.percent,
            parser.frames_done,
            parser.total_frames,
            parser.eta_seconds,
            tuple(parser.warnings),
        )

    def _write(
        self,
        percent: float | None,
        frames_done: int | None,
        total_frames: int | None,
        eta: float | None,
        warnings: tuple[str, ...],
    ) -> None:
        now = time.monotonic()
        if now - self._last_write < PROGRESS_WRITE_S:
            return
        # The ETA alone changes on every tick: it rides along with the next real change.
        shown = None if percent is None else round(percent, 1)
        values = (shown, frames_done, total_frames, warnings)
        if values == self._last_values:
            return
        self._last_write = now
        self._last_values = values
        self._ctx.repo.set_progress(
            self._job_id,
            percent=percent,
            frames_done=frames_done,
            total_frames=total_frames,
            eta_seconds=eta,
            warnings=warnings,
        )
        self._ctx.on_change()
