"""Read-side queries for leaderboards, stats and streaks."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from bot.leaderboard import Period, Standing, rank
from bot.store.database import Database


async def top(
    db: Database, team_pk: int, period: Period, key: str, limit: int = 10
) -> list[Standing]:
    rows = await db.fetchall(
        "SELECT t.user_id, u.display_name, u.external_id, t.points FROM points_totals t"
        " JOIN users u ON u.id = t.user_id"
        " WHERE t.team_id = ? AND t.period = ? AND t.period_start = ? AND t.points > 0"
        " ORDER BY t.points DESC, t.user_id LIMIT ?",
        (team_pk, period.value, key, limit),
    )
    return rank((r[0], r[1] or r[2], r[3]) for r in rows)


async def standing_of(
    db: Database, team_pk: int, user_pk: int, period: Period, key: str
) -> tuple[int, int] | None:
    """(rank, points) of one user, or None with no points in the period."""
    row = await db.fetchone(
        "SELECT points, (SELECT count(*) FROM points_totals o WHERE o.team_id = t.team_id"
        " AND o.period = t.period AND o.period_start = t.period_start AND o.points > t.points)"
        " FROM points_totals t WHERE t.team_id = ? AND t.period = ? AND t.period_start = ?"
        " AND t.user_id = ?",
        (team_pk, period.value, key, user_pk),
    )
    if row is None or row[0] == 0:
        return None
    return row[1] + 1, row[0]


def all_time_points(conn: sqlite3.Connection, team_pk: int, user_pk: int) -> int:
    row = conn.execute(
        "SELECT points FROM points_totals WHERE team_id = ? AND period = ?"
        " AND period_start = '' AND user_id = ?",
        (team_pk, Period.ALL.value, user_pk),
    ).fetchone()
    return row[0] if row else 0


@dataclass(frozen=True)
class TopicStats:
    topic: str
    attempts: int
    correct: int
    points: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0


def topic_rows(conn: sqlite3.Connection, user_pk: int) -> list[TopicStats]:
    """A person's attempts, right answers and points per topic (inside a transaction)."""
    rows = conn.execute(
        "SELECT topic, count(*), sum(correct), sum(points) FROM attempts WHERE user_id = ?"
        " GROUP BY topic ORDER BY topic",
        (user_pk,),
    )
    return [TopicStats(r[0], r[1], r[2], r[3]) for r in rows]


async def topic_stats(db: Database, user_pk: int) -> list[TopicStats]:
    return await db.run(lambda conn: topic_rows(conn, user_pk))


def answers_per_day(conn: sqlite3.Connection, user_pk: int, since: date) -> dict[date, int]:
    """How many answers a person gave on each local date from `since` on."""
    rows = conn.execute(
        "SELECT local_date, count(*) FROM attempts WHERE user_id = ? AND local_date >= ?"
        " GROUP BY local_date",
        (user_pk, since.isoformat()),
    )
    return {date.fromisoformat(r[0]): r[1] for r in rows}


@dataclass(frozen=True)
class TeamActivity:
    members: int  # people the bot has seen in the team
    active: int  # of them, answered at least once since `since`
    active_by_week: list[int]  # distinct people answering, per week, oldest first
    answers: int
    correct: int
    topics: list[TopicStats]  # the team's attempts per topic since `since`


def team_activity(conn: sqlite3.Connection, team_pk: int, week_starts: list[date]) -> TeamActivity:
    """Participation and topic accuracy of a team from the first of `week_starts` on."""
    since = week_starts[0].isoformat()
    (members,) = conn.execute("SELECT count(*) FROM users WHERE team_id = ?", (team_pk,)).fetchone()
    active, answers, correct = conn.execute(
        "SELECT count(DISTINCT user_id), count(*), coalesce(sum(correct), 0) FROM attempts"
        " WHERE team_id = ? AND local_date >= ?",
        (team_pk, since),
    ).fetchone()
    by_week = [0] * len(week_starts)  # week_starts are consecutive Mondays
    for week, n in conn.execute(
        "SELECT CAST((julianday(local_date) - julianday(?)) / 7 AS INTEGER),"
        " count(DISTINCT user_id) FROM attempts WHERE team_id = ? AND local_date >= ?"
        " GROUP BY 1",
        (since, team_pk, since),
    ):
        if 0 <= week < len(by_week):
            by_week[week] = n
    topics = [
        TopicStats(r[0], r[1], r[2], r[3])
        for r in conn.execute(
            "SELECT topic, count(*), sum(correct), sum(points) FROM attempts"
            " WHERE team_id = ? AND local_date >= ? GROUP BY topic",
            (team_pk, since),
        )
    ]
    return TeamActivity(members, active, by_week, answers, correct, topics)
