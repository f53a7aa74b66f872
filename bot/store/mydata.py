"""One person's data in one team: everything stored about them, to export or erase."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Holdings:
    attempts: int
    points: int
    streak: int
    cards: int
    mock_rounds: int

    def describe(self) -> str:
        def n(count: int, noun: str) -> str:
            return f"{count} {noun}" + ("" if count == 1 else "s")

        return (
            f"{n(self.attempts, 'answer')}, {n(self.points, 'point')}, a {self.streak}-day "
            f"streak, {n(self.cards, 'review card')} and {n(self.mock_rounds, 'mock round')}"
        )


def holdings(conn: sqlite3.Connection, user_pk: int) -> Holdings:
    row = conn.execute(
        "SELECT (SELECT count(*) FROM attempts WHERE user_id = :u),"
        " (SELECT coalesce(sum(points), 0) FROM points_ledger WHERE user_id = :u),"
        " (SELECT coalesce(max(current), 0) FROM streaks WHERE user_id = :u),"
        " (SELECT count(*) FROM sr_cards WHERE user_id = :u),"
        " (SELECT count(*) FROM mock_rounds WHERE user_id = :u)",
        {"u": user_pk},
    ).fetchone()
    return Holdings(*row)


def _rows(conn: sqlite3.Connection, sql: str, params: tuple) -> list[dict[str, Any]]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def export(conn: sqlite3.Connection, user_pk: int) -> dict[str, Any]:
    """Everything stored about the person, as JSON-ready dicts (times are UTC)."""
    u = (user_pk,)
    [user] = _rows(
        conn,
        "SELECT u.external_id AS user_id, u.display_name, u.created_at, t.platform,"
        " t.external_id AS team_id FROM users u JOIN teams t ON t.id = u.team_id WHERE u.id = ?",
        u,
    )
    rounds = _rows(
        conn,
        "SELECT session_id AS round, kind, status, budget_seconds, started_at, finished_at"
        " FROM mock_rounds WHERE user_id = ? ORDER BY started_at",
        u,
    )
    for r in rounds:
        r["questions"] = _rows(
            conn,
            "SELECT slot, question_id, budget_seconds, seconds, outcome FROM mock_slots"
            " WHERE session_id = ? ORDER BY slot",
            (r["round"],),
        )
    return {
        "user": user,
        "attempts": _rows(
            conn,
            "SELECT question_id, topic, source, choice, answer_text, correct, coverage, points,"
            " self_rating, local_date, created_at FROM attempts WHERE user_id = ? ORDER BY id",
            u,
        ),
        "streak": (
            _rows(
                conn,
                "SELECT current, longest, freezes, last_active_date FROM streaks WHERE user_id = ?",
                u,
            )
            or [None]
        )[0],
        "points": _rows(
            conn,
            "SELECT period, period_start, points FROM points_totals WHERE user_id = ?"
            " ORDER BY period, period_start",
            u,
        ),
        "cards": _rows(
            conn,
            "SELECT question_id, state, stability, difficulty, due_at, last_review_at, reviews,"
            " lapses FROM sr_cards WHERE user_id = ? ORDER BY question_id",
            u,
        ),
        "reviews": _rows(
            conn,
            "SELECT question_id, rating, source, reviewed_at, due_at FROM sr_reviews"
            " WHERE user_id = ? ORDER BY id",
            u,
        ),
        "mock_rounds": rounds,
    }


# Child tables first, so every foreign key still holds at each step.
_ERASE = (
    "DELETE FROM mock_slots WHERE session_id IN"
    " (SELECT session_id FROM mock_rounds WHERE user_id = :u)",
    "DELETE FROM mock_rounds WHERE user_id = :u",
    "DELETE FROM points_ledger WHERE user_id = :u",
    "DELETE FROM points_totals WHERE user_id = :u",
    "DELETE FROM attempts WHERE user_id = :u",
    "DELETE FROM quiz_sessions WHERE user_id = :u",
    "DELETE FROM sr_reviews WHERE user_id = :u",
    "DELETE FROM sr_cards WHERE user_id = :u",
    "DELETE FROM questions_seen WHERE user_id = :u",
    "DELETE FROM streaks WHERE user_id = :u",
    "DELETE FROM users WHERE id = :u",
)


def erase(conn: sqlite3.Connection, user_pk: int) -> Holdings:
    """Delete every row about the person (inside the caller's transaction)."""
    held = holdings(conn, user_pk)
    conn.execute("INSERT INTO user_erasures (user_id) VALUES (?)", (user_pk,))
    for sql in _ERASE:
        conn.execute(sql, {"u": user_pk})
    conn.execute("DELETE FROM user_erasures WHERE user_id = ?", (user_pk,))
    return held
