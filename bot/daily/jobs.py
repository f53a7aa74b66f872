"""Where the daily engine's jobs live: APScheduler in production, a simulated board in tests.

Job ids are stable (`daily:<schedule>`, `recap:<schedule>`, `reveal:<post>`), so putting
a job again replaces it instead of adding a second one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger

JobFunc = Callable[..., Awaitable[Any]]
MISFIRE_GRACE = timedelta(hours=1)


class Jobs(Protocol):
    def put(self, job_id: str, trigger: BaseTrigger, func: JobFunc, args: tuple) -> None: ...

    def remove(self, job_id: str) -> None: ...

    def job_ids(self) -> set[str]: ...


class SchedulerJobs:
    """Jobs on an APScheduler 3 AsyncIOScheduler (start it inside the running loop)."""

    def __init__(self, scheduler: AsyncIOScheduler, grace: timedelta = MISFIRE_GRACE) -> None:
        self.scheduler = scheduler
        self.grace_seconds = int(grace.total_seconds())

    def put(self, job_id: str, trigger: BaseTrigger, func: JobFunc, args: tuple) -> None:
        self.scheduler.add_job(
            func,
            trigger,
            args=args,
            id=job_id,
            name=job_id,
            replace_existing=True,
            coalesce=True,  # after a stall, run once, not once per missed time
            max_instances=1,
            misfire_grace_time=self.grace_seconds,
        )

    def remove(self, job_id: str) -> None:
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(job_id)

    def job_ids(self) -> set[str]:
        return {job.id for job in self.scheduler.get_jobs()}
