"""The encode action and encode jobs, with the real ffmpeg bundled by imageio-ffmpeg.

Inputs are generated once per module (a 2 s 160x90 clip with sound and a 20-frame PNG
sequence); each test encodes into its own folder.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import imageio_ffmpeg
import psutil
import pytest

from render_manager.engine import encode
from render_manager.engine.encode import EncodeProgress, EncodeResult, run_encode
from render_manager.engine.encode_spec import (
    EncodeError,
    EncodeSpec,
    build_ffmpeg_command,
    parse_encode_action,
)

FFMPEG: str = imageio_ffmpeg.get_ffmpeg_exe()
SAMPLE_JSON = Path(__file__).resolve().parents[2] / "resources" / "samples" / "encode-sample.json"
CLIP_FRAMES = 50  # 2 s at 25 fps
SEQUENCE_FRAMES = 20
WAIT_LIMIT_S = 30.0


def _ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", *args], check=True)


def _make_sequence(folder: Path, frames: int, size: str = "160x90", start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _ffmpeg(
        "-f", "lavfi", "-i", f"testsrc=size={size}:rate=25", "-frames:v", str(frames),
        "-start_number", str(start), str(folder / "result_%05d.png"),
    )  # fmt: skip
    return folder / "result_[#####].png"


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with clip.mkv (H.264 + AAC sine, 2 s, 25 fps) and sequence/result_000NN.png."""
    folder = tmp_path_factory.mktemp("media")
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=160x90:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
        str(folder / "clip.mkv"),
    )  # fmt: skip
    _make_sequence(folder / "sequence", SEQUENCE_FRAMES)
    return folder


@pytest.fixture
def clip(media: Path) -> Path:
    return media / "clip.mkv"


@pytest.fixture
def sequence(media: Path) -> Path:
    return media / "sequence" / "result_[#####].png"


