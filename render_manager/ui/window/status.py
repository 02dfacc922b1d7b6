"""The main window's status bar: counts per status, where renders run, how fresh news is."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QStatusBar

from render_manager.domain.status import JobStatus
from render_manager.ui.qt.elided_label import ElidedLabel

if TYPE_CHECKING:
    # A type only: the engine's modules load after the window is on screen.
    from render_manager.services.engine_host import EngineState


# Room between the message and the labels after it, so the two never read as one.
MESSAGE_GAP = 24


class WindowStatus:
    """Permanent labels on a status bar, updated by the window.

    The bar's own messages (`showMessage`, from any caller, menu status tips included) are
    drawn by `message_label`: QStatusBar would paint them up to the first label, cut
    mid-letter and touching it; this label shortens them at a word and keeps a gap.
    """

    def __init__(self, bar: QStatusBar) -> None:
        self._remote_updated: dict[str, float] = {}
        # First of the permanent widgets, with all the stretch: QStatusBar paints its
        # message only left of the first permanent widget, so it leaves this one to draw.
        self.message_label = ElidedLabel(parent=bar)
        self.message_label.setContentsMargins(4, 0, MESSAGE_GAP, 0)
        bar.addPermanentWidget(self.message_label, 1)
        bar.messageChanged.connect(self.message_label.setText)
        self.updated_label = QLabel(bar)
        self.updated_label.setToolTip(
            "How long ago the least recently refreshed connection answered (F5 refreshes now)"
        )
        bar.addPermanentWidget(self.updated_label)
        self.engine_label = QLabel(bar)
        bar.addPermanentWidget(self.engine_label)
        self.counts_label = QLabel(bar)
        bar.addPermanentWidget(self.counts_label)

    def show_counts(self, counts: Mapping[JobStatus, int], total: int, shown: int | None) -> None:
        """Jobs per status; `shown` is the filtered row count while a filter is on."""
        parts = [f"{s.value.capitalize()}: {counts[s]}" for s in JobStatus if counts.get(s)]
        text = "   ".join([*parts, f"Total: {total:,}"])
        if shown is not None:
            text = f"Showing {shown:,} of {total:,}   {text}"
        self.counts_label.setText(text)

    def show_engines(self, states: Sequence[EngineState]) -> None:
        """Where local renders run."""
        self.engine_label.setText("   ".join(f"{s.connection}: {s.message}" for s in states))

    def note_remote_refresh(self, connection: str, *, ok: bool) -> None:
        """A remote connection was asked for news."""
        if ok:
            self._remote_updated[connection] = time.monotonic()
        self.show_freshness()

    def show_freshness(self) -> None:
        """ "Updated N s ago", for the connection that has gone longest without news."""
        if not self._remote_updated:
            self.updated_label.clear()
            return
        age = time.monotonic() - min(self._remote_updated.values())
        ago = f"{age / 60:.0f} min" if age >= 120 else f"{age:.0f} s"
        self.updated_label.setText(f"Updated {ago} ago")
