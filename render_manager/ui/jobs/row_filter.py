"""Which rows of the job table the filters let through, computed in plain Python.

The one-pass selection behind `JobFilterModel`: the filter criteria, the rows of a job
list they keep, and the cached, casefolded search text per job that the text filter
matches against. Nothing here knows of Qt models; the proxy model only exposes the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from render_manager.domain.job import Job
from render_manager.domain.status import JobStatus

__all__ = ["FilterCriteria", "SearchTexts", "matching_rows", "narrows", "rows_with_terms"]

_ALL_STATUSES = frozenset(JobStatus)


def _haystack(job: Job, batch_name: str = "") -> str:
    # \0 between fields: a search term never matches across two of them.
    return "\0".join(
        (
            job.name,
            job.connection,
            job.status.value,
            job.error or "",
            job.output or "",
            job.batch_id or "",
            batch_name,
        )
    ).casefold()


def narrows(before: Sequence[str], after: Sequence[str]) -> bool:
    """True if every job matching all `after` terms also matches all `before` terms.

    So it is when each earlier term lies inside one of the new ones (typing on at the end
    of a word, or adding a word): only the rows shown so far need checking again.
    """
    return all(any(old in new for new in after) for old in before)


class SearchTexts:
    """The casefolded search text of every source row, kept aligned with the rows.

    Built at the first text filter, then kept in step with the source's inserts, removals
    and changed rows (a changed job is a new object, so its text is rebuilt only then);
    only a re-sort rebuilds the list, from texts kept per job.
    """

    def __init__(self, batch_names: Mapping[str, str] | None = None) -> None:
        self._batch_names: Mapping[str, str] = {} if batch_names is None else batch_names
        self._by_id: dict[str, tuple[Job, str]] = {}
        self._jobs: list[Job] | None = None  # the rows the texts are for, None: not built
        self._texts: list[str] = []
        self._changed: list[tuple[int, int]] = []  # spans of rows that may hold new jobs

    @property
    def built(self) -> bool:
        """True while the texts are kept (a text filter was used since the last reset)."""
        return self._jobs is not None

    def clear(self) -> None:
        """Forget every text (the source was reset)."""
        self._by_id.clear()
        self._jobs, self._texts, self._changed = None, [], []

    def reordered(self) -> None:
        """The rows moved: rebuild the list at the next use, from the texts per job."""
        self._jobs, self._texts, self._changed = None, [], []

    def changed(self, first: int, last: int) -> None:
        """Rows first..last may hold new versions of their jobs."""
        if self._jobs is not None:
            self._changed.append((first, last))

    def before_rows_move(self, jobs: Sequence[Job]) -> None:
        """Rows are about to be inserted or removed: settle changed rows while their
        numbers still hold."""
        if self._changed:
            self.texts(jobs)

    def inserted(self, jobs: Sequence[Job], first: int, last: int) -> None:
        """Rows first..last arrived."""
        if self._jobs is not None:
            new = list(jobs[first : last + 1])
            self._jobs[first:first] = new
            self._texts[first:first] = [self._text(job) for job in new]

    def removed(self, first: int, last: int) -> None:
        """Rows first..last left."""
        if self._jobs is not None:
            del self._jobs[first : last + 1]
            del self._texts[first : last + 1]

    def texts(self, jobs: Sequence[Job]) -> list[str]:
        """The search text of each job, in row order."""
        kept = self._jobs
        if kept is None or len(kept) != len(jobs):
            self._texts = [self._text(job) for job in jobs]
            self._jobs = list(jobs)
            self._changed = []
            if len(self._by_id) > 2 * len(jobs) + 1024:  # texts of jobs long gone
                self._by_id = {j.id: (j, t) for j, t in zip(jobs, self._texts, strict=True)}
            return self._texts
        texts = self._texts
        for first, last in self._changed:
            now = jobs[first : last + 1]
            before = kept[first : last + 1]
            for k in [k for k, (a, b) in enumerate(zip(before, now, strict=True)) if a is not b]:
                texts[first + k] = self._text(now[k])
            kept[first : last + 1] = now
        self._changed = []
        return texts

    def text(self, job: Job) -> str:
        """The search text of one job."""
        return self._text(job)

    def _text(self, job: Job) -> str:
        cached = self._by_id.get(job.id)
        if cached is None or cached[0] is not job:
            name = self._batch_names.get(job.batch_id, "") if job.batch_id else ""
            cached = self._by_id[job.id] = (job, _haystack(job, name))
        return cached[1]


@dataclass(frozen=True, slots=True)
class FilterCriteria:
    """The filters set, combined with AND."""

    terms: tuple[str, ...] = ()
    """Casefolded search terms, each to be found in a job's search text."""
    statuses: frozenset[JobStatus] | None = None
    """The statuses shown, or None for all."""
    connection: str | None = None
    """The one connection shown, or None for all."""
    batch: str | None = None
    """The one batch shown, or None for all."""
    hide_cancelled: bool = False
    """True while cancelled jobs are hidden."""

    @property
    def is_filtering(self) -> bool:
        """True if any filter hides rows."""
        return bool(
            self.terms
            or self.statuses is not None
            or self.connection is not None
            or self.batch is not None
            or self.hide_cancelled
        )


def matching_rows(
    criteria: FilterCriteria, jobs: Sequence[Job], rows: Iterable[int], search: SearchTexts
) -> list[int]:
    """Those of `rows` (indexes into `jobs`) whose job the criteria let through: one pass
    per filter set, each over the rows the previous ones left."""
    statuses = criteria.statuses
    if criteria.hide_cancelled:
        statuses = (_ALL_STATUSES if statuses is None else statuses) - {JobStatus.CANCELLED}
    kept = rows
    if statuses is not None:
        kept = [r for r in kept if jobs[r].status in statuses]
    if (connection := criteria.connection) is not None:
        kept = [r for r in kept if jobs[r].connection == connection]
    if (batch := criteria.batch) is not None:
        kept = [r for r in kept if jobs[r].batch_id == batch]
    if criteria.terms:
        texts = search.texts(jobs) if len(jobs) > 1 else [search.text(jobs[0])]
        kept = rows_with_terms(criteria.terms, texts, kept)
    return kept if isinstance(kept, list) else list(kept)


def rows_with_terms(terms: Sequence[str], texts: Sequence[str], rows: Iterable[int]) -> list[int]:
    """Those of `rows` whose search text (`texts[row]`) holds every term."""
    kept = rows
    for term in terms:
        kept = [r for r in kept if term in texts[r]]
    return kept if isinstance(kept, list) else list(kept)
