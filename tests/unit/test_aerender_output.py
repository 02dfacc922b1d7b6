"""aerender output parsing: every real log in tests/fixtures/aerender-logs, plus the edge cases."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from render_manager.engine.aerender_output import (
    MAX_MESSAGES,
    AerenderProgressParser,
    LineSplitter,
)
from render_manager.engine.aerender_timecode import (
    parse_elapsed,
    parse_timecode,
    timecode_to_frames,
)

LOGS = Path(__file__).resolve().parents[1] / "fixtures" / "aerender-logs"
LOG_FILES = sorted(LOGS.glob("*.log"))


def _sidecar(log: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(log.with_suffix(".json").read_text(encoding="utf-8"))
    return data


def _lines(data: bytes) -> list[str]:
    splitter = LineSplitter()
    return splitter.feed(data) + splitter.flush()


def _parse(lines: Iterable[str], **kwargs: Any) -> AerenderProgressParser:
    parser = AerenderProgressParser(**kwargs)
    for tick, line in enumerate(lines):
        parser.feed_line(line, float(tick))
    return parser


@dataclass(frozen=True)
class Outcome:
    """Everything a user would see from a parse, for comparing two ways of feeding a log."""

    version: str | None
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    frames_done: int
    total_frames: int | None
    frame_rate: float | None
    percent: float | None
    finished: bool
    total_elapsed: str | None

    @classmethod
    def of(cls, parser: AerenderProgressParser) -> Outcome:
        return cls(
            parser.version,
            parser.errors,
            parser.warnings,
            parser.frames_done,
            parser.total_frames,
            parser.frame_rate,
            parser.percent,
            parser.finished_composition,
            parser.total_elapsed,
        )


def _check_final_status(parser: AerenderProgressParser, expected: Any, _: Fixture) -> None:
    # An aerender error line fails the job even when aerender exits 0 with an output; the
    # success logs have no error line (the exit code and output file decide the rest).
    assert expected in ("finished", "failed")
    assert (parser.first_error is not None) == (expected == "failed"), parser.errors


def _check_error_contains(parser: AerenderProgressParser, expected: Any, _: Fixture) -> None:
    if expected is None:
        assert parser.errors == ()
    else:
        assert parser.first_error is not None
        assert expected in parser.first_error


def _check_warning_contains(parser: AerenderProgressParser, expected: Any, _: Fixture) -> None:
    assert any(expected in warning for warning in parser.warnings), parser.warnings


def _check_total_frames(parser: AerenderProgressParser, expected: Any, _: Fixture) -> None:
    assert parser.total_frames == expected


def _check_duration(parser: AerenderProgressParser, expected: Any, _: Fixture) -> None:
    if expected is None:
        assert parser.duration is None
    else:
        assert parser.frame_rate is not None
        assert parser.duration == parse_timecode(expected, parser.frame_rate)


def _check_frame_rate(parser: AerenderProgressParser, expected: Any, _: Fixture) -> None:
    assert parser.frame_rate == expected


def _check_elapsed(parser: AerenderProgressParser, expected: Any, _: Fixture) -> None:
    assert parser.total_elapsed == expected


def _check_percent_values(_: AerenderProgressParser, expected: Any, fixture: Fixture) -> None:
    # The sidecar counts floor(100 * N / total); the engine knows the total from the job.
    hinted = AerenderProgressParser(total_frames_hint=fixture.expect.get("total_frames_guess"))
    seen: set[int] = set()
    for tick, line in enumerate(fixture.lines):
        hinted.feed_line(line, float(tick))
        if hinted.percent is not None:
            seen.add(math.floor(hinted.percent))
    assert sorted(seen) == sorted(expected)


@dataclass(frozen=True)
class Fixture:
    """One real log, its lines and its sidecar."""

    log: Path
    lines: list[str]
    sidecar: dict[str, Any]

    @property
    def expect(self) -> dict[str, Any]:
        expect: dict[str, Any] = self.sidecar["expect"]
        return expect

    @classmethod
    def load(cls, log: Path) -> Fixture:
        return cls(log, _lines(log.read_bytes()), _sidecar(log))


# One check per `expect` field the README defines; a new field must get a check here first.
CHECKS: dict[str, Callable[[AerenderProgressParser, Any, Fixture], None]] = {
    "final_status": _check_final_status,
    "error_contains": _check_error_contains,
    "warning_contains": _check_warning_contains,
    "total_frames_guess": _check_total_frames,
    "duration_timecode": _check_duration,
    "frame_rate_guess": _check_frame_rate,
    "total_time_elapsed": _check_elapsed,
    "progress_percent_values_seen": _check_percent_values,
}
EXPECTATIONS = [(log, field) for log in LOG_FILES for field in _sidecar(log)["expect"]]


def test_every_log_has_a_sidecar_with_only_known_expectations() -> None:
    assert len(LOG_FILES) >= 6
    for log in LOG_FILES:
        assert set(_sidecar(log)["expect"]) <= set(CHECKS), log.name


@pytest.mark.parametrize(
    ("log", "field"), EXPECTATIONS, ids=[f"{log.stem[:2]}-{field}" for log, field in EXPECTATIONS]
)
def test_log_meets_its_sidecar_expectation(log: Path, field: str) -> None:
    fixture = Fixture.load(log)
    parser = _parse(fixture.lines)
    CHECKS[field](parser, fixture.expect[field], fixture)


@pytest.mark.parametrize("log", LOG_FILES, ids=lambda p: p.stem)
def test_log_is_finished_exactly_when_its_sidecar_quotes_a_finish_line(log: Path) -> None:
    # Log 10 (Portuguese) finished per its notes, but the published copy was cut before the
    # end: the exit code and the output file have to decide, not a marker.
    fixture = Fixture.load(log)
    parser = _parse(fixture.lines)
    assert parser.finished_composition == ("finish_line" in fixture.sidecar.get("format", {}))


@pytest.mark.parametrize("log", LOG_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"], ids=["lf", "crlf", "cr"])
@settings(max_examples=25, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=1 << 16), max_size=40))
def test_any_chunking_and_line_end_gives_the_same_result(
    log: Path, eol: bytes, cuts: list[int]
) -> None:
    raw = log.read_bytes()
    reference_lines = raw.decode("utf-8", errors="replace").split("\n")
    if reference_lines[-1] == "":
        reference_lines.pop()
    data = raw.replace(b"\n", eol)
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    splitter = LineSplitter()
    lines: list[str] = []
    previous = 0
    for point in [*points, len(data)]:
        lines += splitter.feed(data[previous:point])
        previous = point
    lines += splitter.flush()

    assert lines == reference_lines
    assert Outcome.of(_parse(lines)) == Outcome.of(_parse(reference_lines))


@pytest.mark.parametrize("log", LOG_FILES, ids=lambda p: p.stem)
def test_byte_by_byte_feeding_gives_every_line_once(log: Path) -> None:
    data = log.read_bytes().replace(b"\n", b"\r\n")
    splitter = LineSplitter()
    lines = [line for i in range(len(data)) for line in splitter.feed(data[i : i + 1])]
    lines += splitter.flush()
    assert lines == _lines(log.read_bytes())


# -- LineSplitter ---------------------------------------------------------------------------


def test_a_line_cut_by_a_chunk_boundary_is_returned_whole_once_complete() -> None:
    splitter = LineSplitter()
    assert splitter.feed(b"PROGRESS:  0:00:00:0") == []
    assert splitter.feed(b"1 (2): 0 Seconds\nPROGRESS:  0:00") == [
        "PROGRESS:  0:00:00:01 (2): 0 Seconds"
    ]
    assert splitter.flush() == ["PROGRESS:  0:00"]
    assert splitter.flush() == []


def test_a_utf8_character_cut_by_a_chunk_boundary_is_decoded_whole() -> None:
    line = "PROGRESS:  Starting composition “Überblick”.\n".encode()
    cut = line.index("“".encode()) + 1  # inside the three bytes of the curly quote
    splitter = LineSplitter()
    assert splitter.feed(line[:cut]) == []
    assert splitter.feed(line[cut:]) == ["PROGRESS:  Starting composition “Überblick”."]


def test_lone_cr_ends_lines_as_they_arrive() -> None:
    splitter = LineSplitter()
    assert splitter.feed(b"PROGRESS:  0:00:00:00 (1): 0 Seconds\r") == [
        "PROGRESS:  0:00:00:00 (1): 0 Seconds"
    ]
    assert splitter.feed(b"PROGRESS:  0:00:00:01 (2): 0 Seconds\rPROGRESS:  0:00:00:02 (3)") == [
        "PROGRESS:  0:00:00:01 (2): 0 Seconds"
    ]
    assert splitter.feed(b": 0 Seconds\r") == ["PROGRESS:  0:00:00:02 (3): 0 Seconds"]


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    splitter = LineSplitter()
    assert splitter.feed(b"first\r") == ["first"]
    assert splitter.feed(b"\nsecond\r") == ["second"]
    assert splitter.feed(b"\n") == []
    assert splitter.feed(b"\n") == [""]  # a real empty line still counts


def test_oem_bytes_never_raise_and_can_be_decoded_with_a_fallback() -> None:
    cp850 = "PROGRESS:  Duração: 0:00:10:00\r\n".encode("cp850")
    assert LineSplitter().feed(cp850) == ["PROGRESS:  Dura\ufffd\ufffdo: 0:00:10:00"]
    assert LineSplitter(fallback_encoding="cp850").feed(cp850) == ["PROGRESS:  Duração: 0:00:10:00"]


def test_unknown_fallback_encoding_is_refused_up_front() -> None:
    with pytest.raises(LookupError):
        LineSplitter(fallback_encoding="no-such-codepage")


def test_byte_order_mark_is_dropped() -> None:
    assert LineSplitter().feed(b"\xef\xbb\xbfaerender version 24.2.1x2\n") == [
        "aerender version 24.2.1x2"
    ]


def test_an_endless_line_is_emitted_instead_of_growing_without_bound() -> None:
    splitter = LineSplitter(max_line_bytes=16)
    assert splitter.feed(b"x" * 10) == []
    assert splitter.feed(b"y" * 10) == ["x" * 10 + "y" * 10]
    assert splitter.feed(b"end\n") == ["end"]


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300), cut=st.integers(min_value=0, max_value=300))
def test_splitter_accepts_any_bytes(data: bytes, cut: int) -> None:
    splitter = LineSplitter()
    lines = splitter.feed(data[:cut]) + splitter.feed(data[cut:]) + splitter.flush()
    assert all("\n" not in line and "\r" not in line for line in lines)
    assert len(lines) <= data.count(b"\n") + data.count(b"\r") + 1


# -- timecodes ------------------------------------------------------------------------------


def test_timecodes_convert_to_frames_and_seconds() -> None:
    assert parse_timecode("0:00:10:00", 25) == 10.0
    assert timecode_to_frames("0:00:01:12", 24) == 36
    assert timecode_to_frames("1:00:00:00", 25) == 90_000
    assert timecode_to_frames("250", 25) == 250  # AE set to display frames


def test_drop_frame_timecodes_skip_two_frame_numbers_per_minute() -> None:
    assert timecode_to_frames("0;00;59;29", 29.97) == 1799
    # 0;01;00;00 and 0;01;00;01 do not exist: the frame after 0;00;59;29 is 0;01;00;02.
    assert timecode_to_frames("0;01;00;02", 29.97) == 1800
    assert timecode_to_frames("0;10;00;00", 29.97) == 17_982  # every tenth minute keeps them
    assert parse_timecode("0;01;00;02", 29.97) == pytest.approx(1800 / 29.97)


@pytest.mark.parametrize("text", ["", "0:00", "a:bb:cc:dd", "0:00:00:00 extra"])
def test_malformed_timecodes_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="timecode"):
        parse_timecode(text, 25)


@pytest.mark.parametrize("rate", [0.0, -25.0, math.nan, math.inf])
def test_impossible_frame_rates_are_rejected(rate: float) -> None:
    with pytest.raises(ValueError, match="frame rate"):
        parse_timecode("0:00:01:00", rate)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("17 Seconds", 17.0), ("1 Min, 28 Sec", 88.0), ("26 Hr, 15 Min", 94_500.0), ("?", None)],
)
def test_total_time_elapsed_wording_converts_to_seconds(text: str, seconds: float | None) -> None:
    assert parse_elapsed(text) == seconds


# -- the render header ----------------------------------------------------------------------

CONSOLE_HEADER = [
    "PROGRESS:  Start: 0:00:00:00",
    "PROGRESS:  End: 0:00:09:24",
    "PROGRESS:  Duration: 0:00:10:00",
    "PROGRESS:  Frame Rate: 25.00 (comp)",
]


def test_console_header_gives_the_range() -> None:
    parser = _parse(CONSOLE_HEADER)
    assert (parser.start, parser.end, parser.duration) == (0.0, 9.96, 10.0)
    assert (parser.start_frame, parser.end_frame, parser.duration_frames) == (0, 249, 250)
    assert parser.frame_rate == 25.0
    assert parser.total_frames == 250
    assert parser.percent == 0.0


def test_header_values_arriving_before_the_rate_are_resolved_once_it_arrives() -> None:
    parser = _parse(CONSOLE_HEADER[:3])
    assert (parser.duration, parser.total_frames) == (None, None)
    parser.feed_line(CONSOLE_HEADER[3], 4.0)
    assert parser.duration == 10.0
    assert parser.total_frames == 250


def test_german_header_and_comma_frame_rate() -> None:
    parser = _parse(
        [
            "PROGRESS:  Anfang: 0:00:02:00",
            "PROGRESS:  Ende: 0:00:05:24",
            "PROGRESS:  Dauer: 0:00:04:00",
            "PROGRESS:  Framerate: 25,00 (Komp.)",
        ]
    )
    assert parser.frame_rate == 25.0
    assert (parser.start, parser.duration) == (2.0, 4.0)
    assert parser.total_frames == 100


def test_comma_frame_rate_in_english_render_log_shape() -> None:
    parser = _parse(["  Duration: 0:00:02:00", "  Frame Rate: 29,97 (comp)"])
    assert parser.frame_rate == pytest.approx(29.97)
    assert parser.total_frames == 60


def test_total_frames_come_from_start_and_end_without_a_duration() -> None:
    parser = _parse(["  Start: 0:00:01:00", "  End: 0:00:01:23", "  Frame Rate: 24.00 (comp)"])
    assert parser.total_frames == 24


def test_header_wins_over_the_hint_and_the_hint_covers_a_missing_header() -> None:
    assert _parse([], total_frames_hint=40).total_frames == 40
    assert _parse(CONSOLE_HEADER, total_frames_hint=40).total_frames == 250


def test_portuguese_header_survives_garbled_accents() -> None:
    parser = _parse(
        [
            "PROGRESS:  In\ufffd\ufffdcio: 0:00:00:00",
            "PROGRESS:  Dura\ufffd\ufffd\ufffd\ufffdo: 0:00:04:00",
            "PROGRESS:  Taxa de quadros: 30,00",
        ]
    )
    assert parser.total_frames == 120


def test_frame_rate_is_inferred_from_timecodes_rolling_over() -> None:
    parser = _parse(
        [
            "  0:00:00:28 (29): 0 Seconds",
            "  0:00:00:29 (30): 0 Seconds",
            "  0:00:01:00 (31): 0 Seconds",
        ]
    )
    assert parser.frame_rate == 30.0


# -- frames and percent ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "PROGRESS:  0:00:00:01 (2): 0 Seconds",
        "  0:00:00:01 (2): 0 Seconds",
        "PROGRESS:  0;00;00;01 (2): 0 Seconds",
        "PROGRESS:  0:00:00:01 (2U): 0 Seconds",
        "PROGRESS:  0:00:00:01 (2L): 1 Seconds",
        "PROGRESS:  1 (2): 0 Seconds",
    ],
)
def test_frame_line_shapes_count_rendered_frames(line: str) -> None:
    parser = _parse([*CONSOLE_HEADER, "PROGRESS:  0:00:00:00 (1): 0 Seconds", line])
    assert parser.frames_done == 2
    assert parser.percent == pytest.approx(100 * 2 / 250)


def test_drop_frame_render_reports_progress() -> None:
    parser = _parse(
        [
            "PROGRESS:  Start: 0;00;00;00",
            "PROGRESS:  Duration: 0;00;02;00",
            "PROGRESS:  Frame Rate: 29.97 (comp)",
            *(f"PROGRESS:  0;00;00;{f:02d} ({f + 1}): 0 Seconds" for f in range(15)),
        ]
    )
    assert parser.total_frames == 60
    assert parser.percent == 25.0


def test_percent_never_goes_back_and_stops_at_100() -> None:
    parser = _parse(["  Duration: 0:00:00:04", "  Frame Rate: 25.00 (comp)"])
    seen = []
    # Multi-frame rendering can report counts out of order; a hint can also be too small.
    for tick, count in enumerate([1, 3, 2, 4, 5, 6]):
        parser.feed_line(f"  0:00:00:0{count} ({count}): 0 Seconds", float(tick))
        seen.append(parser.percent)
    assert seen == [25.0, 75.0, 75.0, 100.0, 100.0, 100.0]


def test_percent_never_goes_back_when_the_total_grows() -> None:
    # The job said 10 frames; the header that arrives late says 100: the bar must not drop.
    parser = AerenderProgressParser(total_frames_hint=10)
    for count in range(1, 6):
        parser.feed_line(f"PROGRESS:  {count - 1} ({count}): 0 Seconds", float(count))
    assert parser.percent == 50.0
    parser.feed_line("PROGRESS:  Duration: 100", 6.0)
    assert parser.total_frames == 100
    assert parser.percent == 50.0
    parser.feed_line("PROGRESS:  60 (61): 0 Seconds", 7.0)
    assert parser.percent == 61.0


def test_eta_shrinks_as_frames_are_rendered() -> None:
    parser = _parse(CONSOLE_HEADER)
    assert (parser.eta_seconds, parser.fps) == (None, None)
    etas: list[float] = []
    for second in range(1, 6):
        # Two frames per second of wall time.
        parser.feed_line(f"PROGRESS:  0:00:00:{2 * second - 2:02d} ({2 * second - 1}): 0", second)
        parser.feed_line(f"PROGRESS:  0:00:00:{2 * second - 1:02d} ({2 * second}): 0", second + 0.5)
        eta = parser.eta_seconds
        assert eta is not None
        etas.append(eta)
    assert parser.fps == pytest.approx(2.0)
    assert all(later < earlier for earlier, later in itertools.pairwise(etas))
    assert etas[-1] == pytest.approx((250 - 10) / 2.0)


def test_no_throughput_without_elapsed_time() -> None:
    parser = AerenderProgressParser(total_frames_hint=10)
    parser.feed_line("  0:00:00:00 (1): 0 Seconds", 5.0)
    parser.feed_line("  0:00:00:01 (2): 0 Seconds", 5.0)
    assert parser.fps is None
    assert parser.eta_seconds is None


def test_finish_completes_the_eta_and_implies_the_total_of_a_headerless_log() -> None:
    parser = _parse([f"  0:00:00:0{f} ({f + 1}): 0 Seconds" for f in range(5)])
    assert (parser.total_frames, parser.percent) == (None, None)
    parser.feed_line("  15/03/2022 19:28:47 GMT+2: Finished composition “Comp”.", 9.0)
    assert parser.total_frames == 5
    assert parser.percent == 100.0
    assert parser.eta_seconds == 0.0


# -- errors, warnings, markers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "aerender ERROR: No comp was found with the given name.",
            "No comp was found with the given name.",
        ),
        (
            "aerender Error: After Effects error: file is damaged.",
            "After Effects error: file is damaged.",
        ),
        ("aerender ERROR -1701: Unable to run script.", "Unable to run script. (error -1701)"),
        ("aerender SYNTAX ERROR: Bad -s value", "Syntax error: Bad -s value"),
        ("aerender Fehler: Keine Komposition gefunden.", "Keine Komposition gefunden."),
        ("  aerender ERROR: Runtime error in After Effects.\r", "Runtime error in After Effects."),
    ],
)
def test_aerender_error_lines_are_errors(line: str, message: str) -> None:
    parser = _parse(["aerender version 24.2.1x2", line])
    assert parser.errors == (message,)
    assert parser.first_error == message


@pytest.mark.parametrize(
    "line",
    [
        "2022-03-15 19:28:30.123 aerendercore[12:34] ERROR *** IVCAutoReleasePool ... just leaking",
        "ERROR *** IVCAutoReleasePool ... just leaking",
        "GPUSniffer ERROR: failed to create GL context",
        'LoadLibrary "n" failed!',
        "Error: nexrender: Couldn't find any layers by provided name (cent)",
        "INFO:After Effects: this project must be converted from version 23.1 (Macintosh 64).",
        "WARNING:After Effects warning: Erro do After Effects: arquivo não localizado",
    ],
)
def test_other_lines_mentioning_errors_are_not_errors(line: str) -> None:
    assert _parse([line]).errors == ()


def test_first_error_is_the_cause_and_repeats_are_kept_once() -> None:
    parser = _parse(
        [
            "aerender ERROR: Error executing script: inject.jsx",
            "aerender ERROR: Runtime error in After Effects.",
            "aerender ERROR: Runtime error in After Effects.",
        ]
    )
    assert parser.first_error == "Error executing script: inject.jsx"
    assert parser.errors == (
        "Error executing script: inject.jsx",
        "Runtime error in After Effects.",
    )


def test_warnings_are_kept_once_each_and_bounded() -> None:
    lines = ["WARNING:After Effects warning: Project has missing fonts."] * 3
    lines += [f"WARNING:missing footage {i}.png" for i in range(MAX_MESSAGES + 10)]
    parser = _parse(lines)
    assert parser.warnings[0] == "After Effects warning: Project has missing fonts."
    assert parser.warnings.count(parser.warnings[0]) == 1
    assert len(parser.warnings) == MAX_MESSAGES
    assert parser.errors == ()


@pytest.mark.parametrize(
    "line",
    [
        'PROGRESS:  5/7/2018 6:22:38 PM: Finished composition "Composition"',
        "  15/03/2022 19:28:47 GMT+2: Finished composition “_Example 1”.",
        "PROGRESS:  2024-06-14 10:02:03 +0200: Finished composition Comp 1.",
        "PROGRESS:  14.06.2024 10:02:03 MESZ: Finished composition 'Main'",
    ],
)
def test_finished_composition_marker_in_any_quoting_and_date_format(line: str) -> None:
    parser = _parse(["PROGRESS:  Starting composition", line])
    assert parser.finished_composition


def test_not_finished_without_the_marker() -> None:
    parser = _parse(["aerender version 26.0x67", "PROGRESS: Adding specified comp to Render Queue"])
    assert not parser.finished_composition
    assert parser.eta_seconds is None


def test_version_is_found_wherever_it_comes() -> None:
    parser = _parse(
        [
            "WARNING:After Effects warning: timeSpanStart of -0,87 seconds ...",
            "  0:00:00:00 (1): 0 Seconds",
            "aerender version 17.0.5x16",
        ]
    )
    assert parser.version == "17.0.5x16"
    assert parser.frames_done == 1


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.text(max_size=80), max_size=20), hint=st.none() | st.integers(-5, 500))
def test_parser_never_raises_and_keeps_percent_in_range(lines: list[str], hint: int | None) -> None:
    parser = AerenderProgressParser(total_frames_hint=hint)
    previous = -1.0
    for tick, line in enumerate(lines):
        parser.feed_line(line, float(tick))
        if parser.percent is not None:
            assert previous <= parser.percent <= 100.0
            previous = parser.percent
        assert parser.eta_seconds is None or parser.eta_seconds >= 0.0
