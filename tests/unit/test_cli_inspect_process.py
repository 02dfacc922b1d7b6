"""`renderctl inspect` as a separate process: what a script calling it sees."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.engine.processes import renderctl, renderctl_env
from tests.unit.helpers.aep_fixtures import PROJECTS, check_against_sidecar, sidecar


@pytest.mark.parametrize(
    "project",
    # The project with the most render-queue items, and one with several comps.
    [
        max(PROJECTS, key=lambda p: len(sidecar(p)["render_queue"])),
        max(PROJECTS, key=lambda p: len(sidecar(p)["compositions"])),
    ],
    ids=lambda p: p.stem,
)
def test_json_on_stdout_agrees_with_the_sidecar(tmp_path: Path, project: Path) -> None:
    done = renderctl(tmp_path / "home", "inspect", str(project), "--json")

    assert (done.returncode, done.stderr) == (0, "")
    check_against_sidecar(json.loads(done.stdout), sidecar(project))


def test_a_truncated_project_is_exit_2_and_one_line_on_stderr(tmp_path: Path) -> None:
    whole = PROJECTS[-1].read_bytes()
    announced = 8 + struct.unpack(">I", whole[4:8])[0]  # the RIFX body; XMP metadata follows
    cut = tmp_path / "template.aep"
    cut.write_bytes(whole[: announced - 1000])

    done = renderctl(tmp_path / "home", "inspect", str(cut), "--json")

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"renderctl: error: {cut}: is truncated: {announced - 1000} bytes of the "
        f"{announced} its header announces (an interrupted copy or download?)\n"
    )


def test_other_commands_do_not_load_the_parser(tmp_path: Path) -> None:
    # py-aep takes about 0.3 s to import: only reading a project may pay for it.
    code = (
        "import sys; from render_manager.cli.main import main; "
        "code = main(['connection', 'list']); print(code, 'py_aep' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=renderctl_env(tmp_path / "home"),
        timeout=60,
        check=False,
    )

    assert done.stdout.splitlines()[-1] == "0 False", done.stderr
