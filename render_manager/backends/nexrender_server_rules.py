"""What is known of a nexrender server before connecting: its body check, and the job uid
that finds a job again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from render_manager.backends.protocol import ServiceRules


def check_body(body: Mapping[str, Any]) -> str | None:
    """What a nexrender server would refuse in a job body; None if nothing."""
    template = body.get("template")
    if not isinstance(template, dict) or not isinstance(template.get("src"), str):
        return "template.src is required (the project the workers open)"
    return None


def stamp(body: dict[str, Any], key: str) -> tuple[dict[str, Any], str | None]:
    """The body with a job uid: the body's own if it has one, else `key`."""
    given = body.get("uid")
    if isinstance(given, str) and given:
        return body, given
    return {**body, "uid": key}, key


def unstamp(body: dict[str, Any]) -> dict[str, Any]:
    """The body without its uid: the job it came from keeps that uid on the server."""
    return {k: v for k, v in body.items() if k != "uid"}


# Why a queued job is not held there: the server's PUT /jobs/:uid merges whatever it is sent
# into the job without looking at its state, and outside the lock its pickup takes. A hold
# written as a worker picks the job is lost under the worker's own updates, and the resume
# of such a job would set it queued while it renders: a second worker would render it too.
NO_PAUSE = (
    "a nexrender server cannot hold a job safely (its update does not check the job's "
    "state, so a worker may pick it meanwhile): cancel it instead"
)

# One request per row: chunks of 10 only make progress finer.
RULES = ServiceRules(
    check_body=check_body,
    chunk_size=10,
    stamp=stamp,
    unstamp=unstamp,
    no_pause=NO_PAUSE,
    # A job's `priority` is kept, and orders the pickup only when the server was started
    # with NEXRENDER_ORDERING=priority (by default it hands out the oldest job first),
    # which no request shows. Changing it afterwards (PUT /jobs/:uid merges the fields
    # sent) would claim an order the server may not follow, so it is not offered.
    takes_priority=True,
    no_reprioritise=(
        "a nexrender server job keeps the priority it was sent with (the server follows "
        "priorities only when started with NEXRENDER_ORDERING=priority)"
    ),
)
