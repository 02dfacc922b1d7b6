"""Property values from job JSON: what each kind accepts, and what it refuses."""

from __future__ import annotations

import pytest

from render_manager.projects.model import PropertyKind
from render_manager.projects.values import format_color, format_number, parse_value

COLOR, NUMBER, CHECKBOX, POINT = (
    PropertyKind.COLOR,
    PropertyKind.NUMBER,
    PropertyKind.CHECKBOX,
    PropertyKind.POINT,
)


@pytest.mark.parametrize(
    ("kind", "value", "numbers"),
    [
        (COLOR, "#FF8000", (1.0, 128 / 255, 0.0)),
        (COLOR, "#ff8000", (1.0, 128 / 255, 0.0)),
        (COLOR, [0.0, 0.5, 1.0], (0.0, 0.5, 1.0)),  # nexrender's 0-1 floats
        (COLOR, [0.0, 0.5, 1.0, 1.0], (0.0, 0.5, 1.0)),
        (NUMBER, 50, (50.0,)),
        (NUMBER, "-12.5", (-12.5,)),
        (CHECKBOX, True, (1.0,)),
        (CHECKBOX, "false", (0.0,)),
        (CHECKBOX, 1, (1.0,)),
        (CHECKBOX, "0", (0.0,)),
        (POINT, "960,540", (960.0, 540.0)),
        (POINT, " 1.5 , 2 , 3 ", (1.5, 2.0, 3.0)),
        (POINT, [100, 200], (100.0, 200.0)),
    ],
)
def test_accepted_values(kind: PropertyKind, value: object, numbers: tuple[float, ...]) -> None:
    assert parse_value(kind, value) == pytest.approx(numbers)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (COLOR, "#GG0000"),
        (COLOR, "FF0000"),
        (COLOR, "#FFF"),
        (COLOR, [255, 0, 0]),  # 0-255 is not After Effects' scale
        (COLOR, 3),
        (NUMBER, "fifty"),
        (NUMBER, True),
        (NUMBER, "nan"),
        (NUMBER, None),
        (CHECKBOX, 2),
        (CHECKBOX, "maybe"),
        (POINT, "960"),
        (POINT, "1,2,3,4"),
        (POINT, "960,x"),
        (POINT, 960),
    ],
)
def test_refused_values(kind: PropertyKind, value: object) -> None:
    assert parse_value(kind, value) is None


def test_formatting_is_what_a_user_types() -> None:
    assert format_number(100.0) == "100"
    assert format_number(0.25) == "0.25"
    assert format_number(-0.00001) == "0"
    assert format_color([1.0, 0.5, 0.0, 1.0]) == "#FF8000"
