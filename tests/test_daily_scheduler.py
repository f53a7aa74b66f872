"""The engine on a real APScheduler AsyncIOScheduler, and migrations 0002-0003 on old data."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.bank import QuestionBank
from bot.clock import SystemClock
from bot.daily.engine import DailyEngine
from bot.daily.jobs import SchedulerJobs
from bot.service import PracticeService
from bot.store import Database
from bot.store.migrations import discover
from tests.daily_fakes import FakePoster
from tests.daily_rig import ADMIN


async def _wait_for(predicate, seconds: float = 5.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return predicate()


async def test_a_real_asyncio_scheduler_fires_the_daily_job(db: Database, bank: QuestionBank):
    clock = SystemClock()
    poster = FakePoster(clock)  # type: ignore[arg-type]
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.start()  # inside the running loop, as the app does
    try:
        engine = DailyEngine(
            db, bank, clock, {"slack": poster}, jobs=SchedulerJobs(scheduler), rng=random.Random(1)
        )
        service = PracticeService(db, bank, clock, engine=engine)
        await engine.start()
        # A slot ten minutes ago: today's post is due and inside the grace window.
        slot = (datetime.now(UTC) - timedelta(minutes=10)).strftime("%H:%M")
        await service.handle_text(ADMIN, f"schedule set study {slot} UTC")
        await service.handle_text(ADMIN, "schedule reveal study 1")
        job = scheduler.get_job("daily:1")
        assert job is not None
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == 3600
        assert str(job.trigger.timezone) == "UTC"
        assert job.next_run_time > datetime.now(UTC)  # tomorrow, as cron says
        # Bring the real job forward: the scheduler's own timer fires it.
        job.modify(next_run_time=datetime.now(UTC) + timedelta(seconds=0.3))
        scheduler.wakeup()
        # Once posted and recorded, the reveal (an hour later) is queued on the reveals job.
        assert await _wait_for(lambda: scheduler.get_job("reveals") is not None)
        assert len(poster.posts()) == 1
        rows = [tuple(r) for r in await db.fetchall("SELECT status, message_ref FROM daily_posts")]
        assert rows == [("posted", "m1")]
        reveals = scheduler.get_job("reveals")
        assert abs(reveals.next_run_time - datetime.now(UTC) - timedelta(minutes=50)) < timedelta(
            minutes=2
        )
        # Pretend the hour has passed: the queued reveal is due, and the job fires it.
        engine._reveal_queue = [(datetime.now(UTC), 1)]
        reveals.modify(next_run_time=datetime.now(UTC))
        scheduler.wakeup()
        assert await _wait_for(lambda: len(poster.of("reply")) == 1)
        assert poster.of("reply")[0].parent == "m1"
        # The same job brought forward again does not post twice.
        scheduler.get_job("daily:1").modify(next_run_time=datetime.now(UTC))
        scheduler.wakeup()
        await asyncio.sleep(0.3)
        assert len(poster.posts()) == 1
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the loop


async def test_migrations_keep_existing_schedules_posts_and_answers(tmp_path: Path):
    path = tmp_path / "old.db"
    old = await Database.open(path, migrations=discover()[:1])
    stamp = "2026-03-01 09:00:00.000000"
    await old.run(
        lambda c: c.executescript(
            f"""
            INSERT INTO teams (platform, external_id, created_at) VALUES ('slack', 't1', '{stamp}');
            INSERT INTO users (team_id, external_id, created_at) VALUES (1, 'u1', '{stamp}');
            INSERT INTO channel_schedules (team_id, channel_id, post_time, timezone, created_at,
                updated_at) VALUES (1, 'study', '09:00', 'UTC', '{stamp}', '{stamp}');
            INSERT INTO daily_posts (id, team_id, channel_id, local_date, question_id, claimed_at,
                posted_at, message_ref) VALUES (7, 1, 'study', '2026-03-01', 'q1', '{stamp}',
                '{stamp}', 'm1');
            INSERT INTO attempts (team_id, user_id, question_id, topic, source, daily_post_id,
                choice, correct, points, local_date, created_at)
                VALUES (1, 1, 'q1', 'alpha', 'daily', 7, 0, 1, 10, '2026-03-01', '{stamp}');
            """
        )
    )
    await old.close()
    db = await Database.open(path)
    try:
        assert db.applied == [2, 3, 4, 5, 6]
        schedules = await db.fetchall("SELECT channel_id, deck_pos, enabled FROM channel_schedules")
        assert [tuple(r) for r in schedules] == [("study", 0, 1)]
        posts = await db.fetchall("SELECT id, message_ref, status, tries FROM daily_posts")
        assert [tuple(r) for r in posts] == [(7, "m1", "posted", 0)]
        answers = await db.fetchall("SELECT daily_post_id, points FROM attempts")
        assert [tuple(r) for r in answers] == [(7, 10)]
        # Foreign keys are back on, and still point at the rebuilt table.
        assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1
        with pytest.raises(sqlite3.IntegrityError):
            await db.run(
                lambda c: c.execute(
                    "INSERT INTO attempts (team_id, user_id, question_id, topic, source,"
                    " daily_post_id, choice, correct, points, local_date, created_at)"
                    " VALUES (1, 1, 'q1', 'alpha', 'daily', 999, 0, 1, 10, '2026-03-01', 'x')"
                )
            )
        # The new constraints hold on the upgraded file: status values, and one post per
        # channel and day, keyed date first.
        with pytest.raises(sqlite3.IntegrityError):
            await db.run(lambda c: c.execute("UPDATE daily_posts SET status = 'lost'"))
        with pytest.raises(sqlite3.IntegrityError):
            await db.run(
                lambda c: c.execute(
                    "INSERT INTO daily_posts (team_id, channel_id, local_date, question_id,"
                    " claimed_at) VALUES (1, 'study', '2026-03-01', 'q2', 'x')"
                )
            )
        unique = [
            r[1]
            for r in await db.fetchall("PRAGMA index_list(daily_posts)")
            if r[2]  # unique
        ]
        assert len(unique) == 1
        columns = [r[2] for r in await db.fetchall(f"PRAGMA index_info({unique[0]})")]
        assert columns == ["team_id", "local_date", "channel_id"]
        assert (await db.fetchone("PRAGMA integrity_check"))[0] == "ok"
    finally:
        await db.close()
