"""The self-hosted, open-source nexrender server (npm `@nexrender/server`) as a back-end.

The server keeps its jobs in one list; workers poll it (`GET /jobs/pickup`) and report
progress with `PUT /jobs/:uid`. What this module relies on, read from the package (1.38.0):

* A client-supplied `uid` is kept, so every job is sent with a uid chosen here. The server
  does not refuse a uid it already holds (it stores a second job under it), so a job whose
  creation outcome is unknown is looked up by its uid before it is ever sent again.
* `GET /jobs/status` lists every job in a compact form: one request refreshes them all.
* `GET /jobs/:uid` of an unknown uid answers 200 with an empty body, `GET /jobs/:uid/status`
  answers 500, and `DELETE /jobs/:uid` answers `removed: true` whether or not it existed.
  Only the first is unambiguous, so it is the one used to ask whether a job still exists.
* There is no cancelled state: a queued job is removed with DELETE. A job a worker has picked
  is never removed, because the worker's next report would then fail.
* An invalid job is refused with 400 and a plain-text JavaScript stack trace.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from render_manager.backends.base import HttpBackend
from render_manager.backends.errors import (
    BackendError,
    BadRequest,
    BadResponse,
    JobGone,
    LostCreateAnswer,
    OutcomeUnknown,
    TokenRejected,
    Unavailable,
    UnconfirmedCreate,
)
from render_manager.backends.http import (
    Http,
    RetryPolicy,
    TokenAuth,
    make_client,
    parse_json,
    server_message,
)
from render_manager.backends.nexrender_server_records import (
    apply_status,
    expect_record,
    first_meaningful_line,
    job_from_record,
    removed,
)
from render_manager.backends.nexrender_server_rules import RULES
from render_manager.backends.protocol import (
    CancelOutcome,
    RefreshOutcome,
    SubmitOutcome,
    SubmitStatus,
)
from render_manager.backends.records import UnreadableRecord
from render_manager.domain.connection import Connection
from render_manager.domain.job import DomainError, Job
from render_manager.domain.status import BackendKind, cancel_refusal_reason

API_PREFIX = "/api/v1"
AUTH_HEADER = "nexrender-secret"

# A uid ends up in URL paths (`/jobs/:uid`), which the server's router matches per segment.
_UID = re.compile(r"^[A-Za-z0-9_~-]{1,128}$")

Sleep = Callable[[float], Awaitable[None]]
_DEFAULT_RETRY = RetryPolicy()


class SecretRejected(TokenRejected):
    """403 from a nexrender server: its `nexrender-secret` does not match (or none was sent)."""

    def __init__(self, connection: str, *, had_secret: bool) -> None:
        what = "rejected the secret" if had_secret else "needs a secret and none is stored"
        self.reason = f"{connection}: the nexrender server {what} (the {AUTH_HEADER} header)"
        # Skips TokenRejected's text, which speaks of an API token; this server has a secret.
        BackendError.__init__(
            self,
            f"{connection}: the nexrender server {what} (the {AUTH_HEADER} header) — "
            f"set the server's secret in Connections "
            f"(renderctl connection set {connection} --token-stdin)",
        )


class JobRefused(BadRequest):
    """400: the server refused a job; `reason` is the first meaningful line of its answer."""

    def __init__(self, connection: str, reason: str) -> None:
        super().__init__(f"{connection}: the server refused the job: {reason}")
        self.reason = reason


class _ServerHttp(Http):
    """The shared HTTP layer, with this server's meaning of 400 and 403."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        connection: str,
        *,
        has_secret: bool,
        retry: RetryPolicy,
        sleep: Sleep,
    ) -> None:
        super().__init__(client, connection, retry=retry, sleep=sleep)
        self._has_secret = has_secret

    def _raise_for_status(self, response: httpx.Response) -> None:
        # The server has one credential and no plans: a 403 only ever means a wrong secret.
        if response.status_code == 403:
            raise SecretRejected(self.connection, had_secret=self._has_secret)
        if response.status_code == 400:
            reason = first_meaningful_line(response.text) or server_message(response)
            raise JobRefused(self.connection, reason)
        super()._raise_for_status(response)


@dataclass(frozen=True, slots=True)
class _Prepared:
    payload: dict[str, Any]
    uid: str
    # A uid from the body might already be taken; one chosen here cannot be.
    own_uid: bool


