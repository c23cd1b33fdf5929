"""Job scheduling on plain data: start delay, pace, creation order, finishing at once."""

from datetime import UTC, datetime, timedelta

from mockserver.apis.tesma.schedule import PendingJob, Progress, plan
from mockserver.job_pace import JobPace

T0 = datetime(2026, 1, 1, tzinfo=UTC)
PACE = JobPace(per_second=10, start_delay=timedelta(seconds=1))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_job_waits_for_its_start_delay_then_runs_at_the_pace():
    job = PendingJob(1, T0, None, 20, 0)
    assert plan([job], None, at(0.9), PACE) == []
    assert plan([job], None, at(1.55), PACE) == [Progress(1, at(1), 5, None)]
    assert plan([job], None, at(3), PACE) == [Progress(1, at(1), 20, at(3))]


def test_a_job_starts_only_when_the_one_before_has_ended():
    first, second = PendingJob(1, T0, None, 10, 0), PendingJob(2, at(0.1), None, 10, 0)
    assert plan([first, second], None, at(1.5), PACE) == [Progress(1, at(1), 5, None)]
    assert plan([first, second], None, at(2.5), PACE) == [Progress(1, at(1), 10, at(2)), Progress(2, at(2), 5, None)]


def test_a_job_never_starts_before_the_last_finished_one_ended():
    assert plan([PendingJob(2, T0, None, 10, 0)], at(5), at(5.2), PACE) == [Progress(2, at(5), 2, None)]


def test_progress_never_goes_back_and_a_started_job_keeps_its_start():
    job = PendingJob(1, T0, at(1), 20, 8)
    assert plan([job], None, at(1.5), PACE) == [Progress(1, at(1), 8, None)]


def test_no_limit_finishes_a_job_when_it_starts():
    unlimited = JobPace(per_second=0, start_delay=timedelta())
    assert plan([PendingJob(1, T0, None, 10_000, 0)], None, at(0), unlimited) == [Progress(1, T0, 10_000, T0)]


def test_at_once_finishes_every_job_now_in_order():
    jobs = [PendingJob(1, T0, None, 10, 0), PendingJob(2, at(0.1), None, 10, 0)]
    assert plan(jobs, None, at(0.2), PACE, at_once=True) == [
        Progress(1, at(0.2), 10, at(0.2)), Progress(2, at(0.2), 10, at(0.2))
    ]  # fmt: skip
