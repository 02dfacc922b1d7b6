"""Qt objects caught in reference cycles are freed on the GUI thread, never by a worker.

Worker threads allocate (keyring calls, file checks, the subprocess watcher); if the
interpreter's collector ran there and freed a QObject with a live timer, Qt would later fire
that timer into freed memory and the window would crash.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref

from PySide6.QtWidgets import QApplication

from render_manager.ui.qt.main_thread_gc import MainThreadCollector, freeze_long_lived

_PROBE = """
import sys, threading, time
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
if sys.argv[1] == "collector":
    from render_manager.ui.qt.main_thread_gc import MainThreadCollector
    collector = MainThreadCollector()

class Cyclic(QObject):
    def __init__(self):
        super().__init__()
        self.me = self  # only the cyclic collector can free this object
        self.timer = QTimer(self)
        self.timer.setInterval(1)
        self.timer.start()

stop = False
def allocate():
    while not stop:
        junk = [[] for _ in range(1000)]
        for item in junk:
            item.append(item)

workers = [threading.Thread(target=allocate) for _ in range(2)]
for worker in workers:
    worker.start()
deadline = time.monotonic() + 2
while time.monotonic() < deadline:
    Cyclic()
    app.processEvents()
stop = True
for worker in workers:
    worker.join()
print("survived")
"""


def _probe(mode: str) -> subprocess.CompletedProcess[str]:
    # A separate process: the failure being guarded against is a crash.
    return subprocess.run(
        [sys.executable, "-c", _PROBE, mode],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
        check=False,
    )


def test_qt_objects_in_cycles_are_freed_on_the_gui_thread() -> None:
    result = _probe("collector")
    assert result.returncode == 0, result.stderr
    assert "survived" in result.stdout
    assert "cannot be stopped from another thread" not in result.stderr


class _Holder:
    """Any object the collector tracks (and a weak reference can watch)."""

    me: object = None


def test_freezing_the_first_load_still_frees_what_the_app_drops(qapp: QApplication) -> None:
    collector = MainThreadCollector()
    try:
        loaded = _Holder()  # a job loaded at start, later replaced by a refresh
        cycle = _Holder()  # a reference cycle already there at the freeze
        cycle.me = cycle
        loaded_ref, cycle_ref = weakref.ref(loaded), weakref.ref(cycle)
        freeze_long_lived()
        assert gc.get_freeze_count() > 0
        del loaded, cycle
        assert loaded_ref() is None  # freed at once, frozen or not

        later = _Holder()  # a cycle made after the load: collected as before
        later.me = later
        later_ref = weakref.ref(later)
        del later
        gc.collect()
        assert later_ref() is None
        assert cycle_ref() is not None  # frozen cycles wait for release()
    finally:
        collector.release()
    assert cycle_ref() is None
    assert gc.get_freeze_count() == 0
