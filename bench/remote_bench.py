"""Remote back-end benchmarks against the Nexrender Cloud fake (no network).

Run: .venv/bin/python bench/remote_bench.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from render_manager.backends.nexrender_cloud import NexrenderCloudBackend
from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind
from tests.fakes.nexrender_cloud import TOKEN, FakeNexrenderCloud

CONNECTION = Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD)


class Metered(httpx.AsyncBaseTransport):
    """Counts requests and response bytes on their way through to the fake."""

    def __init__(self, fake: FakeNexrenderCloud) -> None:
        self._inner = httpx.MockTransport(fake)
        self.requests = 0
        self.bytes = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        body = await response.aread()
        self.requests += 1
        self.bytes += len(body) + len(request.content)
        return response

    def reset(self) -> None:
        self.requests = self.bytes = 0


def _body(n: int) -> dict[str, object]:
    return {"name": f"row {n}", "template": {"id": "tpl-1", "composition": "Main"}}


async def refresh_cost(total: int, active: int, leaving: int) -> None:
    fake = FakeNexrenderCloud()
    metered = Metered(fake)
    backend = NexrenderCloudBackend(CONNECTION, TOKEN, transport=metered)
    outcome = await backend.submit_many([_body(n) for n in range(total)])
    jobs = [job for _, job in outcome.jobs]
    for job in jobs[active:]:
        fake.start(job.id)
        fake.finish(job.id)
    known: Sequence[Job] = jobs[:active]
    await backend.refresh(known)  # the store now knows what is active
    for job in jobs[:leaving]:
        fake.start(job.id)
        fake.finish(job.id)
    metered.reset()
    await backend.refresh(known)
    smart = (metered.requests, metered.bytes)

    naive = Metered(fake)
    async with httpx.AsyncClient(
        transport=naive,
        base_url=(CONNECTION.effective_url or "") + "/",
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as client:
        for job in jobs:  # one GET per job the app knows, as a naive poller does
            (await client.get(f"jobs/{job.id}")).raise_for_status()
    await backend.aclose()
    goal = -(-(active - leaving) // 1000) + leaving
    print(
        f"refresh, {total} jobs of which {active} active, {leaving} just ended: "
        f"{smart[0]} requests / {smart[1] / 1024:.0f} KiB per cycle (goal {goal} requests); "
        f"naive per-job GET: {naive.requests} requests / {naive.bytes / 1024:.0f} KiB"
    )


async def submit_cost(total: int) -> None:
    fake = FakeNexrenderCloud()
    metered = Metered(fake)
    backend = NexrenderCloudBackend(CONNECTION, TOKEN, transport=metered)
    start = time.perf_counter()
    outcome = await backend.submit_many([_body(n) for n in range(total)])
    ours = time.perf_counter() - start
    assert outcome.status == "created", outcome.errors[:3]
    await backend.aclose()

    bare_fake = FakeNexrenderCloud()
    bodies = [_body(n) for n in range(total)]
    start = time.perf_counter()
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(bare_fake),
        base_url=(CONNECTION.effective_url or "") + "/",
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as client:
        for chunk in range(0, total, 1000):
            response = await client.post("batches", json={"jobs": bodies[chunk : chunk + 1000]})
            response.raise_for_status()
    bare = time.perf_counter() - start
    print(
        f"submit {total} jobs: {metered.requests} requests (goal {-(-total // 1000)}), "
        f"{ours:.2f} s; bare httpx posting the same batches: {bare:.2f} s "
        f"(ratio {ours / bare:.2f})"
    )


def main() -> None:
    asyncio.run(refresh_cost(5000, 200, 0))
    asyncio.run(refresh_cost(5000, 200, 20))
    asyncio.run(submit_cost(10_000))


if __name__ == "__main__":
    main()
