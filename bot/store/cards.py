"""Spaced-repetition cards, their review log and the stored scheduler parameters."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Card, Scheduler, State

from bot import sr
from bot.timeutil import from_db, to_db

SOURCES = ("quiz", "practice", "mock", "daily")


def scheduler(conn: sqlite3.Connection, now: datetime) -> Scheduler:
    """The scheduler the cards were made with: stored on first use, then always read."""
    row = conn.execute("SELECT scheduler FROM sr_parameters WHERE id = 1").fetchone()
    if row is None:
        text = sr.DAY_LEVEL.to_json()
        conn.execute(
            "INSERT INTO sr_parameters (id, scheduler, saved_at) VALUES (1, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            (text, to_db(now)),
        )
        return sr.from_json(text)
    return sr.from_json(row[0])


def load(conn: sqlite3.Connection, user_pk: int, question_id: str) -> tuple[Card, int, int] | None:
    """The card, its review count and lapses; None if the person never reviewed it."""
    row = conn.execute(
        "SELECT state, step, stability, difficulty, due_at, last_review_at, reviews, lapses"
        " FROM sr_cards WHERE user_id = ? AND question_id = ?",
        (user_pk, question_id),
    ).fetchone()
    if row is None:
        return None
    state, step, stability, difficulty, due, last, reviews, lapses = row
    card = Card(
        card_id=0,
        state=State(state),
        step=step,
        stability=stability,
        difficulty=difficulty,
        due=from_db(due),
        last_review=from_db(last) if last else None,
    )
    return card, reviews, lapses


def review(
    conn: sqlite3.Connection,
    user_pk: int,
    question_id: str,
    rating: int,
    source: str,
    now: datetime,
) -> datetime:
    """Apply one rating to the person's card for the question (made on first review),
    log it, and return when the card is due next."""
    found = load(conn, user_pk, question_id)
    before, reviews, lapses = found if found else (sr.new_card(now), 0, 0)
    after = sr.apply(scheduler(conn, now), before, rating, now)
    last = after.last_review or now
    conn.execute(
        "INSERT INTO sr_cards (user_id, question_id, state, step, stability, difficulty, due_at,"
        " last_review_at, reviews, lapses, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id, question_id) DO UPDATE SET state = excluded.state,"
        " step = excluded.step, stability = excluded.stability,"
        " difficulty = excluded.difficulty, due_at = excluded.due_at,"
        " last_review_at = excluded.last_review_at, reviews = excluded.reviews,"
        " lapses = excluded.lapses, updated_at = excluded.updated_at",
        (
            user_pk,
            question_id,
            int(after.state),
            after.step,
            after.stability,
            after.difficulty,
            to_db(after.due),
            to_db(last),
            reviews + 1,
            lapses + int(sr.lapsed(before, rating)),
            to_db(now),
        ),
    )
    conn.execute(
        "INSERT INTO sr_reviews (user_id, question_id, rating, source, reviewed_at, due_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (user_pk, question_id, rating, source, to_db(now), to_db(after.due)),
    )
    return after.due


def due_question_ids(
    conn: sqlite3.Connection, user_pk: int, now: datetime, limit: int
) -> list[str]:
    """The person's cards due by now, most overdue first (an index range scan)."""
    rows = conn.execute(
        "SELECT question_id FROM sr_cards WHERE user_id = ? AND due_at <= ?"
        " ORDER BY due_at LIMIT ?",
        (user_pk, to_db(now), limit),
    ).fetchall()
    return [r[0] for r in rows]


@dataclass(frozen=True)
class Upcoming:
    due_now: int
    next_due: datetime | None  # the first card due after now
    this_week: int  # cards due after now and within 7 days


def upcoming(conn: sqlite3.Connection, user_pk: int, now: datetime) -> Upcoming:
    """What the person's cards hold in store: due now, next, and over the coming week
    (one pass over the person's cards)."""
    stamp, week = to_db(now), to_db(now + timedelta(days=7))
    due_now, first, this_week = conn.execute(
        "SELECT count(*) FILTER (WHERE due_at <= ?1),"
        " min(due_at) FILTER (WHERE due_at > ?1),"
        " count(*) FILTER (WHERE due_at > ?1 AND due_at <= ?2)"
        " FROM sr_cards WHERE user_id = ?3",
        (stamp, week, user_pk),
    ).fetchone()
    return Upcoming(due_now, from_db(first) if first else None, this_week)


def carded_question_ids(conn: sqlite3.Connection, user_pk: int) -> set[str]:
    """Every question the person has a card for (has answered at least once)."""
    rows = conn.execute("SELECT question_id FROM sr_cards WHERE user_id = ?", (user_pk,))
    return {r[0] for r in rows}
