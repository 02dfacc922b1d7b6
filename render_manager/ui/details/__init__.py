"""The details pane of the selected job and its output actions."""
