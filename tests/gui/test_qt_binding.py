"""The installed Qt binding keeps Python's reference counts intact.

PySide6 6.12.0 on Python 3.11 drops a reference to None on calls such as QLabel.setText;
after some ten thousand of them the interpreter aborts. The window updates labels on every
refresh, so such a binding would bring it down after hours of use.
"""

from __future__ import annotations

import os
import subprocess
import sys

_PROBE = """
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
before = sys.getrefcount(None)
for _ in range(2000):
    label.setText("Queued: 1")
    label.setToolTip("tip")
print(sys.getrefcount(None) - before)
"""


def test_qt_calls_do_not_leak_references_to_none() -> None:
    # A separate process: a binding with the bug could abort the test run itself.
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert abs(int(result.stdout.strip().splitlines()[-1])) < 50, "the Qt binding leaks None"
