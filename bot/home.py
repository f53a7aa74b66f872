"""A person's at-a-glance summary: streak, points, weakest topics and today's daily
question. Platforms with a home screen (Slack's App Home) render it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from bot.bank import QuestionBank, QuestionModel
from bot.daily import store as ds
from bot.store.practice import UserRef
from bot.store.reads import TopicStats
from bot.streaks import StreakState
from bot.timeutil import local_date

WEAKEST = 3


@dataclass(frozen=True)
class TodaysQuestion:
    channel_id: str
    day: date
    question: QuestionModel
    answered: bool
    revealed: bool


@dataclass(frozen=True)
class Home:
    streak: StreakState
    points: int
    weakest: list[TopicStats]  # up to WEAKEST, lowest accuracy first
    today: TodaysQuestion | None


def weakest_topics(rows: list[TopicStats], limit: int = WEAKEST) -> list[TopicStats]:
    return sorted(rows, key=lambda r: (r.accuracy, -r.attempts, r.topic))[:limit]


def home_channel(conn: sqlite3.Connection, ref: UserRef) -> str | None:
    """The channel whose daily question this person sees on their home screen: where they
    last answered one, else the team's first scheduled channel."""
    row = conn.execute(
        "SELECT p.channel_id FROM attempts a JOIN daily_posts p ON p.id = a.daily_post_id"
        " WHERE a.user_id = ? AND a.daily_post_id IS NOT NULL ORDER BY a.id DESC LIMIT 1",
        (ref.user_pk,),
    ).fetchone()
    if row is not None:
        return row[0]
    row = conn.execute(
        "SELECT channel_id FROM channel_schedules WHERE team_id = ? AND enabled = 1"
        " ORDER BY id LIMIT 1",
        (ref.team_pk,),
    ).fetchone()
    return row[0] if row else None


def todays_question(
    conn: sqlite3.Connection, bank: QuestionBank, ref: UserRef, now: datetime, channel: str
) -> TodaysQuestion | None:
    """The channel's newest daily question, and whether this person answered it."""
    schedule = ds.find_schedule(conn, ref.team_pk, channel)
    today = local_date(now, schedule.timezone if schedule else ref.timezone)
    post = ds.latest_post(conn, ref.team_pk, channel, today)
    q = bank.get(post.question_id) if post is not None else None
    if post is None or q is None:
        return None
    answered = conn.execute(
        "SELECT 1 FROM attempts WHERE daily_post_id = ? AND user_id = ?", (post.id, ref.user_pk)
    ).fetchone()
    return TodaysQuestion(
        channel, post.local_date, q, answered is not None, post.revealed_at is not None
    )
