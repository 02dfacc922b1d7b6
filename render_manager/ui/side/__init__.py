"""The side panel: connections with their health, and batches with their progress."""
