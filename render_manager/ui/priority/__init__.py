"""Priority from the window: raise, lower and set on a selection."""
