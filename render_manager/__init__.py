"""Render Manager: one window for local aerender renders and cloud render farms."""

__version__ = "0.1.0"

__all__ = ["__version__"]
