"""Orchestration shared by the window and `renderctl`: connections, submit, cancel, refresh."""
