"""Jobs, statuses, connections, batches and events: pure Python, no I/O."""