def _probe(path: Path) -> str:
    """What `ffmpeg -i` says about a file (it exits 1 for want of an output; that is fine)."""
    done = subprocess.run(
        [FFMPEG, "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stderr


def _stream(info: str, kind: str) -> str:
    """The description of the first Video or Audio stream in `ffmpeg -i` output, or ""."""
    match = re.search(rf"Stream #\d+:\d+.*?: {kind}: (.*)", info)
    return match.group(1) if match else ""


def _size(info: str) -> tuple[int, int]:
    video = _stream(info, "Video")
    match = re.search(r"\b(\d{2,5})x(\d{2,5})\b", video)
    assert match is not None, video
    return int(match.group(1)), int(match.group(2))


async def _encode(spec: EncodeSpec) -> tuple[EncodeResult, list[EncodeProgress]]:
    reports: list[EncodeProgress] = []
    result = await run_encode(spec, on_progress=reports.append)
    return result, reports


def _assert_progress_ends_at_100(reports: list[EncodeProgress]) -> None:
    percents = [r.percent for r in reports]
    assert percents, "no progress was reported"
    assert all(p is not None for p in percents), percents
    known = [p for p in percents if p is not None]
    assert known == sorted(known), f"progress went backwards: {known}"
    assert known[-1] == 100.0
    assert known.count(100.0) == 1, "100 % may only be reported once the output is in place"


def _ffmpeg_children() -> list[psutil.Process]:
    """This test process's ffmpeg descendants that still run (zombies count as ended)."""
    alive = []
    for child in psutil.Process().children(recursive=True):
        try:
            if "ffmpeg" in child.name() and child.status() != psutil.STATUS_ZOMBIE:
                alive.append(child)
        except psutil.NoSuchProcess:
            pass
    return alive


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return []


def _is_running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


async def _wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_LIMIT_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


# -- presets ----------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("preset", ["mp4", "h264"])
async def test_mp4_preset_writes_streamable_h264_with_aac_sound(
    clip: Path, tmp_path: Path, preset: str
) -> None:
    spec = parse_encode_action({"input": str(clip), "preset": preset}, tmp_path)
    assert spec.output == tmp_path / "clip.mp4"

    result, reports = await _encode(spec)

    assert result.output == tmp_path / "clip.mp4"
    assert sorted(os.listdir(tmp_path)) == ["clip.mp4"], "a partial file was left behind"
    info = _probe(result.output)
    video, audio = _stream(info, "Video"), _stream(info, "Audio")
    assert video.startswith("h264"), info
    assert "yuv420p" in video, "H.264 for players everywhere is 4:2:0"
    assert audio.startswith("aac"), info
    assert imageio_ffmpeg.count_frames_and_secs(str(result.output)) == (CLIP_FRAMES, 2.0)
    data = result.output.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat"), "+faststart should put the index first"
    _assert_progress_ends_at_100(reports)


@pytest.mark.asyncio
async def test_prores_preset_writes_prores_hq_mov_with_pcm_sound(
    clip: Path, tmp_path: Path
) -> None:
    spec = parse_encode_action(
        {"input": str(clip), "preset": "prores", "output": "m.mov"}, tmp_path
    )

    result, reports = await _encode(spec)

    info = _probe(tmp_path / "m.mov")
    video, audio = _stream(info, "Video"), _stream(info, "Audio")
    assert video.startswith("prores (HQ)"), info
    assert audio.startswith("pcm_s16le"), info
    assert imageio_ffmpeg.count_frames_and_secs(str(result.output)) == (CLIP_FRAMES, 2.0)
    _assert_progress_ends_at_100(reports)


@pytest.mark.asyncio
async def test_gif_preset_turns_a_sequence_into_a_15_fps_gif(
    sequence: Path, tmp_path: Path
) -> None:
    # 20 frames at the default 25 fps last 0.8 s: 12 frames at the GIF's 15 fps.
    spec = parse_encode_action({"input": str(sequence), "preset": "gif"}, tmp_path)
    assert spec.output == tmp_path / "result.gif"

    result, reports = await _encode(spec)

    info = _probe(result.output)
    video = _stream(info, "Video")
    assert video.startswith("gif"), info
    assert _size(info) == (160, 90)
    assert imageio_ffmpeg.count_frames_and_secs(str(result.output)) == (12, 0.8)
    _assert_progress_ends_at_100(reports)


@pytest.mark.asyncio
async def test_gif_preset_caps_the_width_at_480(tmp_path: Path) -> None:
    pattern = _make_sequence(tmp_path / "big", 3, size="640x360")
    spec = parse_encode_action(
        {"input": str(pattern), "preset": "gif", "output": "a.gif"}, tmp_path
    )

    result, _ = await _encode(spec)

    assert _size(_probe(result.output)) == (480, 270)


@pytest.mark.asyncio
async def test_sequence_plays_at_fps_and_scales_to_width(sequence: Path, tmp_path: Path) -> None:
    spec = parse_encode_action(
        {"input": str(sequence), "preset": "mp4", "fps": 10, "width": 80, "output": "s.mp4"},
        tmp_path,
    )

    result, reports = await _encode(spec)

    assert imageio_ffmpeg.count_frames_and_secs(str(result.output)) == (SEQUENCE_FRAMES, 2.0)
    width, height = _size(_probe(result.output))
    assert width == 80
    assert height in (44, 46), "the aspect ratio is kept, rounded to an even height"
    assert result.duration_seconds == 2.0
    _assert_progress_ends_at_100(reports)


@pytest.mark.asyncio
async def test_sequence_starting_at_any_frame_number_encodes_every_frame(tmp_path: Path) -> None:
    # After Effects numbers frames from the comp's start frame, rarely 0.
    pattern = _make_sequence(tmp_path / "late start", 7, start=1187)
    spec = parse_encode_action(
        {"input": str(pattern), "preset": "prores", "output": "x.mov"}, tmp_path
    )
    assert spec.start_number == 1187

    result, _ = await _encode(spec)

    assert imageio_ffmpeg.count_frames_and_secs(str(result.output))[0] == 7


@pytest.mark.asyncio
async def test_sequence_in_a_folder_with_a_percent_sign_encodes(tmp_path: Path) -> None:
    _make_sequence(tmp_path / "plain", 5)
    folder = (tmp_path / "plain").rename(tmp_path / "v2 100%d done")
    spec = parse_encode_action(
        {"input": str(folder / "result_[#####].png"), "preset": "mp4", "output": "p.mp4"},
        tmp_path,
    )

    result, _ = await _encode(spec)

    assert imageio_ffmpeg.count_frames_and_secs(str(result.output))[0] == 5


@pytest.mark.asyncio
async def test_fps_changes_a_movies_frame_rate(clip: Path, tmp_path: Path) -> None:
    spec = parse_encode_action({"input": str(clip), "preset": "mp4", "fps": 10}, tmp_path)

    result, _ = await _encode(spec)

    assert imageio_ffmpeg.count_frames_and_secs(str(result.output)) == (20, 2.0)


# -- explicit params --------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_params_alone_choose_the_codecs(clip: Path, tmp_path: Path) -> None:
    spec = parse_encode_action(
        {"input": str(clip), "params": ["-c:v", "mpeg4", "-q:v", "5", "-an"], "output": "x.avi"},
        tmp_path,
    )

    result, reports = await _encode(spec)

    info = _probe(result.output)
    video = _stream(info, "Video")
    assert video.startswith("mpeg4"), info
    assert _stream(info, "Audio") == "", "-an should drop the sound"
    _assert_progress_ends_at_100(reports)


@pytest.mark.asyncio
async def test_nexrender_params_object_overrides_the_preset(clip: Path, tmp_path: Path) -> None:
    # nexrender's own form, {"-option": value}, where a null value is a bare flag.
    spec = parse_encode_action(
        {"module": "encode", "input": str(clip), "preset": "mp4",
         "params": {"-vcodec": "mpeg4", "-an": None}},
        tmp_path,
    )  # fmt: skip

    result, _ = await _encode(spec)

    info = _probe(result.output)
    video = _stream(info, "Video")
    assert video.startswith("mpeg4"), info
    assert _stream(info, "Audio") == "", info


@pytest.mark.asyncio
async def test_progress_moves_before_the_end_with_an_eta(clip: Path, tmp_path: Path) -> None:
    # realtime slows ffmpeg to 2x real time, so a 2 s clip takes about 1 s: several reports.
    spec = parse_encode_action(
        {"input": str(clip), "preset": "prores", "output": "slow.mov",
         "params": ["-vf", "realtime=speed=2", "-stats_period", "0.1"]},
        tmp_path,
    )  # fmt: skip

    _, reports = await _encode(spec)

    _assert_progress_ends_at_100(reports)
    during = [r for r in reports if r.percent is not None and 0 < r.percent < 100]
    assert during, f"no progress between 0 and 100: {reports}"
    assert all(r.eta_seconds is not None and r.eta_seconds >= 0 for r in during)
    frames = [r.frame for r in reports if r.frame is not None]
    assert frames == sorted(frames)


_SCRIPTED_FFMPEG = """#!/bin/sh
# Progress as ffmpeg prints it when the audio clock runs ahead of the video, then an output.
for block in 400000 200000 N/A -100000 700000; do
  printf 'frame=3\\nfps=9.5\\nout_time_us=%s\\nspeed=2.5x\\nprogress=continue\\n' "$block"
done
printf 'frame=20\\nout_time_us=900000\\nspeed=N/A\\nprogress=end\\n'
for last; do :; done
printf 'movie' > "$last"
"""


@pytest.mark.asyncio
async def test_progress_never_goes_backwards_when_ffmpegs_clock_does(
    sequence: Path, tmp_path: Path
) -> None:
    fake = tmp_path / "ffmpeg"
    fake.write_text(_SCRIPTED_FFMPEG)
    fake.chmod(0o755)
    spec = parse_encode_action({"input": str(sequence), "preset": "mp4"}, tmp_path / "out")
    reports: list[EncodeProgress] = []

    result = await run_encode(spec, on_progress=reports.append, ffmpeg_exe=str(fake))

    # The sequence lasts 20 frames / 25 fps = 0.8 s.
    assert [r.percent for r in reports] == [50.0, 50.0, 50.0, 50.0, 87.5, 99.9, 100.0]
    assert all(r.eta_seconds is not None and r.eta_seconds >= 0 for r in reports)
    assert reports[0].eta_seconds == pytest.approx(0.4 / 2.5)
    assert reports[-1].frame == 20
    assert result.output.read_bytes() == b"movie"


# -- the command ------------------------------------------------------------------------------


def test_command_is_quiet_and_machine_readable_and_overwrites_only_when_asked(
    clip: Path, tmp_path: Path
) -> None:
    spec = parse_encode_action({"input": str(clip), "preset": "mp4"}, tmp_path)

    keep = build_ffmpeg_command(spec, "ffmpeg")
    replace_it = build_ffmpeg_command(replace(spec, overwrite=True), "ffmpeg")

    assert "-y" not in keep
    assert "-y" in replace_it
    for flag in ("-hide_banner", "-nostdin", "-nostats"):
        assert flag in keep
    assert keep[keep.index("-progress") + 1] == "pipe:1"
    assert keep[0] == "ffmpeg"
    assert keep[-1] == str(tmp_path / "clip.mp4")


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"preset": "mp4"}, "input: missing"),
        ({"input": "render_%05d.png", "preset": "mp4"}, "result_[#####].png"),
        ({"input": "sequence", "preset": "mp4"}, "is a folder"),
        ({"input": "sequence/other_[####].png", "preset": "mp4"}, "no frames of other_"),
        ({"input": "clip.mkv", "preset": "mp5"}, "preset: unknown preset 'mp5'; use one of"),
        ({"input": "clip.mkv"}, "output: missing"),
        ({"input": "clip.mkv", "output": "o.mp4"}, "preset: give a preset or params"),
        ({"input": "clip.mkv", "preset": "prores", "output": "o.mp4"}, "output: the prores"),
        ({"input": "clip.mkv", "preset": "gif", "output": "o.mp4"}, "writes .gif files"),
        ({"input": "clip.mkv", "preset": "mp4", "output": "https://x.io/o.mp4"}, "is a URL"),
        ({"input": "clip.mkv", "preset": "mp4", "output": "clip.mkv"}, "same file as the input"),
        ({"input": "clip.mkv", "preset": "mp4", "params": ["-i", "b.mov"]}, "-i is not allowed"),
        ({"input": "clip.mkv", "preset": "mp4", "params": {"-i": "b.mov"}}, "-i is not allowed"),
        ({"input": "clip.mkv", "preset": "mp4", "params": ["-y"]}, "-y is not allowed"),
        ({"input": "clip.mkv", "preset": "mp4", "params": ["-n"]}, "-n is not allowed"),
        ({"input": "clip.mkv", "preset": "mp4", "params": ["-v", "quiet"]}, "-v is not allowed"),
        (
            {"input": "clip.mkv", "preset": "mp4", "params": ["-crf", "20", "second.mp4"]},
            "'second.mp4' is not an option",
        ),
        ({"input": "clip.mkv", "preset": "mp4", "params": "-crf 20"}, "params: must be a list"),
        ({"input": "clip.mkv", "preset": "mp4", "fps": "fast"}, "fps: must be a number"),
        ({"input": "clip.mkv", "preset": "mp4", "fps": 0}, "fps: must be above 0"),
        ({"input": "clip.mkv", "preset": "mp4", "width": 161}, "width: 161 is odd"),
        ({"input": "clip.mkv", "preset": "mp4", "width": 80.5}, "width: must be a whole"),
        ({"input": "clip.mkv", "preset": "mp4", "framerate": 12}, "framerate: applies to image"),
        ({"input": "clip.mkv", "preset": "mp4", "overwrite": "yes"}, "overwrite: must be true"),
        ({"input": "clip.mkv", "presett": "mp4"}, "presett: unknown option"),
    ],
)
def test_bad_options_name_the_field_and_the_problem(
    media: Path, options: dict[str, object], message: str
) -> None:
    with pytest.raises(EncodeError) as caught:
        parse_encode_action(options, media)
    assert message in str(caught.value)


