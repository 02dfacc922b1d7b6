"""The fake aerender, run as a real process: what the engine tests will rely on it for."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from render_manager.engine.aerender_output import AerenderProgressParser, LineSplitter

FAKE = Path(__file__).resolve().parents[1] / "fake_aerender.py"
LOGS = Path(__file__).resolve().parents[1] / "fixtures" / "aerender-logs"
DEADLINE_S = 20.0
POSIX = os.name == "posix"


def _env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAKE_AERENDER_")}
    env["FAKE_AERENDER_FRAME_DELAY"] = "0"
    env.update(overrides)
    return env


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, str(FAKE), *args],
        env=_env(**env),
        capture_output=True,
        timeout=DEADLINE_S,
        check=False,
    )


def _parse(output: bytes) -> AerenderProgressParser:
    splitter = LineSplitter()
    parser = AerenderProgressParser()
    for line in splitter.feed(output) + splitter.flush():
        parser.feed_line(line, time.monotonic())
    return parser


def _kill(pid: int) -> None:
    with contextlib.suppress(psutil.NoSuchProcess):
        psutil.Process(pid).kill()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project.aep"
    path.write_bytes(b"RIFX")
    return path


@pytest.fixture
def spawned() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts; killed afterwards whatever happened."""
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        _kill(proc.pid)
        proc.wait(timeout=DEADLINE_S)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def _start(
    spawned: list[subprocess.Popen[bytes]], args: list[str], **env: str
) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, str(FAKE), *args],
        env=_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=POSIX,
    )
    spawned.append(proc)
    return proc


def test_renders_the_requested_range_and_writes_the_output(project: Path, tmp_path: Path) -> None:
    output = tmp_path / "result.mov"
    done = _run(["-project", str(project), "-comp", "Main", "-output", str(output),
                 "-s", "10", "-e", "14", "-mfr", "ON", "90", "-sound", "OFF"])  # fmt: skip

    assert done.returncode == 0, done.stdout
    assert output.is_file()
    assert output.stat().st_size > 0
    parser = _parse(done.stdout)
    assert parser.version is not None
    assert parser.frames_done == parser.total_frames == 5
    assert parser.percent == 100.0
    assert parser.frame_rate == 25.0
    assert parser.finished_composition
    assert parser.errors == ()


def test_image_sequence_gets_one_padded_file_per_frame(project: Path, tmp_path: Path) -> None:
    done = _run(["-project", str(project), "-comp", "Main",
                 "-output", str(tmp_path / "frame_[#####].png"), "-s", "3", "-e", "5"])  # fmt: skip

    assert done.returncode == 0, done.stdout
    assert sorted(p.name for p in tmp_path.glob("frame_*.png")) == [
        "frame_00003.png",
        "frame_00004.png",
        "frame_00005.png",
    ]


def test_log_flag_sends_the_log_to_the_file(project: Path, tmp_path: Path) -> None:
    log = tmp_path / "aerender.log"
    done = _run(["-project", str(project), "-comp", "Main", "-output", str(tmp_path / "o.mov"),
                 "-e", "1", "-log", str(log)])  # fmt: skip

    assert done.returncode == 0
    assert b"Finished composition" not in done.stdout
    assert _parse(log.read_bytes()).finished_composition


def test_error_no_comp_exits_1_with_aerenders_error(project: Path, tmp_path: Path) -> None:
    output = tmp_path / "o.mov"
    done = _run(["-project", str(project), "-comp", "Missing", "-output", str(output)],
                FAKE_AERENDER_MODE="error-no-comp")  # fmt: skip

    assert done.returncode == 1
    assert _parse(done.stdout).first_error == "No comp was found with the given name."
    assert not output.exists()


def test_missing_project_and_unknown_flag_fail(project: Path, tmp_path: Path) -> None:
    missing = _run(["-project", str(tmp_path / "nope.aep"), "-comp", "Main"])
    unknown = _run(["-project", str(project), "-comp", "Main", "-bogus"])

    assert missing.returncode == 1
    assert "nope.aep" in (_parse(missing.stdout).first_error or "")
    assert unknown.returncode == 1
    assert "-bogus" in (_parse(unknown.stdout).first_error or "")


def test_no_output_mode_exits_0_without_an_output(project: Path, tmp_path: Path) -> None:
    output = tmp_path / "o.mov"
    done = _run(["-project", str(project), "-comp", "Main", "-output", str(output), "-e", "2"],
                FAKE_AERENDER_MODE="no-output")  # fmt: skip

    assert done.returncode == 0
    assert _parse(done.stdout).finished_composition
    assert not output.exists()


def test_replay_of_log_13_prints_it_and_exits_with_the_given_code(tmp_path: Path) -> None:
    log = LOGS / "13-error-no-comp-missing-fonts-ae13-win.log"
    output = tmp_path / "o.mov"
    done = _run(["-project", str(tmp_path / "not-needed.aep"), "-comp", "Main",
                 "-output", str(output)],
                FAKE_AERENDER_MODE="replay", FAKE_AERENDER_REPLAY=str(log),
                FAKE_AERENDER_EXIT="3")  # fmt: skip

    assert done.returncode == 3
    assert done.stdout == log.read_bytes()
    assert _parse(done.stdout).first_error == "No comp was found with the given name."
    assert not output.exists()


