"""Driving a real `render-manager` window on the X display the way a user (and a window
manager) does: find it by title with xdotool, type keys into it, ask it to close.

No window manager runs under Xvfb, so the title bar's close button is played by sending the
window the WM_DELETE_WINDOW message a window manager sends (ICCCM 4.1.2.7). `xdotool
windowclose` is no stand-in: it destroys the window, which Qt never sees as a close.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
import time

_POLL_S = 0.05
_CLIENT_MESSAGE = 33  # X.h
_NO_EVENT_MASK = 0


class _ClientMessage(ctypes.Structure):
    # XClientMessageEvent from Xlib.h, with data as five longs (format 32).
    _fields_ = (
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    )


class _Event(ctypes.Union):
    # XEvent is a union padded to 24 longs; XSendEvent copies that many bytes.
    _fields_ = (("xclient", _ClientMessage), ("pad", ctypes.c_long * 24))


def xdotool(*args: str, timeout: float = 10.0) -> str:
    """Run xdotool on the current DISPLAY; its stdout (fails the test on an error)."""
    result = subprocess.run(
        ["xdotool", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0 and args[0] != "search":
        raise AssertionError(f"xdotool {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def wait_for_window(title_regex: str, process: subprocess.Popen[str], timeout: float) -> str:
    """The id of the first visible window whose title matches, once it is mapped."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the process exited ({process.returncode}) before its window")
        found = xdotool("search", "--onlyvisible", "--name", title_regex).split()
        if found:
            return found[0]
        time.sleep(_POLL_S)
    raise AssertionError(f"no visible window titled {title_regex!r} within {timeout:g} s")


def wait_for_windows(process: subprocess.Popen[str], count: int, timeout: float) -> None:
    """Wait until the process shows `count` windows (a menu pops up as a window of its own)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = xdotool("search", "--onlyvisible", "--pid", str(process.pid)).split()
        if len(shown) >= count:
            return
        time.sleep(_POLL_S)
    raise AssertionError(f"the process did not show {count} windows within {timeout:g} s")


def press(window: str, *keys: str) -> None:
    """Focus the window and type each key chord (e.g. "ctrl+q") as real keyboard input."""
    xdotool("windowfocus", "--sync", window)
    type_keys(*keys)


def type_keys(*keys: str) -> None:
    """Type key chords into whatever has the keyboard now (an open menu grabs it)."""
    for key in keys:
        xdotool("key", "--clearmodifiers", key)


def request_close(window: str) -> None:
    """Ask the window to close, as a window manager does when its close button is clicked."""
    path = ctypes.util.find_library("X11")
    if path is None:
        raise AssertionError("libX11 not found")
    xlib = ctypes.CDLL(path)
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = (ctypes.c_char_p,)
    xlib.XInternAtom.restype = ctypes.c_ulong
    xlib.XInternAtom.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int)
    xlib.XSendEvent.argtypes = (
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_int,
        ctypes.c_long,
        ctypes.POINTER(_Event),
    )
    xlib.XFlush.argtypes = (ctypes.c_void_p,)
    xlib.XCloseDisplay.argtypes = (ctypes.c_void_p,)
    display = xlib.XOpenDisplay(os.environ["DISPLAY"].encode())
    if not display:
        raise AssertionError(f"cannot open display {os.environ['DISPLAY']}")
    try:
        event = _Event()
        message = event.xclient
        message.type = _CLIENT_MESSAGE
        message.display = display
        message.window = int(window)
        message.message_type = xlib.XInternAtom(display, b"WM_PROTOCOLS", 0)
        message.format = 32
        message.data[0] = xlib.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
        message.data[1] = 0  # CurrentTime
        if not xlib.XSendEvent(display, int(window), 0, _NO_EVENT_MASK, ctypes.byref(event)):
            raise AssertionError("XSendEvent failed")
        xlib.XFlush(display)
    finally:
        xlib.XCloseDisplay(display)
