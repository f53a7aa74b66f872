"""Spaced repetition: day-level intervals, stored parameters, due order, restarts, and
the answers that feed cards (quiz and daily, by button and in writing)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Scheduler

from bot import sr
from bot.clock import ManualClock
from bot.service import PracticeService
from bot.store import Database, cards
from bot.store.migrations import discover
from tests.conftest import who
from tests.daily_rig import ADMIN, Rig, member

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


async def _user(db: Database) -> int:
    stamp = "2026-03-01 09:00:00.000000"

    def make(conn):
        conn.execute(
            "INSERT INTO teams (platform, external_id, created_at) VALUES ('slack', 't', ?)",
            (stamp,),
        )
        return conn.execute(
            "INSERT INTO users (team_id, external_id, created_at) VALUES (1, 'u', ?) RETURNING id",
            (stamp,),
        ).fetchone()[0]

    return await db.transaction(make)


async def review(db: Database, user: int, qid: str, rating: int, when: datetime) -> datetime:
    return await db.transaction(lambda c: cards.review(c, user, qid, rating, "quiz", when))


@pytest.mark.parametrize("rating", [1, 2, 3, 4])
async def test_every_rating_gives_whole_days_never_minutes(db: Database, rating: int):
    user = await _user(db)
    when = NOW
    for _ in range(4):  # a new card, then three more reviews with the same rating
        due = await review(db, user, "q1", rating, when)
        gap = due - when
        assert gap >= timedelta(days=1) and gap % timedelta(days=1) == timedelta(0), gap
        when = due


async def test_good_grows_the_interval_and_again_shrinks_it(db: Database):
    user = await _user(db)
    first = await review(db, user, "q1", sr.GOOD, NOW)
    second = await review(db, user, "q1", sr.GOOD, first)
    assert second - first > first - NOW
    lapse = await review(db, user, "q1", sr.AGAIN, second)
    assert lapse - second < second - first
    [(reviews, lapses, state)] = await db.fetchall(
        "SELECT reviews, lapses, state FROM sr_cards WHERE user_id = ?", (user,)
    )
    assert (reviews, lapses) == (3, 1) and state == 2  # review state: no learning steps
    logged = await db.fetchall("SELECT rating, source FROM sr_reviews ORDER BY id")
    assert [tuple(r) for r in logged] == [(3, "quiz"), (3, "quiz"), (1, "quiz")]


async def test_the_stored_parameters_win_over_the_library_defaults(
    db: Database, monkeypatch: pytest.MonkeyPatch
):
    user = await _user(db)
    await review(db, user, "q0", sr.GOOD, NOW)  # stores the scheduler on first use
    [(stored,)] = await db.fetchall("SELECT scheduler FROM sr_parameters")
    assert json.loads(stored)["learning_steps"] == [] and not json.loads(stored)["enable_fuzzing"]
    baseline = await review(db, user, "q1", sr.GOOD, NOW)
    # A newer fsrs with other defaults: cards keep following the stored parameters.
    monkeypatch.setattr(
        sr, "DAY_LEVEL", Scheduler(desired_retention=0.7, learning_steps=(), enable_fuzzing=False)
    )
    assert await review(db, user, "q2", sr.GOOD, NOW) == baseline
    # Changing the stored parameters is what changes scheduling.
    await db.transaction(
        lambda c: c.execute(
            "UPDATE sr_parameters SET scheduler = ?",
            (Scheduler(desired_retention=0.7, learning_steps=(), enable_fuzzing=False).to_json(),),
        )
    )
    assert await review(db, user, "q3", sr.GOOD, NOW) > baseline


async def test_due_cards_come_most_overdue_first(db: Database):
    user = await _user(db)
    for qid, days_ago in (("a", 1), ("b", 10), ("c", 5)):
        await review(db, user, qid, sr.GOOD, NOW - timedelta(days=days_ago + 30))
    await review(db, user, "later", sr.GOOD, NOW)  # not due yet
    due = await db.run(lambda c: cards.due_question_ids(c, user, NOW, 10))
    assert due == ["b", "c", "a"]
    ahead = await db.run(lambda c: cards.upcoming(c, user, NOW))
    assert ahead.due_now == 3 and ahead.next_due is not None and ahead.next_due > NOW
    assert ahead.this_week == 1
    plan = await db.fetchall(
        "EXPLAIN QUERY PLAN SELECT question_id FROM sr_cards WHERE user_id = ? AND due_at <= ?"
        " ORDER BY due_at LIMIT 5",
        (user, "2026-03-04"),
    )
    assert "sr_cards_due" in " ".join(str(tuple(r)) for r in plan)


async def test_cards_survive_a_restart(tmp_path: Path):
    path = tmp_path / "cards.db"
    db = await Database.open(path)
    user = await _user(db)
    first = await review(db, user, "q1", sr.GOOD, NOW)
    [before] = await db.fetchall("SELECT stability, difficulty, due_at FROM sr_cards")
    await db.close()
    db = await Database.open(path)
    try:
        [after] = await db.fetchall("SELECT stability, difficulty, due_at FROM sr_cards")
        assert tuple(after) == tuple(before)
        second = await review(db, user, "q1", sr.GOOD, first)
        assert second - first > first - NOW  # continued from the stored card
    finally:
        await db.close()


async def test_json_cards_move_into_columns(tmp_path: Path):
    path = tmp_path / "old.db"
    old = await Database.open(path, migrations=discover()[:3])
    stamp = "2026-03-01 09:00:00.000000"
    card = {
        "card_id": 0, "state": 2, "step": None, "stability": 3.17, "difficulty": 5.3,
        "due": "2026-03-04T09:00:00+00:00", "last_review": "2026-03-01T09:00:00.250000+00:00",
    }  # fmt: skip
    await old.transaction(
        lambda c: (
            c.execute(
                "INSERT INTO teams (platform, external_id, created_at) VALUES ('slack', 't', ?)",
                (stamp,),
            ),
            c.execute(
                "INSERT INTO users (team_id, external_id, created_at) VALUES (1, 'u', ?)", (stamp,)
            ),
            c.execute(
                "INSERT INTO sr_cards (user_id, question_id, card, due_at, reviews, updated_at)"
                " VALUES (1, 'q1', ?, '2026-03-04 09:00:00.000000', 2, ?)",
                (json.dumps(card), stamp),
            ),
        )
    )
    await old.close()
    db = await Database.open(path)
    try:
        assert db.applied == [4, 5, 6]
        rows = await db.fetchall(
            "SELECT state, stability, difficulty, due_at, last_review_at, reviews FROM sr_cards"
        )
        assert [tuple(r) for r in rows] == [
            (2, 3.17, 5.3, "2026-03-04 09:00:00.000000", "2026-03-01 09:00:00.250000", 2)
        ]
        loaded = await db.run(lambda c: cards.load(c, 1, "q1"))
        assert loaded is not None and loaded[0].stability == 3.17
    finally:
        await db.close()


# --- answers feed the cards ---------------------------------------------------------------


async def test_quiz_choices_rate_themselves(service: PracticeService, db: Database):
    u = who("ada")
    [question] = await service.handle_text(u, "quiz alpha hard 1")
    right = next(b for b in question.buttons if b.label == "Option three")
    await service.handle_action(u, right.action_id)
    [question] = await service.handle_text(u, "quiz beta medium 1")
    wrong = next(b for b in question.buttons if b.label != "Beta two" and b.label != "Skip")
    await service.handle_action(u, wrong.action_id)
    logged = await db.fetchall("SELECT question_id, rating, source FROM sr_reviews ORDER BY id")
    assert [tuple(r) for r in logged] == [
        ("a-choice-hard", sr.GOOD, "quiz"),
        ("b-choice-medium", sr.AGAIN, "quiz"),
    ]


async def test_written_answers_suggest_a_rating_and_the_person_decides(
    service: PracticeService, db: Database
):
    u = who("bo")
    replies = await service.handle_text(u, "quiz alpha medium 1")
    prompt = replies[-1].text_prompt
    assert prompt is not None
    [feedback] = await service.handle_action(u, prompt.action_id, "I would use regularisation.")
    suggested = [b.label for b in feedback.buttons if b.style == "primary"]
    assert len(suggested) == 1  # one suggestion, from the key-point coverage
    easy = next(b for b in feedback.buttons if b.label == "Easy")
    await service.handle_action(u, easy.action_id)
    logged = await db.fetchall("SELECT rating FROM sr_reviews")
    assert [tuple(r) for r in logged] == [(4,)]  # the person's rating, not the suggestion


def test_the_suggestion_follows_coverage():
    assert [sr.suggested_rating(f) for f in (0, 0.3, 0.5, 0.7, 1)] == [1, 1, 2, 3, 3]


async def test_daily_answers_feed_the_same_cards(db, bank, clock: ManualClock):
    rig = Rig(db, bank, clock)
    await rig.engine.start()
    await rig.say("schedule set here 13:00 UTC hard")
    await rig.jobs.advance_to(datetime(2026, 3, 4, 13, 1, tzinfo=UTC))
    [post] = rig.poster.posts()
    choice = next(b for b in post.reply.buttons if b.label.startswith("C."))
    await rig.press(member("cy"), choice.action_id)
    logged = await db.fetchall("SELECT question_id, rating, source FROM sr_reviews")
    assert [tuple(r) for r in logged] == [("a-choice-hard", sr.GOOD, "daily")]
    assert ADMIN.is_admin