def test_a_missing_input_says_which_file(media: Path) -> None:
    with pytest.raises(EncodeError, match=r"input: .*nowhere\.mov does not exist"):
        parse_encode_action({"input": "nowhere.mov", "preset": "mp4"}, media)


def test_a_gap_in_the_sequence_names_the_missing_frame(tmp_path: Path) -> None:
    pattern = _make_sequence(tmp_path / "gap", 6)
    (tmp_path / "gap" / "result_00003.png").unlink()

    with pytest.raises(EncodeError, match=r"frame result_00003\.png is missing"):
        parse_encode_action({"input": str(pattern), "preset": "mp4"}, tmp_path)


@pytest.mark.asyncio
async def test_an_existing_output_is_kept_unless_overwrite(clip: Path, tmp_path: Path) -> None:
    existing = tmp_path / "clip.mp4"
    existing.write_bytes(b"the client's approved cut")
    spec = parse_encode_action({"input": str(clip), "preset": "mp4"}, tmp_path)

    with pytest.raises(EncodeError, match=r'already exists; set "overwrite": true'):
        await _encode(spec)
    assert existing.read_bytes() == b"the client's approved cut"

    await _encode(replace(spec, overwrite=True))
    assert imageio_ffmpeg.count_frames_and_secs(str(existing)) == (CLIP_FRAMES, 2.0)


