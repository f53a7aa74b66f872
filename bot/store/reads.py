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
