"""Wiring shared by every entry point: settings -> question bank -> database -> service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.bank import QuestionBank, UnknownTopics, builtin_content_dir
from bot.bank.syllabus import load_syllabus
from bot.clock import Clock, SystemClock
from bot.config import ConfigurationError, Settings
from bot.daily.engine import DailyEngine
from bot.daily.jobs import SchedulerJobs
from bot.daily.port import Poster
from bot.gc_tuning import settle_after_start_up
from bot.service import PracticeService
from bot.store import Database


def load_bank(settings: Settings) -> QuestionBank:
    """The main bank (built-in unless MLPREP_CONTENT_DIR replaces it) plus the team pack.

    Subjects are checked against the built-in syllabus only for the built-in bank: a
    replacement bank may use its own subject ids."""
    main = settings.main_content_dir(builtin_content_dir())
    try:
        return QuestionBank.load(
            [main],
            extra=[settings.extra_content_dir] if settings.extra_content_dir else [],
            syllabus=load_syllabus() if settings.content_dir is None else None,
            disabled_topics=settings.disabled_topics,
        )
    except UnknownTopics as exc:
        raise ConfigurationError(f"Configuration error: MLPREP_DISABLED_TOPICS: {exc}") from None


@asynccontextmanager
async def open_service(
    settings: Settings, clock: Clock | None = None, command_prefix: str = ""
) -> AsyncIterator[PracticeService]:
    bank = load_bank(settings)
    db = await Database.open(settings.database_path)
    try:
        yield PracticeService(
            db,
            bank,
            clock or SystemClock(),
            default_timezone=settings.timezone,
            command_prefix=command_prefix,
        )
    finally:
        await db.close()


@asynccontextmanager
async def running_daily(
    service: PracticeService, posters: Mapping[str, Poster]
) -> AsyncIterator[DailyEngine]:
    """Start the daily-question scheduler inside the running loop, for the given platforms.

    Start-up settles what a previous run left half done, registers one job per channel
    from the database and posts anything missed within the grace window; then the
    garbage collector is set for a long run (bot/gc_tuning.py)."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.start()
    engine = DailyEngine(
        service.db, service.bank, service.clock, posters, jobs=SchedulerJobs(scheduler)
    )
    service.attach_engine(engine)
    try:
        await engine.start()
        settle_after_start_up()
        yield engine
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # the shutdown is scheduled on the loop; let it run
