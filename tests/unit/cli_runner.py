"""Running `renderctl` in this process, for the CLI tests: its exit code, stdout and stderr."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from render_manager.cli.main import main
from render_manager.services.job_service import TransportFactory


@dataclass(frozen=True)
class Result:
    """What one renderctl command did."""

    code: int | str | None
    out: str
    err: str

    def error_line(self) -> str:
        """The one line of the error message (asserts that there is exactly one)."""
        assert self.out == ""
        assert self.err.endswith("\n")
        lines = self.err.splitlines()
        assert len(lines) == 1, f"expected a one-line error, got {self.err!r}"
        assert lines[0].startswith("renderctl")
        return lines[0]


Renderctl = Callable[..., Result]


def renderctl_runner(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    transport_for: TransportFactory | None = None,
) -> Renderctl:
    """`run(*argv, stdin="")`: one renderctl command, with `stdin` as its standard input.

    With `transport_for`, its remote connections talk to the transports it gives (fakes).
    """

    def run(*argv: str, stdin: str = "") -> Result:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        try:
            code: int | str | None = main(list(argv), transport_for=transport_for)
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run
