"""Import render queue: a project's render-queue items, ticked, submitted as one batch.

`dialog.RenderQueueDialog` is the dialog (loaded on first use); `drop.ProjectDrops` lets
the window take a Shift-dropped .aep.
"""
