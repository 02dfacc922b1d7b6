"""`renderctl`: the headless command line over the same services as the window."""
