"""What is known of Nexrender Cloud before connecting: its body checks, the row tag that
finds a job again, 1000 jobs a request, and cancels that cascade along nested jobs."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from render_manager.backends.protocol import ServiceRules

_TAG = re.compile(r"^[A-Za-z0-9_-]+$")


def check_body(body: Mapping[str, Any]) -> str | None:
    """What Nexrender Cloud would refuse in a job body; None if nothing."""
    template = body.get("template")
    if not isinstance(template, dict) or not any(
        isinstance(template.get(k), str) and template[k] for k in ("id", "src")
    ):
        return "template.id is required (the Nexrender Cloud template)"
    tags = body.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and _TAG.match(t) for t in tags):
        return "tags must be letters, digits, '-' and '_'"
    return None


def stamp(body: dict[str, Any], key: str) -> tuple[dict[str, Any], str | None]:
    """The body with `key` among its tags: a job is found again by its row tag."""
    stamped = copy.deepcopy(body)
    tags = stamped.get("tags")
    # `rm-` tags are the app's own: kept off the job's visible tags.
    stamped["tags"] = [*(tags if isinstance(tags, list) else []), key]
    return stamped, key


def unstamp(body: dict[str, Any]) -> dict[str, Any]:
    """The body without the app's own `rm-` row tags."""
    tags = body.get("tags")
    if not isinstance(tags, list):
        return body
    kept = [t for t in tags if not (isinstance(t, str) and t.startswith("rm-"))]
    return {**body, "tags": kept} if kept else {k: v for k, v in body.items() if k != "tags"}


RULES = ServiceRules(
    check_body=check_body,
    # Up to 1000 jobs go in one request, and each request is a batch there (what "cancel
    # batch" cancels), so chunks are as large as allowed.
    chunk_size=1000,
    stamp=stamp,
    # Seed 002: a cancel also cancels the nested jobs and the parent waiting on the job.
    cancel_cascades=True,
    unstamp=unstamp,
    no_pause="Nexrender Cloud has no pause: a job can only be cancelled",
    # Seed 000: a job's `priority` orders the queue (and `sort=priority` lists by it); the
    # API has no call that changes it once the job is sent.
    takes_priority=True,
    no_reprioritise="Nexrender Cloud keeps the priority a job was sent with",
)
