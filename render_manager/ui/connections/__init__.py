"""The Connections dialog, its form and prompts, and the connections list model."""