@pytest.mark.skipif(not POSIX, reason="signals and process groups are POSIX")
def test_crash_mode_dies_of_a_signal_mid_render(project: Path, tmp_path: Path) -> None:
    done = _run(["-project", str(project), "-comp", "Main", "-output", str(tmp_path / "o.mov")],
                FAKE_AERENDER_MODE="crash", FAKE_AERENDER_FAIL_AFTER="2")  # fmt: skip

    assert done.returncode == -11
    parser = _parse(done.stdout)
    assert parser.frames_done == 2
    assert not parser.finished_composition


def test_hang_mode_stays_alive_and_silent_after_a_few_frames(
    project: Path, tmp_path: Path, spawned: list[subprocess.Popen[bytes]]
) -> None:
    proc = _start(spawned, ["-project", str(project), "-comp", "Main",
                            "-output", str(tmp_path / "o.mov")],
                  FAKE_AERENDER_MODE="hang", FAKE_AERENDER_FAIL_AFTER="2")  # fmt: skip
    assert proc.stdout is not None
    parser = AerenderProgressParser()
    splitter = LineSplitter()
    # Read line by line until the second frame; a hang must not have exited by then.
    while parser.frames_done < 2:
        chunk = proc.stdout.readline()
        assert chunk, "the fake exited instead of hanging"
        for line in splitter.feed(chunk):
            parser.feed_line(line, time.monotonic())
    assert proc.poll() is None
    _kill(proc.pid)
    rest = proc.stdout.read()
    assert b"Finished composition" not in rest
    assert not (tmp_path / "o.mov").exists()


def test_no_exit_mode_finishes_but_keeps_running(
    project: Path, tmp_path: Path, spawned: list[subprocess.Popen[bytes]]
) -> None:
    output = tmp_path / "o.mov"
    proc = _start(spawned, ["-project", str(project), "-comp", "Main", "-output", str(output),
                            "-e", "2"], FAKE_AERENDER_MODE="no-exit")  # fmt: skip
    assert proc.stdout is not None
    parser = AerenderProgressParser()
    while parser.total_elapsed is None:
        line = proc.stdout.readline()
        assert line, "the fake exited"
        parser.feed_line(line.decode(), time.monotonic())

    assert parser.finished_composition
    assert output.is_file()
    assert proc.poll() is None


def test_child_mode_leaves_a_live_child_in_the_renders_process_group(
    project: Path, tmp_path: Path
) -> None:
    pid_file = tmp_path / "child.pid"
    output = tmp_path / "o.mov"
    log = tmp_path / "stdout.log"
    child_pid: int | None = None
    with log.open("wb") as sink:
        # stdout goes to a file: a pipe would stay open (held by the child) after the exit.
        proc = subprocess.Popen(
            [sys.executable, str(FAKE), "-project", str(project), "-comp", "Main",
             "-output", str(output), "-e", "2"],
            env=_env(FAKE_AERENDER_MODE="child", FAKE_AERENDER_CHILD_PID_FILE=str(pid_file)),
            stdout=sink, stderr=subprocess.STDOUT, start_new_session=POSIX,
        )  # fmt: skip
    try:
        assert proc.wait(timeout=DEADLINE_S) == 0
        child_pid = int(pid_file.read_text(encoding="ascii"))
        child = psutil.Process(child_pid)
        assert child.is_running()
        assert child.status() != psutil.STATUS_ZOMBIE
        if POSIX:
            # The engine ends a render by its process group, which must include the child.
            assert os.getpgid(child_pid) == proc.pid
        assert output.is_file()
        assert _parse(log.read_bytes()).finished_composition
    finally:
        _kill(proc.pid)
        if child_pid is None and pid_file.exists():
            child_pid = int(pid_file.read_text(encoding="ascii"))
        if child_pid is not None:
            _kill(child_pid)


@pytest.mark.skipif(not POSIX, reason="non-blocking pipe reads are POSIX")
def test_child_mode_holds_stdout_open_after_the_fake_exits(
    project: Path, tmp_path: Path, spawned: list[subprocess.Popen[bytes]]
) -> None:
    pid_file = tmp_path / "child.pid"
    proc = _start(spawned, ["-project", str(project), "-comp", "Main",
                            "-output", str(tmp_path / "o.mov"), "-e", "2"],
                  FAKE_AERENDER_MODE="child",
                  FAKE_AERENDER_CHILD_PID_FILE=str(pid_file))  # fmt: skip
    try:
        assert proc.wait(timeout=DEADLINE_S) == 0  # the output is small: the pipe never fills
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        os.set_blocking(fd, False)
        received = b""
        with contextlib.suppress(BlockingIOError):
            while chunk := os.read(fd, 65536):
                received += chunk
            pytest.fail("stdout reached end of file although the child still holds it")
        # Everything was printed, yet no EOF: exactly what leaves a naive reader hanging.
        assert b"Finished composition" in received
    finally:
        if pid_file.exists():
            _kill(int(pid_file.read_text(encoding="ascii")))


def test_version_flag_prints_the_version() -> None:
    done = _run(["-version"])
    assert done.returncode == 0
    assert _parse(done.stdout).version is not None
