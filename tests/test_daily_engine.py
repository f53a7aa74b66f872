"""The daily engine with an injected clock and a fake poster: timing, exactly-once
delivery across restarts, catch-up, retries and pausing, and question choice."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.bank import QuestionBank
from bot.clock import ManualClock
from bot.daily.chooser import MIXED_BY_WEEKDAY
from bot.daily.port import PostFailed
from bot.store import Database
from tests.daily_rig import ADMIN, Rig


@pytest.fixture
async def rig(db: Database, bank: QuestionBank, clock: ManualClock) -> Rig:
    r = Rig(db, bank, clock)
    await r.engine.start()
    return r


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def post_rows(rig: Rig) -> list[tuple]:
    return await rig.rows(
        "SELECT channel_id, local_date, question_id, status, message_ref FROM daily_posts"
        " ORDER BY id"
    )


async def test_posts_at_the_local_time_of_each_channel(rig: Rig):
    # The clock starts Wednesday 2026-03-04 12:00 UTC.
    await rig.say("schedule set berlin 09:00 Europe/Berlin")
    await rig.say("schedule set newyork 09:00 America/New_York")
    await rig.say("schedule set tokyo 09:00 Asia/Tokyo")
    await rig.jobs.advance_to(utc(2026, 3, 5, 23, 59))
    times = [(s.target, s.at) for s in rig.poster.posts()]
    assert times == [
        ("newyork", utc(2026, 3, 4, 14, 0)),  # 09:00 EST = UTC-5
        ("tokyo", utc(2026, 3, 5, 0, 0)),  # 09:00 JST = UTC+9
        ("berlin", utc(2026, 3, 5, 8, 0)),  # 09:00 CET = UTC+1
        ("newyork", utc(2026, 3, 5, 14, 0)),
    ]
    rows = await post_rows(rig)
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("newyork", "2026-03-04", "posted"),
        ("tokyo", "2026-03-05", "posted"),
        ("berlin", "2026-03-05", "posted"),
        ("newyork", "2026-03-05", "posted"),
    ]
    assert all(r[4] for r in rows)  # every post has its message reference


async def test_the_local_time_holds_across_a_dst_change(rig: Rig, clock: ManualClock):
    # US clocks spring forward on Sunday 2026-03-08; the post stays at 09:00 local.
    await rig.say("schedule set newyork 09:00 America/New_York")
    await rig.jobs.advance_to(utc(2026, 3, 10, 0, 0))
    at = [s.at for s in rig.poster.posts()]
    assert at[-4:] == [
        utc(2026, 3, 6, 14, 0),
        utc(2026, 3, 7, 14, 0),
        utc(2026, 3, 8, 13, 0),  # EDT = UTC-4 from here on
        utc(2026, 3, 9, 13, 0),
    ]


async def test_a_time_that_happens_twice_when_clocks_go_back_posts_once(
    db: Database, bank: QuestionBank
):
    # Europe/Berlin repeats 02:00-03:00 on 2026-10-25; a 02:30 schedule fires twice that night.
    clock = ManualClock(utc(2026, 10, 23, 12, 0))
    rig = Rig(db, bank, clock)
    await rig.engine.start()
    await rig.say("schedule set night 02:30 Europe/Berlin")
    await rig.jobs.advance_to(utc(2026, 10, 26, 12, 0))
    fired = [when for job, when in rig.jobs.fired if job.startswith("daily:")]
    assert utc(2026, 10, 25, 0, 30) in fired and utc(2026, 10, 25, 1, 30) in fired
    days = [r[1] for r in await post_rows(rig)]
    assert days == ["2026-10-24", "2026-10-25", "2026-10-26"]
    assert len(rig.poster.posts()) == 3


# --- exactly once across restarts ---------------------------------------------------


class Crash(BaseException):
    """Stands in for the process dying: nothing after it runs."""


async def _due_today(rig: Rig) -> None:
    await rig.say("schedule set study 13:00 UTC")
    await rig.jobs.advance_to(utc(2026, 3, 4, 12, 59))


async def test_crash_before_the_claim_is_caught_up_once_at_start_up(rig: Rig, clock):
    await _due_today(rig)
    clock.set(utc(2026, 3, 4, 13, 20))  # down through 13:00, back 20 minutes late
    rig.restart()
    await rig.engine.start()
    assert len(rig.poster.posts()) == 1
    rig.restart()
    await rig.engine.start()  # a second restart finds the post and does nothing
    assert len(rig.poster.posts()) == 1
    assert [r[3] for r in await post_rows(rig)] == ["posted"]


@pytest.mark.parametrize("step", ["after_claim", "after_send"])
async def test_crash_mid_post_is_reported_and_never_sent_twice(rig: Rig, clock, step: str):
    await _due_today(rig)

    def die() -> None:
        if step == "after_claim":
            raise Crash  # the claim is committed; the platform never got the message

    rig.poster.hook = die
    if step == "after_send":
        real_post = rig.poster.post

        async def post_then_die(team, channel, reply):
            await real_post(team, channel, reply)
            raise Crash  # the platform has it; the reference was never recorded

        rig.poster.post = post_then_die  # type: ignore[method-assign]
    with pytest.raises(Crash):
        await rig.jobs.advance_to(utc(2026, 3, 4, 13, 1))
    assert [r[3] for r in await post_rows(rig)] == ["posting"]
    sent_before = len(rig.poster.posts())
    assert sent_before == (1 if step == "after_send" else 0)

    rig.poster.hook = None
    vars(rig.poster).pop("post", None)  # the platform behaves again
    rig.restart()
    clock.advance(minutes=5)
    await rig.engine.start()
    rows = await post_rows(rig)
    assert [r[3] for r in rows] == ["in_doubt"]
    assert len(rig.poster.posts()) == sent_before  # not blindly re-sent
    notes = rig.poster.of("notify")
    assert len(notes) == 1 and notes[0].target == "admin"
    assert "may not have been posted" in notes[0].reply.body
    # The next day carries on normally.
    await rig.jobs.advance_to(utc(2026, 3, 5, 13, 1))
    assert len(rig.poster.posts()) == sent_before + 1


async def test_restart_after_the_post_was_recorded_does_nothing(rig: Rig, clock):
    await _due_today(rig)
    await rig.jobs.advance_to(utc(2026, 3, 4, 13, 1))
    assert len(rig.poster.posts()) == 1
    for _ in range(3):
        rig.restart()
        clock.advance(minutes=5)
        await rig.engine.start()
        await rig.engine.fire(1)  # even a stray extra run of the job
    assert len(rig.poster.posts()) == 1
    assert [r[3] for r in await post_rows(rig)] == ["posted"]
    assert rig.poster.of("notify") == []


async def test_restart_during_a_retry_wait_resumes_the_post(rig: Rig, clock):
    await _due_today(rig)

    async def crash_in_sleep(seconds: float) -> None:
        raise Crash

    rig.engine.sleep = crash_in_sleep
    rig.poster.failures = [PostFailed("server error 503")]
    with pytest.raises(Crash):
        await rig.jobs.advance_to(utc(2026, 3, 4, 13, 1))
    assert [r[3] for r in await post_rows(rig)] == ["retry"]
    rig.restart()
    clock.advance(minutes=2)
    await rig.engine.start()
    rows = await post_rows(rig)
    assert [r[3] for r in rows] == ["posted"]
    assert len(rig.poster.posts()) == 1
    tries = await rig.rows("SELECT tries FROM daily_posts")
    assert tries == [(2,)]


# --- catch-up ------------------------------------------------------------------------


async def test_catch_up_inside_the_grace_window_posts(rig: Rig, clock):
    await _due_today(rig)
    clock.set(utc(2026, 3, 4, 13, 59))
    rig.restart()
    await rig.engine.start()
    assert [s.at for s in rig.poster.posts()] == [utc(2026, 3, 4, 13, 59)]


async def test_catch_up_outside_the_grace_window_skips_with_a_log_line(rig: Rig, clock, caplog):
    await _due_today(rig)
    clock.set(utc(2026, 3, 4, 14, 1))
    rig.restart()
    with caplog.at_level(logging.INFO, logger="bot.daily.engine"):
        await rig.engine.start()
    assert rig.poster.posts() == []
    assert any("skipped the daily question of 2026-03-04" in m for m in caplog.messages)
    await rig.jobs.advance_to(utc(2026, 3, 5, 13, 1))
    assert [s.at for s in rig.poster.posts()] == [utc(2026, 3, 5, 13, 0)]


async def test_a_schedule_set_after_todays_time_does_not_post_today(rig: Rig, clock):
    await rig.say("schedule set study 11:00 UTC")  # it is 12:00: today's slot has passed
    rig.restart()
    await rig.engine.start()
    assert rig.poster.posts() == []


async def test_a_late_job_run_within_grace_posts_and_after_grace_skips(rig: Rig, clock):
    await rig.say("schedule set study 13:00 UTC")
    clock.set(utc(2026, 3, 4, 13, 40))
    await rig.engine.fire(1)
    assert len(rig.poster.posts()) == 1
    clock.set(utc(2026, 3, 5, 14, 30))
    await rig.engine.fire(1)
    assert len(rig.poster.posts()) == 1


# --- failures ----------------------------------------------------------------------


async def test_failed_posts_are_retried_with_backoff_then_the_channel_is_paused(rig: Rig):
    await _due_today(rig)
    rig.poster.failures = [PostFailed("server error 500")] * 10
    await rig.jobs.advance_to(utc(2026, 3, 4, 13, 30))
    assert rig.sleeps.delays == [10.0, 60.0, 300.0]
    assert rig.poster.calls == 4
    rows = await rig.rows("SELECT status, tries, last_error FROM daily_posts")
    assert rows[0][:2] == ("failed", 4) and "server error 500" in rows[0][2]
    paused = await rig.rows("SELECT paused_reason FROM channel_schedules")
    assert "4 tries failed" in paused[0][0]
    assert "daily:1" not in rig.jobs.job_ids()
    note = rig.poster.of("notify")[-1]
    assert note.target == "admin" and "schedule resume study" in note.reply.body
    # Paused means no crash loop: the next days post nothing.
    await rig.jobs.advance_to(utc(2026, 3, 7, 0, 0))
    assert rig.poster.calls == 4
    shown = await rig.said("schedule show")
    assert "paused" in shown and "schedule resume study" in shown
    # Resuming puts the job back.
    rig.poster.failures = []
    assert "Resumed" in await rig.said("schedule resume study")
    assert "daily:1" in rig.jobs.job_ids()
    await rig.jobs.advance_to(utc(2026, 3, 7, 13, 1))
    assert len(rig.poster.posts()) == 1


async def test_a_retry_that_succeeds_posts_once(rig: Rig):
    await _due_today(rig)
    rig.poster.failures = [PostFailed("rate limited"), None]
    await rig.jobs.advance_to(utc(2026, 3, 4, 13, 5))
    assert rig.sleeps.delays == [10.0]
    assert len(rig.poster.posts()) == 1
    assert await rig.rows("SELECT status, tries FROM daily_posts") == [("posted", 2)]


async def test_losing_access_pauses_at_once_without_retrying(rig: Rig):
    await _due_today(rig)
    rig.poster.failures = [PostFailed("not_in_channel", permanent=True)]
    await rig.jobs.advance_to(utc(2026, 3, 4, 13, 5))
    assert rig.sleeps.delays == []
    assert await rig.rows("SELECT status FROM daily_posts") == [("failed",)]
    assert await rig.rows("SELECT paused_reason FROM channel_schedules") == [("not_in_channel",)]
    assert "not_in_channel" in rig.poster.of("notify")[0].reply.body


async def test_an_unclear_failure_is_in_doubt_and_not_retried(rig: Rig):
    await _due_today(rig)
    rig.poster.failures = [TimeoutError("read timed out")]
    await rig.jobs.advance_to(utc(2026, 3, 4, 13, 5))
    assert rig.sleeps.delays == []
    assert await rig.rows("SELECT status FROM daily_posts") == [("in_doubt",)]
    assert await rig.rows("SELECT paused_reason FROM channel_schedules") == [(None,)]
    assert "ended unclearly" in rig.poster.of("notify")[0].reply.body


async def test_concurrent_runs_of_one_job_post_once(rig: Rig, clock):
    await rig.say("schedule set study 13:00 UTC")
    clock.set(utc(2026, 3, 4, 13, 0))
    await asyncio.gather(*(rig.engine.fire(1) for _ in range(20)))
    assert len(rig.poster.posts()) == 1


# --- choosing the question ------------------------------------------------------------


async def test_no_repeats_until_every_question_was_used_then_least_recent_first(rig: Rig):
    await rig.say("schedule set study 13:00 UTC")
    await rig.jobs.advance_to(utc(2026, 3, 13, 14, 0))  # ten daily posts
    ids = [r[2] for r in await post_rows(rig)]
    assert len(ids) == 10 and len(rig.bank) == 5
    assert sorted(ids[:5]) == sorted(q.id for q in rig.bank.select())
    assert ids[5:] == ids[:5]  # the second round repeats the oldest first


async def test_topic_and_difficulty_filters_are_respected(rig: Rig):
    await rig.say("schedule set a 13:00 UTC alpha")
    await rig.say("schedule set b 13:00 UTC hard")
    await rig.jobs.advance_to(utc(2026, 3, 9, 14, 0))
    rows = await post_rows(rig)
    assert {r[2] for r in rows if r[0] == "a"} == {
        "a-choice-easy",
        "a-choice-hard",
        "a-open-medium",
    }
    assert {r[2] for r in rows if r[0] == "b"} == {"a-choice-hard"}


async def test_mixed_rotates_difficulty_across_the_week(rig: Rig):
    await rig.say("schedule set study 13:00 UTC mixed")
    await rig.jobs.advance_to(utc(2026, 3, 11, 14, 0))  # Wed 4 .. Wed 11 March
    for _channel, day, qid, _status, _ref in await post_rows(rig):
        wanted = MIXED_BY_WEEKDAY[date.fromisoformat(day).weekday()]
        assert rig.bank.get(qid).difficulty is wanted, (day, qid)


async def test_a_filter_left_with_no_questions_pauses_instead_of_failing_daily(
    rig: Rig, clock, bank
):
    await rig.say("schedule set study 13:00 UTC beta")
    rig.engine.bank = QuestionBank([q for q in bank.select() if q.topic != "beta"])
    await rig.jobs.advance_to(utc(2026, 3, 4, 13, 5))
    assert rig.poster.posts() == []
    reason = (await rig.rows("SELECT paused_reason FROM channel_schedules"))[0][0]
    assert "no question" in reason


async def test_jobs_are_rebuilt_from_the_database_at_start_up(rig: Rig):
    await rig.say("schedule set a 13:00 UTC")
    await rig.say("schedule set b 14:00 UTC")
    await rig.say("schedule recap a sun 18:00")
    await rig.say("schedule off b")
    rig.restart()
    await rig.engine.start()
    assert rig.jobs.job_ids() == {"daily:1", "recap:1"}
    assert ADMIN.is_admin
    trigger = rig.jobs.jobs["daily:1"].trigger
    assert str(trigger.timezone) == "UTC" and "hour='13'" in str(trigger)


def test_grace_default_is_about_an_hour():
    from bot.daily.engine import Policy
    from bot.daily.jobs import MISFIRE_GRACE

    assert Policy().grace == MISFIRE_GRACE == timedelta(hours=1)
