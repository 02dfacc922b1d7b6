"""The aerender command line, finding aerender, and deciding whether output exists."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from render_manager.engine.aerender_command import AerenderArgs, build_aerender_command
from render_manager.engine.locate import AerenderNotFound, candidate_paths, find_aerender
from render_manager.engine.outputs import find_output, sequence_frames


def test_every_job_setting_reaches_the_command_line(tmp_path: Path) -> None:
    args = AerenderArgs(
        project=tmp_path / "promo.aep",
        composition="Main 16x9",
        output=tmp_path / "result_[#####].png",
        output_module="PNG Sequence",
        settings_template="Best Settings",
        frame_start=10,
        frame_end=20,
        frame_increment=2,
        continue_on_missing=True,
        multi_frame=True,
        multi_frame_percent=75,
        mem_usage=(50, 0),
        sound=False,
        script=tmp_path / "inject.jsx",
        extra_args=("-reuse",),
    )
    cmd = build_aerender_command(Path("/ae/aerender"), args)
    assert cmd[0] == "/ae/aerender"
    pairs = {cmd[i]: cmd[i + 1] for i in range(1, len(cmd) - 1) if cmd[i].startswith("-")}
    assert pairs["-project"] == str(tmp_path / "promo.aep")
    assert pairs["-comp"] == "Main 16x9"  # one argument, spaces and all: no shell involved
    assert pairs["-OMtemplate"] == "PNG Sequence"
    assert pairs["-RStemplate"] == "Best Settings"
    assert (pairs["-s"], pairs["-e"], pairs["-i"]) == ("10", "20", "2")
    assert cmd[cmd.index("-mfr") : cmd.index("-mfr") + 3] == ["-mfr", "ON", "75"]
    assert cmd[cmd.index("-mem_usage") : cmd.index("-mem_usage") + 3] == ["-mem_usage", "50", "0"]
    assert pairs["-sound"] == "OFF"
    assert pairs["-r"] == str(tmp_path / "inject.jsx")
    assert "-continueOnMissingFootage" in cmd
    assert pairs["-v"] == "ERRORS_AND_PROGRESS"
    assert cmd[-1] == "-reuse"


def test_a_minimal_job_passes_only_what_it_sets(tmp_path: Path) -> None:
    cmd = build_aerender_command(
        Path("aerender"), AerenderArgs(tmp_path / "a.aep", "Main", tmp_path / "result.mov")
    )
    assert cmd == [
        "aerender", "-project", str(tmp_path / "a.aep"), "-comp", "Main",
        "-output", str(tmp_path / "result.mov"), "-v", "ERRORS_AND_PROGRESS",
    ]  # fmt: skip


def _executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_the_newest_installed_after_effects_is_found_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RENDER_MANAGER_AERENDER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    old = _executable(tmp_path / "Adobe After Effects 2023" / "aerender")
    new = _executable(tmp_path / "Adobe After Effects 2025" / "aerender")
    assert (
        find_aerender(
            None, candidates=[tmp_path / "Adobe After Effects 2026" / "aerender", new, old]
        )
        == new
    )


def test_known_install_paths_are_newest_first() -> None:
    mac = candidate_paths("darwin")
    assert mac[0].parent.name > mac[1].parent.name
    assert all(p.name == "aerender" for p in mac)
    windows = candidate_paths("win32")
    assert all(p.name == "aerender.exe" for p in windows)
    assert "Support Files" in str(windows[0])


def test_a_missing_aerender_says_where_to_set_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RENDER_MANAGER_AERENDER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(AerenderNotFound, match="set the path to aerender in Connections"):
        find_aerender(None, candidates=[tmp_path / "nowhere" / "aerender"])
    with pytest.raises(AerenderNotFound, match="renderctl connection set farm --aerender PATH"):
        find_aerender(None, candidates=[], connection_name="farm")
    with pytest.raises(AerenderNotFound, match=r"does not exist or is not executable"):
        find_aerender(str(tmp_path / "typo" / "aerender"))


def test_an_avi_switched_to_mov_and_sequences_count_as_output(tmp_path: Path) -> None:
    (tmp_path / "result.mov").write_bytes(b"movie")
    assert find_output(tmp_path / "result.avi") == tmp_path / "result.mov"
    assert find_output(tmp_path / "other.mov") is None
    (tmp_path / "empty.mov").write_bytes(b"")
    assert find_output(tmp_path / "empty.mov") is None
    pattern = tmp_path / "frame_[####].png"
    assert find_output(pattern) is None
    for n in (3, 1, 2):
        (tmp_path / f"frame_{n:04d}.png").write_bytes(b"png")
    (tmp_path / "frame_12.png").write_bytes(b"too short a number: not a frame of this pattern")
    assert find_output(pattern) == pattern
    assert [p.name for p in sequence_frames(pattern)] == [
        "frame_0001.png", "frame_0002.png", "frame_0003.png",
    ]  # fmt: skip
