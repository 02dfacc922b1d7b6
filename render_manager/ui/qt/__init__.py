"""Shared Qt helpers: background tasks, garbage collection on the GUI thread, appearance, icons."""
