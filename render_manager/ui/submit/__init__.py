"""The batch submission dialog (New batch, New render) and its pages.

Nothing is imported here: the dialog pulls in the HTTP stack, and the window must open
without it (its modules are loaded on first use).
"""
