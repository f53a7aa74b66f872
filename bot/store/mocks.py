"""Mock rounds: kind, budget, pause state and the time spent on each question."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.timeutil import from_db, to_db

# A longer gap than this on one question is taken as a break, not thinking time.
MAX_COUNTED_SECONDS = 3600


@dataclass(frozen=True)
class MockRound:
    session_id: int
    user_pk: int
    kind: str
    budget_seconds: int
    status: str  # active | paused | finished | abandoned
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class SlotTime:
    slot: int
    question_id: str
    budget_seconds: int
    seconds: int
    outcome: str | None  # answered | skipped | None (not reached)


@dataclass(frozen=True)
class PastRound:
    session_id: int
    kind: str
    status: str
    started_at: datetime
    questions: int
    answered: int
    seconds: int
    budget_seconds: int
    coverage: float | None  # mean key-point coverage over all questions; None if none answered


_ROUND = "session_id, user_id, kind, budget_seconds, status, started_at, finished_at"


def _round(row: tuple | None) -> MockRound | None:
    if row is None:
        return None
    return MockRound(*row[:5], from_db(row[5]), from_db(row[6]) if row[6] else None)


def create(
    conn: sqlite3.Connection,
    session_id: int,
    user_pk: int,
    kind: str,
    slots: list[tuple[str, int]],
    now: datetime,
) -> None:
    """A new round over `slots` (question id, budget seconds); the first question is shown."""
    stamp = to_db(now)
    conn.execute(
        "INSERT INTO mock_rounds (session_id, user_id, kind, budget_seconds, started_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (session_id, user_pk, kind, sum(b for _, b in slots), stamp),
    )
    conn.executemany(
        "INSERT INTO mock_slots (session_id, slot, question_id, budget_seconds, shown_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [(session_id, i, qid, b, stamp if i == 0 else None) for i, (qid, b) in enumerate(slots)],
    )


def get(conn: sqlite3.Connection, session_id: int) -> MockRound | None:
    return _round(
        conn.execute(
            f"SELECT {_ROUND} FROM mock_rounds WHERE session_id = ?", (session_id,)
        ).fetchone()
    )


def unfinished(conn: sqlite3.Connection, user_pk: int) -> MockRound | None:
    return _round(
        conn.execute(
            f"SELECT {_ROUND} FROM mock_rounds"
            " WHERE user_id = ? AND status IN ('active', 'paused')",
            (user_pk,),
        ).fetchone()
    )


def show(conn: sqlite3.Connection, session_id: int, slot: int, now: datetime) -> None:
    """Start the clock on a question put in front of the person."""
    conn.execute(
        "UPDATE mock_slots SET shown_at = ? WHERE session_id = ? AND slot = ? AND outcome IS NULL",
        (to_db(now), session_id, slot),
    )


def _stop_clock(conn: sqlite3.Connection, session_id: int, now: datetime) -> None:
    for slot, shown in conn.execute(
        "SELECT slot, shown_at FROM mock_slots WHERE session_id = ? AND shown_at IS NOT NULL",
        (session_id,),
    ).fetchall():
        spent = int((now - from_db(shown)).total_seconds())
        conn.execute(
            "UPDATE mock_slots SET seconds = seconds + ?, shown_at = NULL"
            " WHERE session_id = ? AND slot = ?",
            (min(max(spent, 0), MAX_COUNTED_SECONDS), session_id, slot),
        )


def settle(
    conn: sqlite3.Connection, session_id: int, slot: int, outcome: str, now: datetime
) -> None:
    """A question answered or skipped: its time is added up and its clock stopped."""
    _stop_clock(conn, session_id, now)
    conn.execute(
        "UPDATE mock_slots SET outcome = ? WHERE session_id = ? AND slot = ?",
        (outcome, session_id, slot),
    )


def pause(conn: sqlite3.Connection, session_id: int, now: datetime) -> None:
    _stop_clock(conn, session_id, now)
    conn.execute(
        "UPDATE mock_rounds SET status = 'paused' WHERE session_id = ? AND status = 'active'",
        (session_id,),
    )


def resume(conn: sqlite3.Connection, session_id: int, slot: int, now: datetime) -> None:
    """Reopen a paused round (its quiz session too) and restart the current question's clock."""
    conn.execute("UPDATE mock_rounds SET status = 'active' WHERE session_id = ?", (session_id,))
    conn.execute(
        "UPDATE quiz_sessions SET status = 'active', updated_at = ? WHERE id = ?",
        (to_db(now), session_id),
    )
    show(conn, session_id, slot, now)


def close(conn: sqlite3.Connection, session_id: int, status: str, now: datetime) -> None:
    """End a round for good: 'finished' (every question done) or 'abandoned'."""
    _stop_clock(conn, session_id, now)
    conn.execute(
        "UPDATE mock_rounds SET status = ?, finished_at = ? WHERE session_id = ?",
        (status, to_db(now), session_id),
    )
    conn.execute(
        "UPDATE quiz_sessions SET status = ?, updated_at = ? WHERE id = ? AND status = 'active'",
        ("finished" if status == "finished" else "abandoned", to_db(now), session_id),
    )


def slot_times(conn: sqlite3.Connection, session_id: int) -> list[SlotTime]:
    rows = conn.execute(
        "SELECT slot, question_id, budget_seconds, seconds, outcome FROM mock_slots"
        " WHERE session_id = ? ORDER BY slot",
        (session_id,),
    )
    return [SlotTime(*r) for r in rows]


def answers(conn: sqlite3.Connection, session_id: int) -> dict[int, str]:
    """slot -> the written answer given in this round."""
    rows = conn.execute(
        "SELECT slot, answer_text FROM attempts WHERE session_id = ? AND answer_text IS NOT NULL",
        (session_id,),
    )
    return {r[0]: r[1] for r in rows}


def history(
    conn: sqlite3.Connection, user_pk: int, *, kind: str | None = None, limit: int = 20
) -> list[PastRound]:
    """Rounds newest first, with answered count, time used and mean coverage."""
    rows = conn.execute(
        "SELECT r.session_id, r.kind, r.status, r.started_at,"
        " (SELECT count(*) FROM mock_slots s WHERE s.session_id = r.session_id),"
        " (SELECT count(*) FROM mock_slots s WHERE s.session_id = r.session_id"
        "   AND s.outcome = 'answered'),"
        " (SELECT sum(seconds) FROM mock_slots s WHERE s.session_id = r.session_id),"
        " r.budget_seconds,"
        " (SELECT sum(coverage) FROM attempts a WHERE a.session_id = r.session_id)"
        " FROM mock_rounds r WHERE r.user_id = ? AND (? IS NULL OR r.kind = ?)"
        " ORDER BY r.started_at DESC, r.session_id DESC LIMIT ?",
        (user_pk, kind, kind, limit),
    ).fetchall()
    return [
        PastRound(
            r[0],
            r[1],
            r[2],
            from_db(r[3]),
            r[4],
            r[5],
            r[6] or 0,
            r[7],
            (r[8] or 0.0) / r[4] if r[5] else None,
        )
        for r in rows
    ]
