"""The daily job's queries stay index lookups, whatever the history size.

A daily round touches every channel, and daily_posts grows by one row per channel per
day: a query that scans it, or reads a whole team's posts to find one channel's, turns
a 2-second round into minutes after a year. Each query a daily run, reveal, recap or
'daily' command makes is captured as SQLite executes it and checked with EXPLAIN QUERY
PLAN against the index it must use."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from bot.daily import store as ds
from bot.store import Database

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
DAY = date(2026, 3, 4)

QUERIES: dict[str, tuple[Callable[[sqlite3.Connection], object], str]] = {
    "post_on": (lambda c: ds.post_on(c, 1, "C1", DAY), "sqlite_autoindex_daily_posts_1"),
    "latest_post": (lambda c: ds.latest_post(c, 1, "C1", DAY), "sqlite_autoindex_daily_posts_1"),
    "claim_due_reveals": (
        lambda c: ds.claim_due_reveals(c, 1, "C1", NOW),
        "daily_posts_unrevealed",
    ),
    "unrevealed_in": (lambda c: ds.unrevealed_in(c, 1, "C1"), "daily_posts_unrevealed"),
    "unrevealed": (lambda c: ds.unrevealed(c, ("slack",)), "daily_posts_unrevealed"),
    "posts_in": (lambda c: ds.posts_in(c, "retry"), "daily_posts_unsettled"),
    "participation": (
        lambda c: ds.participation(c, 1, "C1", date(2026, 3, 2), date(2026, 3, 8)),
        "sqlite_autoindex_daily_posts_1",
    ),
    "answer_counts": (lambda c: ds.answer_counts(c, 1), "attempts_one_per_daily"),
}


def seed(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO teams (id, platform, external_id, created_at) VALUES (1, 'slack', 'T', 'x')"
    )
    conn.executemany(
        "INSERT INTO daily_posts (team_id, channel_id, local_date, question_id, claimed_at,"
        " status, reveal_at, revealed_at) VALUES (1, ?, ?, 'q', 'x', 'posted', 'y', ?)",
        (
            (f"C{c}", f"2026-02-{d:02d}", None if d == 27 else "y")  # the last day is owed
            for c in range(30)
            for d in range(1, 28)
        ),
    )
    conn.execute("ANALYZE")  # a real planner, with statistics, must still choose the same


@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_channel_queries_use_their_index(db: Database, name: str):
    run, index = QUERIES[name]
    await db.transaction(seed)

    def plans(conn: sqlite3.Connection) -> list[list[str]]:
        seen: list[str] = []
        conn.set_trace_callback(seen.append)  # the statements with their values bound
        try:
            run(conn)
        finally:
            conn.set_trace_callback(None)
        return [
            [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
            for sql in seen
            if "daily_posts" in sql or "attempts" in sql
        ]

    found = await db.run(plans)
    assert found, f"{name} ran no query"
    for plan in found:
        steps = " | ".join(plan)
        assert "SCAN daily_posts" not in steps and "SCAN p " not in steps, steps
        assert f"INDEX {index} " in steps, steps
        if index != "daily_posts_unrevealed":  # that one holds only the posts owed a reveal
            assert "(team_id=?)" not in steps, f"reads every post of the team: {steps}"
