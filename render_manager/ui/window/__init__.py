"""The main window: its actions, dialogs, layout state, status bar and refresh rate.

The session that wires the window to the engine and the refresh loop lives here too.
"""
