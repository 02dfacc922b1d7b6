"""The outcome panel a cancel reports to (shared with the other queue actions)."""

from __future__ import annotations

from render_manager.ui.jobs.outcome_panel import EMPTY_HEADER, PREFERRED_ROWS, OutcomePanel

__all__ = ["EMPTY_HEADER", "PREFERRED_ROWS", "OutcomePanel"]
