"""Retry from the window: the plan of what each job will do, confirmed, then its outcome."""
