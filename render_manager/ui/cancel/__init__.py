"""Cancelling: the plan dialog, the flow that runs it, and the outcome panel."""
