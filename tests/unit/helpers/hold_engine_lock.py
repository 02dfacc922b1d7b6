"""Child process: hold a home's engine lock until stdin closes.

Usage: hold_engine_lock.py HOME COMMAND

Prints "locked" once the lock is held, then waits for end of input, releases and prints
"released".
"""

from __future__ import annotations

import sys
from pathlib import Path

from render_manager.store.engine_lock import EngineLock


def main(argv: list[str]) -> int:
    lock = EngineLock(Path(argv[1]), argv[2])
    lock.acquire()
    print("locked", flush=True)
    sys.stdin.read()
    lock.release()
    print("released", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
