"""PracticeService behaviour against a real database and the fixture bank."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.bank import QuestionBank
from bot.clock import ManualClock
from bot.domain import Who
from bot.replies import Reply
from bot.service import PracticeService
from bot.store import Database
from tests.conftest import who


async def start(service: PracticeService, text: str, user: Who | None = None) -> list[Reply]:
    return await service.handle_text(user or who(), text)


def action_of(reply: Reply, label: str) -> str:
    return next(b.action_id for b in reply.buttons if b.label == label)


async def test_quiz_runs_one_question_at_a_time_and_scores_at_the_end(
    service: PracticeService, db: Database
):
    replies = await start(service, "quiz alpha 2")
    first = replies[-1]
    assert first.title.startswith("Question 1 of 2")
    seen = set()
    answered = []
    current = first
    for _ in range(2):
        qid = (await db.fetchone("SELECT question_ids FROM quiz_sessions"))[0]
        seen.add(qid)
        if current.text_prompt is not None:
            out = await service.handle_action(
                who(), current.text_prompt.action_id, "Compare training error and validation error"
            )
            assert out[0].title == "Your written answer"
            out = await service.handle_action(who(), action_of(out[0], "Good"))
        else:
            out = await service.handle_action(who(), current.buttons[0].action_id)
            assert out[0].title in {"Correct", "Incorrect"}
        answered.append(out)
        current = out[-1]
    assert current.title == "Score"
    assert "answered 2 of 2" in current.body
    row = await db.fetchone("SELECT status, answered FROM quiz_sessions")
    assert tuple(row) == ("finished", 2)


async def test_right_and_wrong_choice_feedback_explains(service: PracticeService):
    q = (await start(service, "quiz alpha hard 1"))[-1]
    wrong = await service.handle_action(who(), q.buttons[0].action_id)
    assert wrong[0].title == "Incorrect"
    assert "Correct answer: C. Option three" in wrong[0].body
    assert "Why not:" in wrong[0].body and "+0 points" in wrong[0].body


async def test_points_only_on_the_first_scored_attempt(service: PracticeService, db: Database):
    q = (await start(service, "quiz alpha easy 1"))[-1]
    first = await service.handle_action(who(), q.buttons[0].action_id)
    assert "+10 points" in first[0].body
    q = (await start(service, "quiz alpha easy 1"))[-1]
    again = await service.handle_action(who(), q.buttons[0].action_id)
    assert again[0].title == "Correct" and "already scored" in again[0].body
    totals = await db.fetchone("SELECT sum(points), count(*) FROM points_ledger")
    assert tuple(totals) == (10, 1)
    assert (await db.fetchone("SELECT count(*) FROM attempts"))[0] == 2


async def test_wrong_first_attempt_uses_up_the_points(service: PracticeService, db: Database):
    q = (await start(service, "quiz alpha easy 1"))[-1]
    await service.handle_action(who(), q.buttons[1].action_id)  # wrong
    q = (await start(service, "quiz alpha easy 1"))[-1]
    out = await service.handle_action(who(), q.buttons[0].action_id)
    assert "already scored" in out[0].body
    assert (await db.fetchone("SELECT sum(points) FROM points_ledger"))[0] == 0


async def test_written_answer_reports_covered_and_missed_points_then_rating(
    service: PracticeService, db: Database, clock: ManualClock
):
    q = (await start(service, "quiz alpha medium 1"))[-1]
    assert q.text_prompt is not None
    out = await service.handle_action(
        who(),
        q.text_prompt.action_id,
        "Look at the gap between training and validation error, "
        "then add dropout. A bigger model would also help.",
    )
    feedback = out[0]
    fields = {f.name: f.value for f in feedback.fields}
    covered, _, missed = feedback.body.partition("Not mentioned:")
    assert covered.startswith("You covered 2 of 4 key points: ")
    assert "Regularise the model" in covered and "Stop training early" in missed
    assert "wrong" not in feedback.body.lower()  # never 'wrong' for an open answer
    assert "larger model usually overfits" in fields["Worth a second look"]
    assert "early stopping" in fields["Model answer"]
    assert [b.label for b in feedback.buttons] == ["Again", "Hard", "Good", "Easy"]
    attempt = await db.fetchone("SELECT correct, coverage, points FROM attempts")
    assert tuple(attempt) == (1, 0.5, 10)  # medium 20 points x 50% coverage
    rated = await service.handle_action(who(), action_of(feedback, "Easy"))
    assert rated[0].body.startswith("Rated Easy")
    assert rated[-1].title == "Score"
    card = await db.fetchone(
        "SELECT reviews, due_at FROM sr_cards WHERE question_id='a-open-medium'"
    )
    assert card[0] == 1 and card[1] > clock.now().strftime("%Y-%m-%d")
    assert (await db.fetchone("SELECT self_rating FROM attempts"))[0] == 4


async def test_behavioral_feedback_shows_the_star_scaffold(service: PracticeService):
    q = (await start(service, "quiz beta easy 1"))[-1]
    out = await service.handle_action(
        who(), q.text_prompt.action_id, "I listened, ran an experiment and we agreed."
    )
    fields = {f.name: f.value for f in out[0].fields}
    assert "Situation:" in fields["What a strong answer contains (STAR)"]
    assert out[0].body.startswith("You covered all 3 key points: ")


@pytest.mark.parametrize("blank", ["", "   ", "\n\t  "])
async def test_empty_answer_is_asked_again(service: PracticeService, db: Database, blank: str):
    q = (await start(service, "quiz alpha medium 1"))[-1]
    out = await service.handle_action(who(), q.text_prompt.action_id, blank)
    assert out[0].tone == "error" and "empty" in out[0].body
    assert (await db.fetchone("SELECT count(*) FROM attempts"))[0] == 0
    again = await service.handle_action(who(), q.text_prompt.action_id, "early stopping")
    assert again[0].title == "Your written answer"


async def test_answer_over_the_limit_is_refused_with_the_limit(
    service: PracticeService, db: Database
):
    q = (await start(service, "quiz alpha medium 1"))[-1]
    out = await service.handle_action(who(), q.text_prompt.action_id, "x" * 4001)
    assert "4,001 characters" in out[0].body and "limit is 4,000" in out[0].body
    assert (await db.fetchone("SELECT count(*) FROM attempts"))[0] == 0
    ok = await service.handle_action(who(), q.text_prompt.action_id, "y" * 4000)
    assert ok[0].title == "Your written answer"


@pytest.mark.parametrize(
    "text",
    [
        "early\x00stopping\x07 with \x1b[31mred\x1b[0m",
        "régularisation — 正則化 🚀 e\u0301 \u202eRTL\u202c \ufeffBOM",
        "zero\u200bwidth and tabs\tand\r\nnewlines",
    ],
)
async def test_control_characters_and_odd_unicode_are_stored_intact(
    service: PracticeService, db: Database, text: str
):
    q = (await start(service, "quiz alpha medium 1"))[-1]
    out = await service.handle_action(who(), q.text_prompt.action_id, text)
    assert out[0].title == "Your written answer"
    assert (await db.fetchone("SELECT answer_text FROM attempts"))[0] == text


async def test_lone_surrogates_become_replacement_characters(
    service: PracticeService, db: Database
):
    q = (await start(service, "quiz alpha medium 1"))[-1]
    out = await service.handle_action(who(), q.text_prompt.action_id, "bad \ud800 half")
    assert out[0].title == "Your written answer"
    assert (await db.fetchone("SELECT answer_text FROM attempts"))[0] == "bad \ufffd half"


async def test_unknown_topic_lists_the_topics(service: PracticeService):
    out = await start(service, "quiz alfa")
    assert out[0].tone == "error"
    assert "Did you mean 'alpha'" in out[0].body and "alpha, beta" in out[0].body


async def test_topic_prefix_is_accepted(service: PracticeService):
    assert (await start(service, "quiz be 1"))[-1].title.startswith("Question 1 of 1 · Beta")


async def test_unknown_command_gets_help(service: PracticeService):
    out = await start(service, "dance")
    assert "Unknown command 'dance'" in out[0].body
    assert out[1].title == "Commands" and "leaderboard [week|month|all]" in out[1].body


async def test_missing_difficulty_names_what_exists(service: PracticeService):
    out = await start(service, "quiz beta hard")
    assert "No hard questions in beta" in out[0].body and "easy, medium" in out[0].body


async def test_quiz_smaller_than_requested_says_so(service: PracticeService):
    out = await start(service, "quiz beta 10")
    assert "Only 2 questions match" in out[0].body
    assert out[-1].title.startswith("Question 1 of 2")


async def test_unseen_questions_come_first(service: PracticeService, db: Database):
    shown = []
    for _ in range(3):  # alpha has three questions: three one-question quizzes show each once
        await start(service, "quiz alpha 1")
        last = "SELECT question_ids FROM quiz_sessions ORDER BY id DESC LIMIT 1"
        shown.append((await db.fetchone(last))[0])
    assert len(set(shown)) == 3


async def test_stale_and_foreign_buttons_are_refused_kindly(service: PracticeService):
    q = (await start(service, "quiz alpha easy 1"))[-1]
    other = await service.handle_action(who("intruder"), q.buttons[0].action_id)
    assert "belongs to someone else" in other[0].body
    await service.handle_action(who(), q.buttons[0].action_id)
    late = await service.handle_action(who(), q.buttons[0].action_id)
    assert "no longer open" in late[0].body
    junk = await service.handle_action(who(), "qa:notanumber")
    assert junk[0].tone == "error"


async def test_skip_stop_and_commands_without_a_quiz(service: PracticeService):
    assert "no quiz in progress" in (await start(service, "skip"))[0].body
    assert "no quiz in progress" in (await start(service, "stop"))[0].body
    await start(service, "quiz alpha 3")
    skipped = await start(service, "skip")
    assert skipped[0].body == "Skipped." and skipped[1].title.startswith("Question 2 of 3")
    stopped = await start(service, "stop")
    assert stopped[0].title == "Score" and "stopped" in stopped[0].body


async def test_answer_and_rate_commands_work_like_the_buttons(
    service: PracticeService, db: Database
):
    await start(service, "quiz alpha medium 1")
    early = await start(service, "rate good")
    assert "nothing to rate yet" in early[0].body
    out = await start(service, "answer early stopping and dropout")
    assert out[0].title == "Your written answer"
    twice = await start(service, "answer more thoughts")
    assert "Rate your last answer first" in twice[0].body
    rated = await start(service, "rate good")
    assert rated[0].body.startswith("Rated Good")


async def test_leaderboard_ranks_a_team_and_keeps_teams_apart(service: PracticeService):
    async def score(user: Who, level: str, right: bool = True) -> None:
        q = (await service.handle_text(user, f"quiz alpha {level} 1"))[-1]
        index = {"easy": 0, "hard": 2}[level] if right else 1
        await service.handle_action(user, q.buttons[index].action_id)

    a, b, c, d = (who(n, name=n.upper()) for n in "abcd")
    await score(a, "hard")
    await score(a, "easy")
    await score(b, "hard")
    await score(c, "hard")
    await score(d, "easy")
    stranger = who("zed", team="other-team", name="ZED")
    await score(stranger, "hard")
    board = await service.leaderboard(b)
    lines = board.body.splitlines()
    assert lines[0].startswith(" 1. 40 pts  A")
    assert lines[1].startswith(" 2. 30 pts  B") and lines[1].endswith("<- you")
    assert lines[2].startswith(" 2. 30 pts  C")
    assert lines[3].startswith(" 4. 10 pts  D")
    assert "ZED" not in board.body and "Week starting Monday 2026-03-02" in board.footer
    other = await service.leaderboard(stranger)
    assert other.body.splitlines() == [" 1. 30 pts  ZED  <- you"]


async def test_week_and_month_boards_follow_the_team_timezone(
    db: Database, bank: QuestionBank, clock: ManualClock
):
    service = PracticeService(db, bank, clock, default_timezone="Asia/Tokyo", rng=random.Random(1))
    # Sunday 2026-03-08 20:00 UTC is already Monday 05:00 in Tokyo: a new week there.
    clock.set(datetime(2026, 3, 8, 20, 0, tzinfo=UTC))
    q = (await service.handle_text(who(), "quiz alpha easy 1"))[-1]
    await service.handle_action(who(), q.buttons[0].action_id)
    week = await service.handle_text(who(), "leaderboard")
    assert "Week starting Monday 2026-03-09 (Asia/Tokyo)" in week[0].footer
    assert "10 pts" in week[0].body
    clock.set(datetime(2026, 3, 15, 14, 0, tzinfo=UTC))  # Sunday 23:00 in Tokyo, same week
    assert "10 pts" in (await service.handle_text(who(), "leaderboard"))[0].body
    clock.set(datetime(2026, 3, 15, 15, 0, tzinfo=UTC))  # Monday 00:00 in Tokyo: new week
    assert "No points yet" in (await service.handle_text(who(), "leaderboard week"))[0].body
    assert "10 pts" in (await service.handle_text(who(), "leaderboard month"))[0].body
    assert "10 pts" in (await service.handle_text(who(), "leaderboard all"))[0].body


@pytest.mark.parametrize(
    ("tz", "local_times"),
    [
        # Across the US spring-forward night (2026-03-08 has 23 hours in New York).
        ("America/New_York", ["2026-03-07 23:50", "2026-03-08 00:10", "2026-03-09 23:59"]),
        # Across the European change (2026-03-29) at local midnight.
        ("Europe/Berlin", ["2026-03-28 00:00", "2026-03-29 23:30", "2026-03-30 00:01"]),
        # Across the autumn change (2026-11-01 has 25 hours in New York).
        ("America/New_York", ["2026-10-31 23:59", "2026-11-01 01:30", "2026-11-02 00:00"]),
        ("Pacific/Auckland", ["2026-04-04 23:00", "2026-04-05 02:30", "2026-04-06 23:59"]),
    ],
)
async def test_streak_counts_local_calendar_days_across_dst(
    db: Database, bank: QuestionBank, tz: str, local_times: list[str]
):
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    service = PracticeService(db, bank, clock, default_timezone=tz, rng=random.Random(3))
    for stamp in local_times:
        local = datetime.strptime(stamp, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(tz))
        clock.set(local)
        q = (await service.handle_text(who(), "quiz alpha easy 1"))[-1]
        await service.handle_action(who(), q.buttons[1].action_id)  # wrong answers count too
    body = (await service.handle_text(who(), "streak"))[0].body
    assert "Current streak: 3 days" in body


async def test_streak_is_calendar_days_not_rolling_24_hours(
    service: PracticeService, clock: ManualClock
):
    async def answer() -> None:
        q = (await service.handle_text(who(), "quiz alpha easy 1"))[-1]
        await service.handle_action(who(), q.buttons[0].action_id)

    clock.set(datetime(2026, 3, 4, 23, 50, tzinfo=UTC))
    await answer()
    clock.advance(minutes=20)  # 00:10 the next day: a new day after 20 minutes
    await answer()
    assert "Current streak: 2 days" in (await service.handle_text(who(), "streak"))[0].body
    clock.set(datetime(2026, 3, 6, 23, 59, tzinfo=UTC))  # 47 hours later, but the next day
    await answer()
    assert "Current streak: 3 days" in (await service.handle_text(who(), "streak"))[0].body
    clock.advance(days=2)  # a missed day with no freeze: the streak has lapsed
    body = (await service.handle_text(who(), "streak"))[0].body
    assert "Current streak: 0 days" in body and "Longest streak: 3 days" in body


async def test_seven_days_earn_a_freeze_that_covers_a_missed_day(
    service: PracticeService, clock: ManualClock
):
    for day in range(7):
        clock.set(datetime(2026, 3, 2 + day, 9, 0, tzinfo=UTC))
        q = (await service.handle_text(who(), "quiz alpha easy 1"))[-1]
        out = await service.handle_action(who(), q.buttons[0].action_id)
    assert "earned a streak freeze" in out[0].footer
    clock.set(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))  # 2026-03-09 missed
    q = (await service.handle_text(who(), "quiz alpha easy 1"))[-1]
    out = await service.handle_action(who(), q.buttons[0].action_id)
    assert "freeze covered the day you missed" in out[0].footer
    body = (await service.handle_text(who(), "streak"))[0].body
    assert "Current streak: 8 days" in body and "freezes held: 0" in body


async def test_stats_by_topic(service: PracticeService):
    q = (await start(service, "quiz alpha easy 1"))[-1]
    await service.handle_action(who(), q.buttons[0].action_id)
    q = (await start(service, "quiz beta medium 1"))[-1]
    await service.handle_action(who(), q.buttons[0].action_id)  # wrong
    body = (await start(service, "stats"))[0].body
    assert "Attempts: 2   Right: 1 (50%)   Points: 10" in body
    assert body.index("Beta: 0/1") < body.index("Alpha topic: 1/1")  # weakest first


async def test_new_user_views_are_friendly(service: PracticeService):
    assert "No answers yet" in (await start(service, "stats"))[0].body
    assert "No streak yet" in (await start(service, "streak"))[0].body
    assert "No points yet" in (await start(service, "leaderboard"))[0].body
    topics = (await start(service, "topics"))[0].body
    assert "alpha - Alpha topic: 3 questions (1 easy, 1 medium, 1 hard)" in topics


async def test_starting_a_new_quiz_closes_the_old_one(service: PracticeService, db: Database):
    await start(service, "quiz alpha 2")
    out = await start(service, "quiz beta 1")
    assert "previous quiz was closed" in out[0].body
    statuses = [r[0] for r in await db.fetchall("SELECT status FROM quiz_sessions ORDER BY id")]
    assert statuses == ["abandoned", "active"]


def test_bad_default_timezone_is_rejected(db: Database, bank: QuestionBank, clock: ManualClock):
    with pytest.raises(ValueError, match="IANA"):
        PracticeService(db, bank, clock, default_timezone="Mars/Olympus")


async def test_clock_drives_stored_times(
    service: PracticeService, db: Database, clock: ManualClock
):
    clock.advance(hours=1)
    await start(service, "quiz alpha 1")
    created = (await db.fetchone("SELECT created_at FROM quiz_sessions"))[0]
    assert created.startswith((clock.now() - timedelta(0)).strftime("%Y-%m-%d %H:%M"))
