"""Answering the daily question, the reveal, the weekly recap, and the schedule commands."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.bank import QuestionBank
from bot.clock import ManualClock
from bot.daily.desk import ADMINS_ONLY
from bot.domain import Who
from bot.replies import Reply
from bot.store import Database
from tests.daily_rig import ADMIN, Rig, member


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
async def rig(db: Database, bank: QuestionBank, clock: ManualClock) -> Rig:
    r = Rig(db, bank, clock)
    await r.engine.start()
    return r


async def posted(rig: Rig, topics: str, moment: datetime) -> tuple[int, Reply]:
    """Schedule 13:00 UTC on `topics` and run the clock to `moment`; the last post."""
    await rig.say(f"schedule set study 13:00 UTC {topics}")
    await rig.jobs.advance_to(moment)
    post = rig.poster.posts()[-1]
    (post_id,) = (await rig.rows("SELECT id FROM daily_posts WHERE message_ref = ?", (post.ref,)))[
        0
    ]
    return post_id, post.reply


async def a_choice_post(rig: Rig) -> tuple[int, Reply]:
    # Only one question is hard: a-choice-hard, keyed C (index 2).
    return await posted(rig, "hard", utc(2026, 3, 4, 13, 1))


# --- answering ------------------------------------------------------------------------


async def test_the_post_has_buttons_and_does_not_give_the_answer_away(rig: Rig):
    _pid, reply = await a_choice_post(rig)
    assert [b.label for b in reply.buttons] == [
        "A. Option one",
        "B. Option two",
        "C. Option three",
        "D. Option four",
    ]
    assert not reply.ephemeral
    assert "marked correct" not in reply.body + (reply.footer or "")
    assert "keyed the third" not in reply.body  # the explanation waits for the reveal
    assert "revealed Thu 5 Mar 13:00 (UTC)" in (reply.footer or "")


async def test_a_click_scores_once_with_private_feedback(rig: Rig, db: Database):
    pid, reply = await a_choice_post(rig)
    [feedback] = await rig.press(member("bo"), reply.buttons[2].action_id)
    assert feedback.ephemeral and feedback.title == "Correct"
    assert "+30 points" in feedback.body and "Streak: 1 day" in (feedback.footer or "")
    [again] = await rig.press(member("bo"), reply.buttons[0].action_id)
    assert "already answered" in again.body and "C (right)" in again.body
    rows = await rig.rows("SELECT choice, points FROM attempts WHERE daily_post_id = ?", (pid,))
    assert rows == [(2, 30)]
    assert await rig.rows("SELECT scope, points FROM points_ledger") == [(f"daily:{pid}", 30)]


async def test_fifty_concurrent_clicks_by_one_person_score_once(rig: Rig):
    pid, reply = await a_choice_post(rig)
    clicks = [rig.press(member("bo"), reply.buttons[i % 4].action_id) for i in range(50)]
    results = await asyncio.gather(*clicks)
    firsts = [r for [r] in results if r.title in ("Correct", "Incorrect")]
    assert len(firsts) == 1
    assert all("already answered" in r.body for [r] in results if r not in firsts)
    assert await rig.rows("SELECT count(*) FROM attempts WHERE daily_post_id = ?", (pid,)) == [(1,)]
    assert await rig.rows("SELECT count(*) FROM points_ledger") == [(1,)]


async def test_fifty_people_clicking_at_once_each_score_once(rig: Rig):
    pid, reply = await a_choice_post(rig)
    clicks = [rig.press(member(f"u{i}"), reply.buttons[2].action_id) for i in range(50)]
    clicks += [rig.press(member(f"u{i}"), reply.buttons[2].action_id) for i in range(50)]
    await asyncio.gather(*clicks)
    assert await rig.rows(
        "SELECT count(*), count(DISTINCT user_id) FROM attempts WHERE daily_post_id = ?", (pid,)
    ) == [(50, 50)]
    assert await rig.rows("SELECT count(*), sum(points) FROM points_ledger") == [(50, 1500)]


async def test_written_answer_gets_coverage_feedback(rig: Rig):
    pid, reply = await posted(rig, "alpha medium", utc(2026, 3, 4, 13, 1))
    assert reply.text_prompt is not None and reply.text_prompt.action_id == f"dw:{pid}"
    [empty] = await rig.press(member("bo"), f"dw:{pid}", "   ")
    assert empty.tone == "error" and "empty" in empty.body
    [fb] = await rig.press(
        member("bo"),
        f"dw:{pid}",
        "Compare training error with validation error, then add dropout and early stopping.",
    )
    assert "You covered 3 of 4 key points: " in fb.body and "+15 points" in fb.body
    assert "Not mentioned: " in fb.body
    assert "Model answer" in [f.name for f in fb.fields]
    assert await rig.rows("SELECT coverage, points, correct FROM attempts") == [(0.75, 15, 1)]


async def test_a_daily_written_answer_is_checked_like_a_quiz_answer(rig: Rig):
    pid, _reply = await posted(rig, "alpha medium", utc(2026, 3, 4, 13, 1))
    [long] = await rig.press(member("bo"), f"dw:{pid}", "x" * 4001)
    assert long.tone == "error" and "the limit is 4,000" in long.body
    [fb] = await rig.press(member("bo"), f"dw:{pid}", "training error \ud800 gap")
    assert fb.title == "Your answer to the daily question"
    assert await rig.rows("SELECT answer_text FROM attempts") == [("training error \ufffd gap",)]


async def test_daily_answer_command_answers_the_channels_open_question(rig: Rig):
    await posted(rig, "alpha medium", utc(2026, 3, 4, 13, 1))
    [fb] = await rig.say("daily answer I would use more data and augmentation", member("cy"))
    assert "You covered 1 of 4 key points" in fb.body
    [shown] = await rig.say("daily", member("cy"))
    assert shown.ephemeral and shown.text_prompt is not None


async def test_a_late_answer_gets_feedback_but_no_points(rig: Rig):
    _pid, reply = await a_choice_post(rig)
    await rig.jobs.advance_to(utc(2026, 3, 5, 12, 0))  # reveal: Thu 13:00 with the next post
    await rig.jobs.advance_to(utc(2026, 3, 5, 13, 30))
    [fb] = await rig.press(member("late"), reply.buttons[2].action_id)
    assert fb.title == "Correct" and "No points: the answer was already revealed" in fb.body
    assert await rig.rows("SELECT points FROM attempts") == [(0,)]
    assert await rig.rows("SELECT count(*) FROM points_ledger") == [(0,)]
    assert await rig.rows("SELECT current FROM streaks") == [(1,)]


async def test_answers_from_another_team_or_a_stale_button_are_refused(rig: Rig):
    pid, reply = await a_choice_post(rig)
    [other] = await rig.press(member("bo", team="t2"), reply.buttons[0].action_id)
    assert other.tone == "error" and "not available here" in other.body
    [gone] = await rig.press(member("bo"), f"da:{pid + 50}:1")
    assert gone.tone == "error"
    [bad] = await rig.press(member("bo"), f"da:{pid}:7")
    assert "not one of this question's options" in bad.body
    [wrong_kind] = await rig.press(member("bo"), f"dw:{pid}", "some words")
    assert "takes a choice" in wrong_kind.body
    assert await rig.rows("SELECT count(*) FROM attempts") == [(0,)]


# --- reveal ---------------------------------------------------------------------------


async def test_reveal_posts_the_answer_and_the_channels_results_under_the_post(rig: Rig):
    pid, reply = await a_choice_post(rig)
    for user, choice in [("a", 2), ("b", 2), ("c", 0), ("d", 1), ("e", 2)]:
        await rig.press(member(user), reply.buttons[choice].action_id)
    await rig.jobs.advance_to(utc(2026, 3, 5, 13, 0))
    reveal = rig.poster.of("reply")[0]
    post = rig.poster.posts()[0]
    assert reveal.parent == post.ref and reveal.at == utc(2026, 3, 5, 13, 0)
    # Yesterday's answer goes out before today's question.
    assert rig.poster.sent.index(reveal) < rig.poster.sent.index(rig.poster.posts()[1])
    text = reveal.reply.body + "\n".join(f.value for f in reveal.reply.fields)
    assert "Correct answer: C. Option three" in text
    assert "keys the third option" in text  # the explanation
    assert "5 people answered; 60% got it right." in text
    assert "A. Option one: 1" in text and "B. Option two: 1" in text
    assert "C. Option three: 3  (correct)" in text and "D. Option four: 0" in text
    assert await rig.rows("SELECT reveal_ref FROM daily_posts WHERE id = ?", (pid,)) == [
        (reveal.ref,)
    ]


async def test_reveal_after_fixed_hours_and_only_once(rig: Rig):
    await rig.say("schedule set study 13:00 UTC hard")
    assert "6 h after posting" in await rig.said("schedule reveal study 6")
    await rig.jobs.advance_to(utc(2026, 3, 4, 20, 0))
    assert [s.at for s in rig.poster.of("reply")] == [utc(2026, 3, 4, 19, 0)]
    await rig.engine.reveal(1)
    rig.restart()
    await rig.engine.start()
    assert len(rig.poster.of("reply")) == 1


async def test_reveal_of_an_open_question_shows_the_model_answer_and_coverage(rig: Rig):
    pid, _reply = await posted(rig, "alpha medium", utc(2026, 3, 4, 13, 1))
    await rig.press(member("a"), f"dw:{pid}", "validation error gap, dropout, early stopping")
    await rig.press(member("b"), f"dw:{pid}", "more data")
    await rig.jobs.advance_to(utc(2026, 3, 5, 13, 0))
    reveal = rig.poster.of("reply")[0].reply
    fields = {f.name: f.value for f in reveal.fields}
    assert "Model answer" in fields
    assert "2 people answered; 50% covered at least half" in fields["How the channel answered"]
    assert "average coverage 50%" in fields["How the channel answered"]
    assert "Regularise the model" in reveal.body


async def test_an_overdue_reveal_is_posted_at_start_up(rig: Rig, clock: ManualClock):
    await a_choice_post(rig)
    await rig.say("schedule off study")
    clock.set(utc(2026, 3, 6, 9, 0))  # down through the reveal time
    rig.restart()
    await rig.engine.start()
    assert len(rig.poster.of("reply")) == 1


# --- weekly recap -----------------------------------------------------------------------


async def test_weekly_recap_posts_top_five_streaks_and_participation_once(rig: Rig):
    await rig.say("schedule set study 13:00 UTC hard")
    assert "Sundays at 18:00 UTC" in await rig.said("schedule recap study sun 18:00")
    for day in (4, 5, 6, 7):
        await rig.jobs.advance_to(utc(2026, 3, day, 13, 1))
        post = rig.poster.posts()[-1].reply
        for i in range(9 if day == 4 else 2):
            await rig.press(member(f"p{i}"), post.buttons[2 if i % 3 else 0].action_id)
    await rig.jobs.advance_to(utc(2026, 3, 8, 18, 1))
    recaps = [s for s in rig.poster.of("post") if (s.reply.title or "").startswith("Weekly")]
    assert len(recaps) == 1 and recaps[0].at == utc(2026, 3, 8, 18, 0)
    fields = {f.name: f.value for f in recaps[0].reply.fields}
    assert recaps[0].reply.title == "Weekly recap · week of Mon 2 Mar 2026"
    # Six people scored; ties share a rank and the list stops at five.
    assert fields["Top 5 this week"].split("\n") == [
        "1. P1: 120 pts",
        "2. P2: 30 pts",
        "2. P4: 30 pts",
        "2. P5: 30 pts",
        "2. P7: 30 pts",
    ]
    # Streaks that lapsed after Wednesday are left out.
    assert fields["Longest current streaks"].split("\n") == ["P0: 4 days", "P1: 4 days"]
    assert (
        "5 daily questions posted here; 9 people answered 15 times, 60% right"
        in fields["This channel"]
    )
    rig.restart()
    await rig.engine.start()
    await rig.engine.recap(1)
    recaps = [s for s in rig.poster.of("post") if (s.reply.title or "").startswith("Weekly")]
    assert len(recaps) == 1


# --- commands ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("schedule set study 25:00 UTC", "use 24-hour HH:MM"),
        ("schedule set study 09:00 Mars/Olympus", "IANA time zone"),
        ("schedule set study 09:00 UTC someday", "no topic 'someday'"),
        ("schedule set study 09:00 UTC beta hard", "No hard questions in beta"),
        ("schedule set study 09:00", "Give the channel, a time and a time zone"),
        ("schedule set study 09:00 UTC mon-fri daily", "gives the days a second time"),
        ("schedule reveal study 500", "from 1 to 168"),
        ("schedule recap study funday 18:00", "not a day of the week"),
        ("schedule recap study sun", "a weekday and a time, or 'off'"),
        ("schedule nap", "use one of: set, show, off, resume, reveal, recap"),
        ("schedule off nowhere", "#nowhere has no daily question schedule"),
        ("schedule set <#C1|x>> 09:00 UTC", "is not a channel"),
    ],
)
async def test_bad_schedule_input_gets_a_clear_message(rig: Rig, command: str, expected: str):
    replies = await rig.say(command)
    text = "\n".join(r.body for r in replies)
    assert expected in text
    assert replies[0].tone == "error"
    assert await rig.rows("SELECT count(*) FROM channel_schedules") == [(0,)]


async def test_schedule_changes_are_for_admins_only(rig: Rig):
    for command in (
        "schedule set study 09:00 UTC",
        "schedule off study",
        "schedule reveal study 3",
        "schedule recap study sun 18:00",
        "schedule resume study",
    ):
        [reply] = await rig.say(command, member("bo"))
        assert reply.body == ADMINS_ONLY
    [shown] = await rig.say("schedule show", member("bo"))
    assert "No channel has a daily question yet" in shown.body


async def test_set_show_and_off(rig: Rig):
    [saved] = await rig.say("schedule set here 09:30 Europe/Berlin mon-fri alpha,beta mixed")
    assert "Daily question for #study: 09:30 Europe/Berlin, Monday to Friday" in saved.body
    assert "Next post: Thu 5 Mar 09:30 (Europe/Berlin)" in saved.body
    assert await rig.rows(
        "SELECT channel_id, post_time, timezone, weekdays, topics, difficulty, admin_user_id"
        " FROM channel_schedules"
    ) == [
        (
            "study",
            "09:30",
            "Europe/Berlin",
            "mon,tue,wed,thu,fri",
            '["alpha", "beta"]',
            "mixed",
            "admin",
        )
    ]
    shown = await rig.said("schedule show", member("bo"))
    assert "Topics: alpha, beta; difficulty: mixed" in shown
    assert "next post Thu 5 Mar 09:30 (Europe/Berlin)" in shown
    assert "off" in await rig.said("schedule off <#study|study>")
    assert "daily:1" not in rig.jobs.job_ids()
    assert "Status: off" in await rig.said("schedule show")


async def test_a_channel_the_bot_cannot_post_in_is_refused_at_set_time(rig: Rig):
    rig.poster.unreachable.add("secret")
    [reply] = await rig.say("schedule set secret 09:00 UTC")
    assert reply.tone == "error" and "I can't post in #secret" in reply.body
    assert await rig.rows("SELECT count(*) FROM channel_schedules") == [(0,)]


async def test_daily_before_any_post_says_so(rig: Rig):
    [reply] = await rig.say("daily", member("bo"))
    assert "No daily question has been posted in this channel in the last 31 days" in reply.body
    [nowhere] = await rig.say("daily", Who("slack", "t1", "bo"))
    assert "in the channel that has the daily question" in nowhere.body


async def test_daily_shows_the_newest_answerable_post_of_the_last_month(rig: Rig):
    _pid, reply = await a_choice_post(rig)  # Wed 4 Mar
    await rig.say("schedule off study")
    [again] = await rig.say("daily", member("bo"))
    assert again.body == reply.body
    await rig.jobs.advance_to(utc(2026, 4, 3, 12, 0))  # 30 days on: still shown
    [month] = await rig.say("daily", member("bo"))
    assert month.body == reply.body
    await rig.jobs.advance_to(utc(2026, 4, 6, 12, 0))  # 33 days on: too old to offer
    [old] = await rig.say("daily", member("bo"))
    assert old.tone == "error" and "in the last 31 days" in old.body


async def test_help_schedule_lists_every_subcommand(rig: Rig):
    [reply] = await rig.say("help schedule")
    for sub in ("set", "show", "off", "resume", "reveal", "recap"):
        assert f"schedule {sub}" in reply.body
    assert ADMIN.is_admin


async def test_a_written_daily_answer_is_rated_once_by_the_person(rig: Rig):
    pid, _reply = await posted(rig, "alpha medium", utc(2026, 3, 4, 13, 1))
    [early] = await rig.press(member("bo"), f"dr:{pid}:3")
    assert early.tone == "error" and "first" in early.body
    [fb] = await rig.press(
        member("bo"),
        f"dw:{pid}",
        "Compare training error with validation error, then add dropout and early stopping.",
    )
    ratings = {b.label: b for b in fb.buttons}
    assert list(ratings) == ["Again", "Hard", "Good", "Easy"]
    assert ratings["Good"].style == "primary"  # 3 of 4 key points suggests Good
    assert ratings["Hard"].action_id == f"dr:{pid}:2"
    [rated] = await rig.press(member("bo"), ratings["Hard"].action_id)
    assert rated.body.startswith("Rated Hard. You will see this question again in")
    [again] = await rig.press(member("bo"), ratings["Easy"].action_id)
    assert "already rated this one Hard" in again.body
    assert await rig.rows("SELECT self_rating FROM attempts") == [(2,)]
    assert await rig.rows("SELECT rating, source FROM sr_reviews") == [(2, "daily")]
