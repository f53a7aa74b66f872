"""Write-side queries, as plain functions on a sqlite3 connection.

They run inside Database.transaction(), so each caller's whole unit of work is atomic.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain import Who
from bot.streaks import StreakChange, StreakState, record_activity
from bot.timeutil import month_start, to_db, week_start

PRACTICE_SCOPE = "practice"


@dataclass(frozen=True)
class UserRef:
    team_pk: int
    user_pk: int
    timezone: str


def ensure_user(conn: sqlite3.Connection, who: Who, now: datetime, default_tz: str) -> UserRef:
    stamp = to_db(now)
    conn.execute(
        "INSERT INTO teams (platform, external_id, timezone, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (platform, external_id) DO NOTHING",
        (who.platform, who.team_id, default_tz, stamp),
    )
    team_pk, tz = conn.execute(
        "SELECT id, timezone FROM teams WHERE platform = ? AND external_id = ?",
        (who.platform, who.team_id),
    ).fetchone()
    name = who.display_name[:200]
    (user_pk,) = conn.execute(
        "INSERT INTO users (team_id, external_id, display_name, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (team_id, external_id) DO UPDATE SET display_name = "
        "CASE WHEN excluded.display_name = '' THEN display_name ELSE excluded.display_name END "
        "RETURNING id",
        (team_pk, who.user_id, name, stamp),
    ).fetchone()
    return UserRef(team_pk, user_pk, tz)


def find_user(conn: sqlite3.Connection, who: Who) -> UserRef | None:
    row = conn.execute(
        "SELECT t.id, u.id, t.timezone FROM teams t JOIN users u ON u.team_id = t.id "
        "WHERE t.platform = ? AND t.external_id = ? AND u.external_id = ?",
        (who.platform, who.team_id, who.user_id),
    ).fetchone()
    return UserRef(row[0], row[1], row[2]) if row else None


def team_timezone(conn: sqlite3.Connection, team_pk: int) -> str:
    return conn.execute("SELECT timezone FROM teams WHERE id = ?", (team_pk,)).fetchone()[0]


# --- streaks -------------------------------------------------------------------


def load_streak(conn: sqlite3.Connection, user_pk: int) -> StreakState:
    row = conn.execute(
        "SELECT current, longest, freezes, last_active_date FROM streaks WHERE user_id = ?",
        (user_pk,),
    ).fetchone()
    if row is None:
        return StreakState()
    last = date.fromisoformat(row[3]) if row[3] else None
    return StreakState(row[0], row[1], row[2], last)


def bump_streak(conn: sqlite3.Connection, ref: UserRef, day: date, now: datetime) -> StreakChange:
    change = record_activity(load_streak(conn, ref.user_pk), day)
    if change.extended:
        s = change.state
        conn.execute(
            "INSERT INTO streaks (user_id, team_id, current, longest, freezes, last_active_date,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
            " current = excluded.current, longest = excluded.longest, freezes = excluded.freezes,"
            " last_active_date = excluded.last_active_date, updated_at = excluded.updated_at",
            (
                ref.user_pk,
                ref.team_pk,
                s.current,
                s.longest,
                s.freezes,
                day.isoformat(),
                to_db(now),
            ),
        )
    return change


# --- attempts and points -----------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    attempt_id: int
    points: int
    first_time: bool
    streak: StreakChange


def already_scored(conn: sqlite3.Connection, user_pk: int, question_id: str, scope: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM points_ledger WHERE user_id = ? AND question_id = ? AND scope = ?",
            (user_pk, question_id, scope),
        ).fetchone()
        is not None
    )


def record_attempt(
    conn: sqlite3.Connection,
    ref: UserRef,
    *,
    question_id: str,
    topic: str,
    source: str,
    scope: str,
    correct: bool,
    points_if_first: int,
    now: datetime,
    day: date,
    choice: int | None = None,
    text: str | None = None,
    coverage: float | None = None,
    session_id: int | None = None,
    slot: int | None = None,
    daily_post_id: int | None = None,
    scored: bool = True,
) -> Recorded:
    """Store one answer. Points go to the ledger only for the first scored attempt at a
    question in its scope; the ledger's UNIQUE (user, question, scope) backs that up.
    An unscored answer (a daily question answered after its reveal) earns nothing."""
    first = scored and not already_scored(conn, ref.user_pk, question_id, scope)
    points = points_if_first if first else 0
    stamp = to_db(now)
    (attempt_id,) = conn.execute(
        "INSERT INTO attempts (team_id, user_id, question_id, topic, source, session_id, slot,"
        " daily_post_id, choice, answer_text, correct, coverage, points, local_date, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            ref.team_pk,
            ref.user_pk,
            question_id,
            topic,
            source,
            session_id,
            slot,
            daily_post_id,
            choice,
            text,
            int(correct),
            coverage,
            points,
            day.isoformat(),
            stamp,
        ),
    ).fetchone()
    if first:
        conn.execute(
            "INSERT INTO points_ledger (team_id, user_id, attempt_id, question_id, scope, points,"
            " week_start, month_start, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                ref.team_pk,
                ref.user_pk,
                attempt_id,
                question_id,
                scope,
                points,
                week_start(day).isoformat(),
                month_start(day).isoformat(),
                stamp,
            ),
        )
    return Recorded(attempt_id, points, first, bump_streak(conn, ref, day, now))


def mark_seen(conn: sqlite3.Connection, user_pk: int, question_id: str, now: datetime) -> None:
    # Insert-once: rewriting the row on every showing would cost a page write per question.
    conn.execute(
        "INSERT INTO questions_seen (user_id, question_id, first_seen_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id, question_id) DO NOTHING",
        (user_pk, question_id, to_db(now)),
    )


def seen_question_ids(conn: sqlite3.Connection, user_pk: int) -> set[str]:
    rows = conn.execute("SELECT question_id FROM questions_seen WHERE user_id = ?", (user_pk,))
    return {r[0] for r in rows}


# --- quiz sessions -------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    id: int
    user_pk: int
    question_ids: list[str]
    position: int
    awaiting: str
    answered: int
    correct: int
    points: int
    status: str
    mode: str = "quiz"  # quiz | practice | mock: also the source of its attempts and reviews

    @property
    def current_question_id(self) -> str | None:
        if self.status != "active" or self.position >= len(self.question_ids):
            return None
        return self.question_ids[self.position]

    @property
    def total(self) -> int:
        return len(self.question_ids)


_SESSION_COLUMNS = (
    "id, user_id, question_ids, position, awaiting, answered, correct, points, status, mode"
)


def _session(row: sqlite3.Row | tuple | None) -> Session | None:
    if row is None:
        return None
    return Session(row[0], row[1], json.loads(row[2]), *row[3:])


def get_session(conn: sqlite3.Connection, session_id: int) -> Session | None:
    return _session(
        conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM quiz_sessions WHERE id = ?", (session_id,)
        ).fetchone()
    )


def active_session(conn: sqlite3.Connection, user_pk: int) -> Session | None:
    return _session(
        conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM quiz_sessions WHERE user_id = ? AND status = 'active'",
            (user_pk,),
        ).fetchone()
    )


def close_active(
    conn: sqlite3.Connection, user_pk: int, now: datetime, status: str
) -> Session | None:
    session = active_session(conn, user_pk)
    if session is not None:
        conn.execute(
            "UPDATE quiz_sessions SET status = ?, updated_at = ? WHERE id = ?",
            (status, to_db(now), session.id),
        )
    return session


def create_session(
    conn: sqlite3.Connection,
    user_pk: int,
    question_ids: list[str],
    topic: str | None,
    difficulty: str | None,
    now: datetime,
    mode: str = "quiz",
) -> int:
    stamp = to_db(now)
    (session_id,) = conn.execute(
        "INSERT INTO quiz_sessions (user_id, mode, topic, difficulty, question_ids, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (user_pk, mode, topic, difficulty, json.dumps(question_ids), stamp, stamp),
    ).fetchone()
    return session_id


def update_session(
    conn: sqlite3.Connection,
    session: Session,
    now: datetime,
    *,
    position: int,
    awaiting: str = "answer",
    answered: int = 0,
    correct: int = 0,
    points: int = 0,
) -> Session:
    """Move a session on; it finishes by itself when the position passes the last question."""
    status = "finished" if position >= session.total else "active"
    row = conn.execute(
        "UPDATE quiz_sessions SET position = ?, awaiting = ?, answered = answered + ?,"
        " correct = correct + ?, points = points + ?, status = ?, updated_at = ? WHERE id = ?"
        f" RETURNING {_SESSION_COLUMNS}",
        (position, awaiting, answered, correct, points, status, to_db(now), session.id),
    ).fetchone()
    return Session(row[0], row[1], session.question_ids, *row[3:])
