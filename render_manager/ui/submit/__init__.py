"""The batch submission dialog (New batch, New render) and its pages."""

from render_manager.ui.submit.dialog import BatchDialog

__all__ = ["BatchDialog"]
