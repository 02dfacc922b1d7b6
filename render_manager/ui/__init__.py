"""Everything Qt: the main window, its models and dialogs."""
