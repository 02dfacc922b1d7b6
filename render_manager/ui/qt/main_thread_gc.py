"""Python's cyclic garbage collection, run on the GUI thread only.

The collector normally runs in whichever thread happens to allocate when a threshold is
crossed: a worker thread (keyring, file checks, the subprocess watcher) can then be the one
that frees a QObject caught in a reference cycle. A QObject destroyed outside its own
thread cannot stop its timers, and Qt later delivers a timer event to freed memory: the app
crashes with a segmentation fault in QTimerInfoList::activateTimers. So automatic
collection is switched off and this object collects on a GUI-thread timer instead, using
the same generation thresholds the interpreter would.

A full collection walks every tracked object: with 100,000 jobs loaded that is ~100 ms on
the GUI thread. `freeze_long_lived()`, called once the first load is in, moves what is
alive then (the loaded jobs, the window) out of the collector's sight, so later full
collections walk only what was made since.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

# Often enough that cycles never pile up; one check costs a few microseconds.
CHECK_INTERVAL_MS = 500


class MainThreadCollector(QObject):
    """Disables automatic gc and collects from the GUI thread on a timer."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Collect the oldest generation whose allocation count passed its threshold."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return

    def release(self) -> None:
        """Stop collecting here and give collection back to the interpreter."""
        self._timer.stop()
        gc.unfreeze()
        gc.collect()
        if self._was_enabled:
            gc.enable()


def freeze_long_lived() -> None:
    """Collect once, then exempt every object alive now from later collections.

    Call it after the first load of the jobs. Frozen objects are still freed as soon as
    nothing refers to them (a refreshed job replacing its old version); only a reference
    cycle among them would stay until `release()` at exit.
    """
    gc.collect()
    gc.freeze()
