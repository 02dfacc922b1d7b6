"""The local aerender pool."""