@pytest.mark.asyncio
async def test_a_broken_input_fails_with_ffmpegs_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mov"
    broken.write_bytes(bytes(range(256)) * 16)
    spec = parse_encode_action({"input": str(broken), "preset": "mp4"}, tmp_path)

    with pytest.raises(EncodeError) as caught:
        await _encode(spec)

    message = str(caught.value)
    assert message.startswith("input: ffmpeg cannot read broken.mov: ")
    assert "moov atom not found" in message or "Invalid data found" in message, message
    assert sorted(os.listdir(tmp_path)) == ["broken.mov"]


@pytest.mark.asyncio
async def test_an_ffmpeg_failure_reports_the_cause_and_leaves_no_output(
    clip: Path, tmp_path: Path
) -> None:
    spec = parse_encode_action(
        {"input": str(clip), "preset": "mp4", "params": ["-c:v", "no_such_encoder"]}, tmp_path
    )
    reports: list[EncodeProgress] = []

    with pytest.raises(EncodeError) as caught:
        await run_encode(spec, on_progress=reports.append)

    message = str(caught.value)
    assert message.startswith("ffmpeg failed (exit code ")
    assert "Unknown encoder 'no_such_encoder'" in message
    assert caught.value.log_tail, "ffmpeg's stderr should be kept for the log"
    assert os.listdir(tmp_path) == []
    assert all(r.percent != 100.0 for r in reports)


