"""The desktop around the window: tray, notifications and the quit question."""
