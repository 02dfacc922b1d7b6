"""The services are built once per process, before the window, and handed in.

Each shared service is constructed in exactly one place of render_manager/; the window
and renderctl each make their one `AppServices`; and the window gets on screen without
the HTTP stack or the engine loaded (they load on first use).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "render_manager"

# Where each shared service may be constructed, relative to render_manager/.
ONLY_HERE = {
    "AppServices": {"app.py", "cli/main.py"},
    "JobService": {"services/app_services.py"},
    # The engine's pool keeps the store's handle of its own: it runs in the same process
    # as the services, but also alone under `renderctl engine`.
    "LocalJobRepository": {"services/app_services.py", "engine/pool.py"},
    "JobOutputs": {"services/app_services.py"},
    "ConnectionService": {"services/app_services.py"},
    "BatchSubmission": {"services/app_services.py"},
    "ProjectCatalog": {"services/app_services.py"},
}


def _constructions() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {name: set() for name in ONLY_HERE}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in found:
                found[name].add(path.relative_to(PACKAGE).as_posix())
    return found


def test_each_shared_service_is_constructed_in_one_place() -> None:
    assert _constructions() == ONLY_HERE


def test_nothing_in_the_ui_constructs_a_service() -> None:
    in_ui = {
        name: sorted(p for p in places if p.startswith("ui/"))
        for name, places in _constructions().items()
    }
    assert in_ui == {name: [] for name in ONLY_HERE}


def test_the_window_opens_without_the_http_stack_or_the_engine(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from render_manager.keychain import Keychain\n"
        "from render_manager.services.app_services import AppServices\n"
        "from render_manager.services.context import open_context\n"
        "from render_manager.ui.window.main_window import MainWindow\n"
        "services = AppServices(open_context(sys.argv[1], keychain=Keychain(timeout=1)))\n"
        "window = MainWindow(services)\n"
        "window.show()\n"
        "app.processEvents()\n"
        "loaded = [m for m in ('httpx', 'render_manager.engine.pool') if m in sys.modules]\n"
        "print(','.join(loaded) or 'none')\n"
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(PACKAGE.parent),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "home")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "none"
