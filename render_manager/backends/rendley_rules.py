"""What is known of Rendley before connecting: its body checks, and output links that expire.

Rendley keeps no key of the caller's on a job, so bodies are not stamped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from render_manager.backends.protocol import ServiceRules


def check_body(body: Mapping[str, Any]) -> str | None:
    """What Rendley would refuse in an export body; None if nothing."""
    project = body.get("project_id")
    if not isinstance(project, str) or not project.strip():
        return "project_id is required (the Rendley project to export)"
    if not isinstance(body.get("settings"), dict):
        return "settings is required (target_resolution, codec)"
    return None


# One request per row: chunks of 10 only make progress finer. Storage links are signed.
RULES = ServiceRules(
    check_body=check_body,
    chunk_size=10,
    links_expire=True,
    no_pause="Rendley has no pause: a job can only be cancelled",
    no_reprioritise="Rendley has no job priority",
)
