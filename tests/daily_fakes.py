"""Test doubles for the daily engine: a poster that records, and a job board driven by a
manual clock (the same triggers APScheduler would use, fired in time order)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.triggers.base import BaseTrigger

from bot.clock import ManualClock
from bot.daily.jobs import JobFunc
from bot.daily.port import PostFailed
from bot.replies import Reply


@dataclass
class Sent:
    kind: str  # post | reply | notify
    team_id: str
    target: str  # channel, or user for notify
    reply: Reply
    ref: str
    at: datetime
    parent: str | None = None


@dataclass
class FakePoster:
    """Records every message. `failures` is consumed one per call: an exception to raise,
    or None to succeed. `hook` runs before each post (e.g. to crash mid-way)."""

    clock: ManualClock
    sent: list[Sent] = field(default_factory=list)
    failures: list[BaseException | None] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)
    hook: Callable[[], None] | None = None
    calls: int = 0

    async def check_channel(self, team_id: str, channel_id: str) -> None:
        if channel_id in self.unreachable:
            raise PostFailed("the bot is not in that channel", permanent=True)

    def _outcome(self) -> None:
        self.calls += 1
        if self.hook is not None:
            self.hook()
        if self.failures:
            failure = self.failures.pop(0)
            if failure is not None:
                raise failure

    def _record(self, kind: str, team: str, target: str, reply: Reply, parent=None) -> str:
        ref = f"m{len(self.sent) + 1}"
        self.sent.append(Sent(kind, team, target, reply, ref, self.clock.now(), parent))
        return ref

    async def post(self, team_id: str, channel_id: str, reply: Reply) -> str:
        self._outcome()
        return self._record("post", team_id, channel_id, reply)

    async def reply(self, team_id: str, channel_id: str, message_ref: str, reply: Reply) -> str:
        self._outcome()
        return self._record("reply", team_id, channel_id, reply, parent=message_ref)

    async def notify(self, team_id: str, user_id: str, reply: Reply) -> None:
        self._record("notify", team_id, user_id, reply)

    def of(self, kind: str) -> list[Sent]:
        return [s for s in self.sent if s.kind == kind]

    def posts(self) -> list[Sent]:
        return [s for s in self.of("post") if (s.reply.title or "").startswith("Daily question")]


@dataclass
class _Job:
    trigger: BaseTrigger
    func: JobFunc
    args: tuple
    next_run: datetime | None


class ManualJobs:
    """A job board for tests: jobs fire in time order as the manual clock is advanced."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.jobs: dict[str, _Job] = {}
        self.fired: list[tuple[str, datetime]] = []

    def put(self, job_id: str, trigger: BaseTrigger, func: JobFunc, args: tuple) -> None:
        first = trigger.get_next_fire_time(None, self.clock.now())
        self.jobs[job_id] = _Job(trigger, func, args, first)

    def remove(self, job_id: str) -> None:
        self.jobs.pop(job_id, None)

    def job_ids(self) -> set[str]:
        return set(self.jobs)

    async def advance_to(self, moment: datetime, limit: int = 10_000) -> None:
        """Move the clock to `moment`, running each job at its fire time on the way."""
        for _ in range(limit):
            due = [
                (job.next_run, job_id)
                for job_id, job in self.jobs.items()
                if job.next_run is not None and job.next_run <= moment
            ]
            if not due:
                break
            when, job_id = min(due)
            job = self.jobs[job_id]
            self.clock.set(when)
            # Step in UTC: wall-clock arithmetic inside a repeated DST hour drops the fold.
            after = when.astimezone(UTC) + timedelta(microseconds=1)
            job.next_run = job.trigger.get_next_fire_time(when, after)
            if job.next_run is None:
                del self.jobs[job_id]
            self.fired.append((job_id, when.astimezone(UTC)))
            await job.func(*job.args)
        else:  # pragma: no cover - a runaway schedule
            raise AssertionError("more job runs than expected")
        self.clock.set(moment)

    async def advance(self, **delta: Any) -> None:
        await self.advance_to(self.clock.now() + timedelta(**delta))
