"""Scripts the unit tests run as child processes (with sys.executable)."""