@pytest.mark.asyncio
async def test_a_vanished_sequence_is_reported_when_the_encode_starts(tmp_path: Path) -> None:
    pattern = _make_sequence(tmp_path / "seq", 3)
    spec = parse_encode_action({"input": str(pattern), "preset": "gif"}, tmp_path)
    shutil.rmtree(tmp_path / "seq")

    with pytest.raises(EncodeError, match="input: no frames of result_"):
        await _encode(spec)


# -- cancelling -------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_cancelling_ends_ffmpeg_and_leaves_no_output(sequence: Path, tmp_path: Path) -> None:
    # The loop filter repeats the frames forever, so the encode is surely mid-way when cancelled.
    spec = parse_encode_action(
        {"input": str(sequence), "preset": "mp4", "output": "never.mp4",
         "params": ["-vf", "loop=loop=-1:size=20", "-preset", "veryslow",
                    "-stats_period", "0.1"]},
        tmp_path,
    )  # fmt: skip
    pids: list[int] = []
    progressed = asyncio.Event()
    task = asyncio.create_task(
        run_encode(spec, on_progress=lambda _: progressed.set(), on_start=pids.append)
    )

    await asyncio.wait_for(progressed.wait(), WAIT_LIMIT_S)
    assert _is_running(pids[0])
    assert (tmp_path / "never.partial.mp4").exists()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert not _is_running(pids[0]), "ffmpeg outlived the cancelled encode"
    assert _ffmpeg_children() == []
    assert os.listdir(tmp_path) == [], "the partial output was left behind"


