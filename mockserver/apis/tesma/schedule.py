"""When bulk jobs run, on plain data: jobs run one after another in creation order, each starting a start
delay after its creation (and not before the previous one ended), then handling its assets at the pace.
Progress is a function of the mock's clock, so a job advances whenever the mock looks at it, and a restart
with a file store resumes where the clock says it should be.

Implements TESMA-BP-012 (the job's progress) and TESMA-BP-018 (creation order).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mockserver.job_pace import JobPace


@dataclass(frozen=True)
class PendingJob:
    job_id: int
    created: datetime
    started: datetime | None
    total: int
    processed: int


@dataclass(frozen=True)
class Progress:
    job_id: int
    started: datetime
    due: int  # how many of its items must have been handled by now
    ended: datetime | None


def plan(
    pending: Iterable[PendingJob], previous_end: datetime | None, now: datetime, pace: JobPace, *, at_once: bool = False
) -> list[Progress]:
    """Progress due by ``now`` for ``pending`` (unfinished jobs, in creation order); ``at_once`` finishes them all.
    Reads ``pending`` only as far as the first job not finished by now."""
    progress = []
    for job in pending:
        started = job.started
        if started is None:
            started = max(job.created + pace.start_delay, previous_end or job.created)
            if at_once:
                started = min(started, now)
            elif started > now:
                break
        if at_once or pace.unlimited:
            due, ended = job.total, max(started, now) if at_once else started
        else:
            due = min(job.total, math.floor((now - started).total_seconds() * pace.per_second + 1e-9))
            ended = started + timedelta(seconds=job.total / pace.per_second) if due == job.total else None
        progress.append(Progress(job.job_id, started, max(due, job.processed), ended))
        if ended is None:
            break
        previous_end = ended
    return progress
