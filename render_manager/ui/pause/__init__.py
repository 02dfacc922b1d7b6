"""Pause and resume from the window: each job's plan, confirmed, then its outcome."""