class NexrenderServerBackend(HttpBackend):
    """A self-hosted nexrender server, reached at `connection.url` + /api/v1."""

    KIND = BackendKind.NEXRENDER_SERVER
    RULES = RULES

    def __init__(
        self,
        connection: Connection,
        token: str | None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy = _DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if connection.url is None:
            raise ValueError(f"{connection.name}: a nexrender server connection needs a URL")
        self._connection = connection
        self._name = connection.name
        base = connection.url.rstrip("/")
        if not base.endswith(API_PREFIX):
            base += API_PREFIX
        client = make_client(
            base, TokenAuth(token, header=AUTH_HEADER, scheme=""), transport=transport
        )
        self._http = _ServerHttp(
            client, connection.name, has_secret=bool(token), retry=retry, sleep=sleep
        )

    # -- submit ---------------------------------------------------------------------------

    async def submit_many(
        self,
        bodies: Sequence[Mapping[str, Any]],
        *,
        batch_name: str | None = None,
        base_dir: Path | None = None,
    ) -> SubmitOutcome:
        """Create one job per body (nexrender job JSON), in order; never creates one twice.

        The server has no batches, so `batch_name` is not sent. Jobs are sent one after the
        other because workers pick the oldest queued job first: the rows render in order.
        A rejected secret raises SecretRejected if no job was created yet; once the server
        stops answering, the remaining rows are reported as not sent.
        """
        del base_dir  # the service reads no file of this computer
        del batch_name
        jobs: list[tuple[int, Job]] = []
        errors: list[tuple[int, str]] = []
        unknown: set[int] = set()
        stopped: str | None = None
        uids_in_request: set[str] = set()
        for row, body in enumerate(bodies):
            if stopped is not None:
                errors.append((row, f"not sent: {stopped}"))
                continue
            prepared = self._prepare(body, uids_in_request)
            if isinstance(prepared, str):
                errors.append((row, prepared))
                continue
            try:
                jobs.append((row, await self._create(prepared)))
            except JobRefused as exc:
                errors.append((row, f"the server refused the job: {exc.reason}"))
            except SecretRejected as exc:
                if not jobs:
                    raise
                errors.append((row, str(exc)))
                stopped = str(exc)
            except Unavailable as exc:
                errors.append((row, str(exc)))
                if isinstance(exc, OutcomeUnknown):
                    unknown.add(row)
                stopped = "the server stopped answering"
            except BackendError as exc:
                errors.append((row, str(exc)))
                if isinstance(exc, OutcomeUnknown):
                    unknown.add(row)
        status: SubmitStatus = "created" if not errors else ("partial" if jobs else "error")
        return SubmitOutcome(status=status, jobs=jobs, errors=errors, unknown=frozenset(unknown))

    def _prepare(self, body: Mapping[str, Any], taken: set[str]) -> _Prepared | str:
        """The body with its uid, or why it cannot be sent."""
        payload = dict(body)
        given = payload.get("uid")
        if given is None:
            uid, own = _new_uid(), True
            payload["uid"] = uid
        elif isinstance(given, str) and _UID.fullmatch(given):
            uid, own = given, False
        else:
            return f"uid {given!r} is not usable: use 1-128 letters, digits, '_', '-' or '~'"
        if uid in taken:
            return f"uid {uid!r} appears more than once in this submission"
        try:
            json.dumps(payload, allow_nan=False)
        except (TypeError, ValueError) as exc:
            return f"the job cannot be sent as JSON: {exc}"
        taken.add(uid)
        return _Prepared(payload, uid, own)

    async def _create(self, prepared: _Prepared) -> Job:
        uid = prepared.uid
        if not prepared.own_uid and await self._lookup(uid) is not None:
            # The server would store a second job under the same uid.
            raise BadRequest(f"a job with uid {uid!r} is already on the server")
        for attempt in range(2):
            try:
                response = await self._http.request(
                    "POST", "jobs", safe=False, json_body=prepared.payload
                )
            except Unavailable as exc:
                # The job may have been stored before the answer was lost: look, never guess.
                found = await self._lookup_after_unknown(uid, exc)
                if found is not None:
                    return self._readable(found, uid)
                if attempt == 1:
                    raise Unavailable(f"{exc} (job {uid} was not created)") from None
                continue
            try:
                record = expect_record(parse_json(response, self._http.connection), uid)
                return job_from_record(record, self._connection.name)
            except (BadResponse, UnreadableRecord):
                # Created, but the answer is unreadable: read the job back instead.
                found = await self._lookup(uid)
                if found is None:
                    raise UnconfirmedCreate(
                        f"{self._http.connection}: the server accepted job {uid} "
                        "but does not list it"
                    ) from None
                return self._readable(found, uid)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    async def _lookup_after_unknown(self, uid: str, cause: Unavailable) -> Mapping[str, Any] | None:
        try:
            return await self._lookup(uid)
        except Unavailable:
            raise LostCreateAnswer(
                f"{cause}; whether job {uid} was created is unknown — check the server "
                "before sending it again"
            ) from None

    # -- read -----------------------------------------------------------------------------

    async def _lookup(self, uid: str) -> Mapping[str, Any] | None:
        """The job's full record, or None if the server does not have it."""
        response = await self._http.request("GET", _job_path(uid), safe=True)
        # The server answers an unknown uid with 200 and an empty body, not 404.
        if not response.content.strip():
            return None
        data = parse_json(response, self._http.connection)
        if data is None:
            return None
        if not isinstance(data, Mapping):
            raise BadResponse(
                f"{self._http.connection}: job {uid} came back as {type(data).__name__}, "
                "not an object"
            )
        return data

    async def get(self, job_id: str) -> Job:
        """One job, fresh from the server; JobGone if the server no longer has it."""
        record = await self._lookup(job_id)
        if record is None:
            raise JobGone(f"{self._http.connection}: job {job_id} is no longer on the server")
        return self._readable(record, job_id)

    async def refresh(self, known: Sequence[Job]) -> RefreshOutcome:
        """One `GET /jobs/status` for all jobs; returns those whose state, progress or error moved.

        A known job missing from the list was removed from the server (by someone else, or
        its database was reset): it is reported cancelled, with raw status "removed".
        """
        if not known:
            return RefreshOutcome()
        before = self._http.requests
        listing = await self._http.json("GET", "jobs/status", safe=True)
        if not isinstance(listing, list):
            raise BadResponse(
                f"{self._http.connection}: the job status list came back as "
                f"{type(listing).__name__}, not a list"
            )
        problems: list[str] = []
        entries: dict[str, Any] = {}
        anonymous = 0
        for index, entry in enumerate(listing):
            uid = entry.get("uid") if isinstance(entry, Mapping) else None
            if not isinstance(uid, str) or not uid:
                anonymous += 1
                problems.append(f"entry {index} of the job status list has no uid: skipped")
                continue
            entries[uid] = entry  # a later duplicate wins, as in the server's own lookups
        changed: list[Job] = []
        for job in known:
            entry = entries.get(job.id)
            if entry is None:
                if anonymous:
                    # One of the unreadable entries may be this job: do not call it gone.
                    continue
                changed.append(removed(job, "it is no longer on the server"))
                continue
            try:
                fresh = apply_status(job, entry)
            except (UnreadableRecord, DomainError) as exc:
                problems.append(f"job {job.id}: {exc}")
                continue
            if (fresh.raw_status, fresh.progress, fresh.error) != (
                job.raw_status,
                job.progress,
                job.error,
            ):
                changed.append(fresh)
        return RefreshOutcome(
            changed=changed, requests=self._http.requests - before, problems=problems
        )

    # -- cancel ---------------------------------------------------------------------------

    async def cancel_many(self, jobs: Sequence[Job]) -> CancelOutcome:
        """Remove queued jobs; jobs a worker has picked are refused, never removed.

        Each job's state is read again right before its DELETE: the cached one may be stale.
        A rejected secret or an unreachable server raises if nothing was removed yet; after
        that, the remaining jobs are reported as skipped with the reason.
        """
        cancelled: list[Job] = []
        skipped: list[tuple[str, str]] = []
        stopped: str | None = None
        for job in jobs:
            if stopped is not None:
                skipped.append((job.id, stopped))
                continue
            reason = cancel_refusal_reason(self.kind, job.raw_status)
            if reason is not None:
                skipped.append((job.id, reason))
                continue
            try:
                outcome = await self._remove(job)
            except (SecretRejected, Unavailable) as exc:
                if not cancelled:
                    raise
                skipped.append((job.id, str(exc)))
                stopped = f"not cancelled: {exc}"
                continue
            except BackendError as exc:
                skipped.append((job.id, str(exc)))
                continue
            if isinstance(outcome, Job):
                cancelled.append(outcome)
            else:
                skipped.append((job.id, outcome))
        return CancelOutcome(cancelled=cancelled, skipped=skipped)

    async def _remove(self, job: Job) -> Job | str:
        """The removed job, or why it was left alone."""
        record = await self._lookup(job.id)
        if record is None:
            return "job gone: it is no longer on the server"
        state = record.get("state")
        if not isinstance(state, str):
            return f"its state on the server cannot be read ({state!r}): left alone"
        reason = cancel_refusal_reason(self.kind, state)
        if reason is not None:
            return f"{reason} (it is {state} now)"
        answer = await self._http.json("DELETE", _job_path(job.id), safe=True)
        if not (isinstance(answer, Mapping) and answer.get("removed") is True):
            return f"the server did not confirm the removal: {str(answer)[:120]}"
        return removed(job, None)

    async def find_by_key(self, key: str) -> Job | None:
        """The job whose uid is `key` (the uid its submission carried), or None."""
        try:
            return await self.get(key)
        except JobGone:
            return None

    # -- records --------------------------------------------------------------------------

    def _readable(self, record: Mapping[str, Any], uid: str) -> Job:
        """A Job from a full record, or BadResponse saying what cannot be read."""
        try:
            return job_from_record(expect_record(record, uid), self._connection.name)
        except (UnreadableRecord, DomainError) as exc:
            raise BadResponse(f"{self._http.connection}: job {uid}: {exc}") from None


def _new_uid() -> str:
    # As long as the server's own nanoid uids, and from the same URL-safe alphabet, but never
    # starting with '-' or '_': a uid like "-2sgJm…" reads as an option on a command line.
    while True:
        uid = secrets.token_urlsafe(16)
        if uid[0].isalnum():
            return uid


def _job_path(uid: str) -> str:
    return f"jobs/{quote(uid, safe='')}"
