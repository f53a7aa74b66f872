"""End to end through the console adapter: the console is a channel named 'console'."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime

from adapters.console import ConsolePoster, ConsoleSession, console_identity
from bot.bank import QuestionBank
from bot.clock import ManualClock
from bot.daily.engine import DailyEngine
from bot.service import PracticeService
from bot.store import Database
from tests.daily_fakes import ManualJobs


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Terminal:
    def __init__(self, db: Database, bank: QuestionBank, clock: ManualClock) -> None:
        self.out = io.StringIO()
        self.jobs = ManualJobs(clock)
        service = PracticeService(db, bank, clock, rng=random.Random(2))
        self.session = ConsoleSession(service, console_identity(), self.out)
        self.engine = DailyEngine(
            db,
            bank,
            clock,
            {"console": ConsolePoster(self.session)},
            jobs=self.jobs,
            rng=random.Random(4),
        )
        service.attach_engine(self.engine)

    async def type(self, line: str) -> str:
        start = self.out.tell()
        await self.session.handle_line(line)
        return self.out.getvalue()[start:]

    async def wait_until(self, moment: datetime) -> str:
        start = self.out.tell()
        await self.jobs.advance_to(moment)
        return self.out.getvalue()[start:]


async def test_console_schedule_post_answer_and_reveal(
    db: Database, bank: QuestionBank, clock: ManualClock
):
    term = Terminal(db, bank, clock)
    await term.engine.start()
    saved = await term.type("schedule set here 14:30 Europe/London hard")
    assert "Daily question for #console: 14:30 Europe/London, every day" in saved
    assert "Next post: Wed 4 Mar 14:30 (Europe/London)" in saved

    assert await term.wait_until(utc(2026, 3, 4, 14, 29)) == ""
    posted = await term.wait_until(utc(2026, 3, 4, 14, 31))
    assert "[#console]" in posted
    assert "== Daily question · Wed 4 Mar 2026 · Alpha topic · hard ==" in posted
    assert "Option three" in posted and "Type 'daily' to answer it." in posted
    assert "keys the third option" not in posted  # no answer before answering

    shown = await term.type("daily")
    assert "3) C. Option three" in shown
    feedback = await term.type("3")
    assert "== Correct ==" in feedback and "+30 points" in feedback
    again = await term.type("daily")
    assert "Option three" in again
    assert "already answered" in await term.type("1")

    revealed = await term.wait_until(utc(2026, 3, 5, 14, 30))
    reveal_at = revealed.index("[#console · in reply to the daily question]")
    next_post = revealed.index("== Daily question · Thu 5 Mar 2026")
    assert reveal_at < next_post
    assert "Correct answer: C. Option three" in revealed
    assert "1 person answered; 100% got it right." in revealed
    assert "C. Option three: 1  (correct)" in revealed

    board = await term.type("leaderboard")
    assert "30 pts" in board
    shows = await term.type("schedule show")
    assert "#console" in shows and "next post Fri 6 Mar 14:30 (Europe/London)" in shows


async def test_console_refuses_other_channels_and_open_daily_answers_by_command(
    db: Database, bank: QuestionBank, clock: ManualClock
):
    term = Terminal(db, bank, clock)
    await term.engine.start()
    refused = await term.type("schedule set general 09:00 UTC")
    assert "I can't post in #general: the console has one channel, 'console'" in refused
    await term.type("schedule set console 14:00 UTC alpha medium")
    posted = await term.wait_until(utc(2026, 3, 4, 14, 1))
    assert "Explain how you would stop a model from overfitting." in posted
    await term.type("daily")  # brings up the written prompt
    feedback = await term.type("I would watch the validation error and use early stopping")
    assert "You covered 2 of 4 key points" in feedback
    assert "already answered" in await term.type("daily answer more data")
