"""What the store knows that a retry plan needs: run counts, stored bodies, retry links.

Apart from retry.py so the window can plan a retry without loading the HTTP stack.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from render_manager.domain.job import Job
from render_manager.services.context import AppContext
from render_manager.services.retry_plan import RetryFacts


def load_facts(
    ctx: AppContext, jobs: Sequence[Job], local_attempts: Mapping[str, int]
) -> RetryFacts:
    """What the store knows of these jobs that a retry plan needs (reads: off the GUI thread).

    `local_attempts` are the run counts of the local ones (the local job repository's).
    """
    ids = [job.id for job in jobs]
    links = ctx.requests.links(ids)
    bodies = ctx.requests.bodies(ids)
    return RetryFacts(
        attempts=local_attempts,
        with_body=frozenset(bodies),
        retried_as={i: link.retried_as for i, link in links.items() if link.retried_as},
        unsettled=frozenset(ctx.requests.unsettled(ids)),
    )