_STUBBORN_FFMPEG = """#!/bin/sh
# An ffmpeg that ignores SIGTERM and has a child, like a hung encoder would.
trap '' TERM
sleep 600 &
echo "$!" > "{ready}.child"
case " $* " in
  *" -progress "*) printf 'frame=1\\nout_time_us=40000\\nprogress=continue\\n' ;;
esac
touch "{ready}"
wait
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("stage", ["probing the movie", "encoding"])
async def test_cancelling_kills_an_ffmpeg_that_ignores_sigterm_with_its_children(
    clip: Path, sequence: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    monkeypatch.setattr(encode, "TERMINATE_GRACE_S", 0.3)
    ready = tmp_path / "ready"
    fake = tmp_path / "ffmpeg"
    fake.write_text(_STUBBORN_FFMPEG.format(ready=ready))
    fake.chmod(0o755)
    # A movie is probed first; a sequence goes straight to the encode.
    source = clip if stage == "probing the movie" else sequence
    spec = parse_encode_action(
        {"input": str(source), "preset": "mp4", "output": "o.mp4"}, tmp_path / "out"
    )
    task = asyncio.create_task(run_encode(spec, on_progress=lambda _: None, ffmpeg_exe=str(fake)))

    await _wait_until(ready.exists, "the fake ffmpeg to start")
    child = int((tmp_path / "ready.child").read_text())
    # Only the fake's own processes: other children of the test run (say, the Secret
    # Service daemons of the keyring tests) are none of this test's business.
    fakes = [
        p for p in psutil.Process().children(recursive=True)
        if p.pid != child and str(fake) in " ".join(_cmdline(p))
    ]  # fmt: skip
    assert fakes
    assert _is_running(child)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert not any(_is_running(p.pid) for p in fakes)
    # The orphaned child is reaped by init, on its own time.
    await _wait_until(lambda: not _is_running(child), "the fake ffmpeg's child to end")
    assert not (tmp_path / "out" / "o.partial.mp4").exists()


# -- the shipped sample -----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_shipped_sample_job_parses_and_encodes(tmp_path: Path) -> None:
    job = json.loads(SAMPLE_JSON.read_text(encoding="utf-8"))
    assert job["type"] == "encode"
    # Paths in a job file are relative to the file.
    spec = parse_encode_action(job, SAMPLE_JSON.parent)
    assert spec.input == SAMPLE_JSON.parent / "sequence" / "result_[#####].png"
    assert spec.output == SAMPLE_JSON.parent / "sample.mp4"
    assert spec.start_number == 0

    result, reports = await _encode(replace(spec, output=tmp_path / "sample.mp4"))

    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(result.output))
    assert frames == 25
    assert seconds == pytest.approx(25 / 12, abs=0.01)
    info = _probe(result.output)
    video = _stream(info, "Video")
    assert video.startswith("h264"), info
    assert _size(info) == (320, 180)
    _assert_progress_ends_at_100(reports)


def test_a_parsed_spec_survives_storage_in_another_work_folder(tmp_path: Path) -> None:
    # The CLI validates a job file where it lies; the engine re-reads it in the job's folder.
    spec = parse_encode_action(json.loads(SAMPLE_JSON.read_text()), SAMPLE_JSON.parent)

    stored = json.loads(json.dumps(spec.to_options()))

    assert parse_encode_action(stored, tmp_path) == spec
