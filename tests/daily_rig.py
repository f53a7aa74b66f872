"""A daily-question rig: service + engine + fake poster + manual jobs on one database,
with a way to 'restart' the engine as a new process would."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bot.bank import QuestionBank
from bot.clock import ManualClock
from bot.daily.engine import DailyEngine, Policy
from bot.domain import Who
from bot.replies import Reply
from bot.service import PracticeService
from bot.store import Database
from tests.daily_fakes import FakePoster, ManualJobs

ADMIN = Who("slack", "t1", "admin", display_name="Ada", channel_id="study", is_admin=True)


def member(user: str, channel: str = "study", team: str = "t1") -> Who:
    return Who("slack", team, user, display_name=user.capitalize(), channel_id=channel)


@dataclass
class Sleeps:
    clock: ManualClock
    delays: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.clock.advance(seconds=seconds)


class Rig:
    def __init__(self, db: Database, bank: QuestionBank, clock: ManualClock) -> None:
        self.db, self.bank, self.clock = db, bank, clock
        self.poster = FakePoster(clock)
        self.sleeps = Sleeps(clock)
        self.restart()

    def restart(self) -> None:
        """A new process: fresh engine, fresh jobs, same database and the same fake platform."""
        self.jobs = ManualJobs(self.clock)
        self.engine = DailyEngine(
            self.db,
            self.bank,
            self.clock,
            {"slack": self.poster},
            jobs=self.jobs,
            policy=Policy(),
            rng=random.Random(5),
            sleep=self.sleeps,
        )
        self.service = PracticeService(
            self.db, self.bank, self.clock, rng=random.Random(7), engine=self.engine
        )

    async def say(self, text: str, who: Who = ADMIN) -> list[Reply]:
        return await self.service.handle_text(who, text)

    async def said(self, text: str, who: Who = ADMIN) -> str:
        return "\n".join(
            r.body + "".join(f.value for f in r.fields) for r in await self.say(text, who)
        )

    async def press(self, who: Who, action_id: str, text: str | None = None) -> list[Reply]:
        return await self.service.handle_action(who, action_id, text)

    async def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return [tuple(r) for r in await self.db.fetchall(sql, params)]
