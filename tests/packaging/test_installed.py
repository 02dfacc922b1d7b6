"""The installed wheel and the app folder: both programs run from outside the checkout.

Each test runs the real programs of an install (a clean venv holding only the wheel and its
dependencies, and the PyInstaller one-folder app), in a private home and working folder.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

from render_manager import __version__
from tests.integration.secret_service import delete_secrets, read_secrets
from tests.packaging.conftest import Install
from tests.unit.helpers.aep_fixtures import PROJECTS, check_against_sidecar, sidecar

pytestmark = pytest.mark.packaging

SERVICE = "render-manager"
# Variables that would let a program use the checkout's code or another ffmpeg than its own.
_DROP = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "RENDER_MANAGER_HOME", "IMAGEIO_FFMPEG_EXE")


def _run(
    program: Path,
    *args: str,
    home: Path,
    cwd: Path,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in (env or os.environ).items() if k not in _DROP}
    base.update(RENDER_MANAGER_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [str(program), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=base,
        cwd=cwd,
        timeout=180,
        check=False,
    )


def test_both_programs_answer_version(install: Install, tmp_path: Path) -> None:
    home = tmp_path / "home"
    gui = _run(install.gui, "--version", home=home, cwd=tmp_path)
    cli = _run(install.cli, "--version", home=home, cwd=tmp_path)
    assert (gui.returncode, gui.stdout.strip()) == (0, f"render-manager {__version__}")
    assert (cli.returncode, cli.stdout.strip()) == (0, f"renderctl {__version__}")


def test_connection_list_shows_the_local_connection(install: Install, tmp_path: Path) -> None:
    result = _run(install.cli, "connection", "list", "--json", home=tmp_path / "h", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    listed = {entry["name"]: entry for entry in json.loads(result.stdout)}
    assert listed["local"]["kind"] == "local"


def test_smoke_start_opens_the_window_and_loads_the_store(install: Install, tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = _run(install.gui, "--smoke", home=home, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "window opened, 0 jobs loaded" in result.stdout
    assert (home / "render-manager.sqlite3").is_file()


def test_tokens_go_to_the_secret_service(
    install: Install, tmp_path: Path, secret_service: dict[str, str]
) -> None:
    # keyring finds its back-ends through entry points: a frozen app must still see them.
    home = tmp_path / "home"
    token = secrets.token_urlsafe(24)
    delete_secrets(secret_service, SERVICE, "cloud")
    try:
        added = _run(
            install.cli,
            *("connection", "add", "cloud", "--kind", "nexrender-cloud", "--token-stdin"),
            home=home,
            cwd=tmp_path,
            env=secret_service,
            stdin=token + "\n",
        )
        assert (added.returncode, added.stderr) == (0, ""), added.stderr
        assert read_secrets(secret_service, SERVICE, "cloud") == [token.encode()]
        listed = _run(
            install.cli, "connection", "list", "--json", home=home, cwd=tmp_path, env=secret_service
        )
        assert listed.returncode == 0, listed.stderr
        states = {entry["name"]: entry["token"] for entry in json.loads(listed.stdout)}
        assert states["cloud"] == "set"
    finally:
        delete_secrets(secret_service, SERVICE, "cloud")


def test_the_encode_sample_renders_with_the_shipped_ffmpeg(
    install: Install, tmp_path: Path, packaging_out: Path
) -> None:
    # The sample comes from the install itself, and PATH holds no ffmpeg to fall back on.
    samples = _installed_resources(install, packaging_out) / "samples"
    work = tmp_path / "work"
    shutil.copytree(samples, work)
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    home = tmp_path / "home"
    submitted = _run(
        install.cli, "submit", "-c", "local", "encode-sample.json", home=home, cwd=work, env=env
    )
    assert submitted.returncode == 0, submitted.stderr
    rendered = _run(install.cli, "engine", "--until-idle", home=home, cwd=work, env=env)
    assert rendered.returncode == 0, rendered.stderr
    jobs = _run(install.cli, "jobs", "--json", home=home, cwd=work, env=env)
    (job,) = json.loads(jobs.stdout)
    assert job["status"] == "finished", job
    output = next(home.glob("jobs/*/sample.mp4"))
    assert output.stat().st_size > 1000


def test_inspect_reads_a_real_project(install: Install, tmp_path: Path) -> None:
    # py-aep (and what it imports on demand) is in the install, not only in the checkout.
    project = max(PROJECTS, key=lambda p: len(sidecar(p)["compositions"]))
    done = _run(install.cli, "inspect", str(project), "--json", home=tmp_path / "h", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    check_against_sidecar(json.loads(done.stdout), sidecar(project))


def test_every_resource_is_installed(install: Install, packaging_out: Path) -> None:
    shipped = {
        p.relative_to(_checkout_resources()).as_posix()
        for p in _checkout_resources().rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    }
    root = _installed_resources(install, packaging_out)
    installed = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert shipped <= installed, sorted(shipped - installed)


def test_the_bundle_holds_only_the_qt_modules_the_app_uses(bundle: Path) -> None:
    pyside = bundle / "_internal" / "PySide6"
    modules = {p.name.split(".")[0] for p in pyside.glob("Qt*.so")}
    assert modules == {"QtCore", "QtGui", "QtWidgets", "QtDBus"}
    platforms = {p.name for p in (pyside / "Qt" / "plugins" / "platforms").iterdir()}
    assert {"libqoffscreen.so", "libqxcb.so"} <= platforms


def _checkout_resources() -> Path:
    return Path(__file__).resolve().parents[2] / "resources"


def _installed_resources(install: Install, packaging_out: Path) -> Path:
    if install.name == "bundle":
        return packaging_out / "dist" / "render-manager" / "_internal/render_manager/resources"
    (site,) = (packaging_out / "venv" / "lib").glob("python3*/site-packages")
    return site / "render_manager" / "resources"


def test_the_bundle_opens_a_real_x11_window(bundle: Path, tmp_path: Path) -> None:
    # The xcb plugin and the X libraries it needs come from the bundle; Xvfb plays the screen.
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None:
        pytest.fail("xvfb-run is missing: scripts/setup --test installs it", pytrace=False)
    env = {k: v for k, v in os.environ.items() if k not in _DROP}
    env.update(RENDER_MANAGER_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="xcb")
    result = subprocess.run(
        [xvfb_run, "--auto-servernum", str(bundle / "render-manager"), "--smoke"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "window opened" in result.stdout


def test_the_bundle_adds_itself_to_the_application_menu(bundle: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "XDG_DATA_HOME": str(data)}
    script = bundle / "install-desktop-entry.sh"
    added = subprocess.run(
        [str(script)], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert added.returncode == 0, added.stderr
    desktop = data / "applications" / "render-manager.desktop"
    assert f'Exec="{bundle / "render-manager"}"' in desktop.read_text(encoding="utf-8")
    assert (data / "icons/hicolor/256x256/apps/render-manager.png").is_file()
    assert (data / "icons/hicolor/scalable/apps/render-manager.svg").is_file()
    validate = subprocess.run(
        ["desktop-file-validate", str(desktop)], capture_output=True, text=True, check=False
    )
    assert (validate.returncode, validate.stdout) == (0, ""), validate.stdout

    removed = subprocess.run(
        [str(script), "--remove"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert removed.returncode == 0, removed.stderr
    assert not desktop.exists()
