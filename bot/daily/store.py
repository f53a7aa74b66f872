"""SQL for schedules, daily posts, reveals and recaps: plain functions on a sqlite3
connection, run inside Database.run / Database.transaction by the caller."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.daily.chooser import Deck
from bot.daily.spec import ScheduleSpec
from bot.streaks import StreakState, as_of
from bot.timeutil import to_db

ERROR_CHARS = 500


@dataclass(frozen=True)
class Schedule:
    id: int
    team_pk: int
    platform: str
    team_id: str  # the platform's team id (guild, workspace, "local")
    channel_id: str
    post_time: time
    timezone: str
    weekdays: tuple[str, ...]
    topics: tuple[str, ...]
    difficulty: str | None
    reveal_after_hours: int | None
    recap_weekday: str | None
    recap_time: time | None
    admin_user_id: str | None
    enabled: bool
    paused_reason: str | None
    updated_at: str

    @property
    def active(self) -> bool:
        return self.enabled and self.paused_reason is None

    @property
    def hhmm(self) -> str:
        return self.post_time.strftime("%H:%M")


_SCHEDULE_SQL = (
    "SELECT s.id, s.team_id, t.platform, t.external_id, s.channel_id, s.post_time, s.timezone,"
    " s.weekdays, s.topics, s.difficulty, s.reveal_after_hours, s.recap_weekday, s.recap_time,"
    " s.admin_user_id, s.enabled, s.paused_reason, s.updated_at"
    " FROM channel_schedules s JOIN teams t ON t.id = s.team_id"
)


def _schedule(row: Any) -> Schedule:
    topics = tuple(json.loads(row[8])) if row[8] else ()
    return Schedule(
        id=row[0],
        team_pk=row[1],
        platform=row[2],
        team_id=row[3],
        channel_id=row[4],
        post_time=time.fromisoformat(row[5]),
        timezone=row[6],
        weekdays=tuple(row[7].split(",")),
        topics=topics,
        difficulty=row[9],
        reveal_after_hours=row[10],
        recap_weekday=row[11],
        recap_time=time.fromisoformat(row[12]) if row[12] else None,
        admin_user_id=row[13],
        enabled=bool(row[14]),
        paused_reason=row[15],
        updated_at=row[16],
    )


def schedule_and_deck(conn: sqlite3.Connection, schedule_id: int) -> tuple[Schedule, Deck] | None:
    """One read for the daily job: the schedule and its question deck."""
    row = conn.execute(
        _SCHEDULE_SQL.replace(" FROM", ", d.ids, s.deck_pos FROM", 1)
        + " LEFT JOIN channel_decks d ON d.schedule_id = s.id WHERE s.id = ?",
        (schedule_id,),
    ).fetchone()
    if row is None:
        return None
    return _schedule(row), _deck(row[17], row[18])


def get_schedule(conn: sqlite3.Connection, schedule_id: int) -> Schedule | None:
    row = conn.execute(f"{_SCHEDULE_SQL} WHERE s.id = ?", (schedule_id,)).fetchone()
    return _schedule(row) if row else None


def find_schedule(conn: sqlite3.Connection, team_pk: int, channel_id: str) -> Schedule | None:
    row = conn.execute(
        f"{_SCHEDULE_SQL} WHERE s.team_id = ? AND s.channel_id = ?", (team_pk, channel_id)
    ).fetchone()
    return _schedule(row) if row else None


def team_schedules(conn: sqlite3.Connection, team_pk: int) -> list[Schedule]:
    rows = conn.execute(f"{_SCHEDULE_SQL} WHERE s.team_id = ? ORDER BY s.channel_id", (team_pk,))
    return [_schedule(r) for r in rows]


def enabled_schedules(conn: sqlite3.Connection, platforms: tuple[str, ...]) -> list[Schedule]:
    marks = ",".join("?" * len(platforms))
    rows = conn.execute(
        f"{_SCHEDULE_SQL} WHERE s.enabled = 1 AND t.platform IN ({marks}) ORDER BY s.id",
        platforms,
    )
    return [_schedule(r) for r in rows]


def upsert_schedule(
    conn: sqlite3.Connection, team_pk: int, spec: ScheduleSpec, admin_user_id: str, now: datetime
) -> int:
    """Create or replace a channel's schedule. Re-setting a schedule also re-enables and
    un-pauses it; the reveal, recap and question history are kept."""
    stamp = to_db(now)
    (schedule_id,) = conn.execute(
        "INSERT INTO channel_schedules (team_id, channel_id, post_time, timezone, weekdays,"
        " topics, difficulty, admin_user_id, enabled, paused_reason, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, NULL, ?, ?)"
        " ON CONFLICT (team_id, channel_id) DO UPDATE SET post_time = excluded.post_time,"
        " timezone = excluded.timezone, weekdays = excluded.weekdays, topics = excluded.topics,"
        " difficulty = excluded.difficulty, admin_user_id = excluded.admin_user_id, enabled = 1,"
        " paused_reason = NULL, updated_at = excluded.updated_at RETURNING id",
        (
            team_pk,
            spec.channel_id,
            spec.hhmm,
            spec.timezone,
            ",".join(spec.weekdays),
            json.dumps(list(spec.topics)) if spec.topics else None,
            spec.difficulty,
            admin_user_id,
            stamp,
            stamp,
        ),
    ).fetchone()
    return schedule_id


def update_schedule(
    conn: sqlite3.Connection, schedule_id: int, now: datetime, **columns: object
) -> None:
    allowed = {"enabled", "paused_reason", "reveal_after_hours", "recap_weekday", "recap_time"}
    assert columns and set(columns) <= allowed, columns
    sets = ", ".join(f"{name} = ?" for name in columns)
    conn.execute(
        f"UPDATE channel_schedules SET {sets}, updated_at = ? WHERE id = ?",
        (*columns.values(), to_db(now), schedule_id),
    )


def pause(conn: sqlite3.Connection, schedule_id: int, reason: str, now: datetime) -> None:
    update_schedule(conn, schedule_id, now, paused_reason=reason[:ERROR_CHARS])


def _deck(ids_text: str | None, pos: int) -> Deck:
    ids = tuple(ids_text.split(",")) if ids_text else ()
    return Deck(ids, pos % len(ids) if ids else 0)


def save_deck(conn: sqlite3.Connection, schedule_id: int, deck: Deck, ids_changed: bool) -> None:
    if ids_changed:
        conn.execute(
            "INSERT INTO channel_decks (schedule_id, ids) VALUES (?, ?)"
            " ON CONFLICT (schedule_id) DO UPDATE SET ids = excluded.ids",
            (schedule_id, ",".join(deck.ids)),
        )
    conn.execute("UPDATE channel_schedules SET deck_pos = ? WHERE id = ?", (deck.pos, schedule_id))


# --- daily posts -------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    id: int
    team_pk: int
    channel_id: str
    local_date: date
    question_id: str
    status: str
    message_ref: str | None
    due_at: str | None
    reveal_at: str | None
    revealed_at: str | None
    reveal_ref: str | None
    tries: int


_POST_SQL = (
    "SELECT id, team_id, channel_id, local_date, question_id, status, message_ref, due_at,"
    " reveal_at, revealed_at, reveal_ref, tries FROM daily_posts"
)


def _post(row: Any) -> Post:
    return Post(row[0], row[1], row[2], date.fromisoformat(row[3]), row[4], row[5], *tuple(row[6:]))


def get_post(conn: sqlite3.Connection, post_id: int) -> Post | None:
    row = conn.execute(f"{_POST_SQL} WHERE id = ?", (post_id,)).fetchone()
    return _post(row) if row else None


def post_on(conn: sqlite3.Connection, team_pk: int, channel_id: str, day: date) -> Post | None:
    row = conn.execute(
        f"{_POST_SQL} WHERE team_id = ? AND channel_id = ? AND local_date = ?",
        (team_pk, channel_id, day.isoformat()),
    ).fetchone()
    return _post(row) if row else None


LATEST_DAYS = 31  # how far back 'daily' looks for the channel's newest question


def _dates(last: date, days: int) -> list[str]:
    return [(last - timedelta(days=k)).isoformat() for k in range(days)]


def latest_post(
    conn: sqlite3.Connection, team_pk: int, channel_id: str, today: date
) -> Post | None:
    """The channel's newest post that people can answer, from the last LATEST_DAYS days.

    Posts are keyed by date first (migration 0003), so this names the dates: one index
    lookup per day instead of a scan over every channel's posts."""
    days = _dates(today + timedelta(days=1), LATEST_DAYS + 1)  # +1: a zone ahead of ours
    row = conn.execute(
        f"{_POST_SQL} WHERE team_id = ? AND local_date IN ({','.join('?' * len(days))})"
        " AND channel_id = ? AND status IN ('posted', 'in_doubt')"
        " ORDER BY local_date DESC LIMIT 1",
        (team_pk, *days, channel_id),
    ).fetchone()
    return _post(row) if row else None


def insert_claim(
    conn: sqlite3.Connection,
    schedule: Schedule,
    day: date,
    question_id: str,
    due: datetime,
    reveal_at: datetime,
    now: datetime,
) -> int | None:
    """The claim: at most one row per (team, channel, local date), enforced by the schema.
    None when another run already holds today's claim."""
    row = conn.execute(
        "INSERT INTO daily_posts (team_id, channel_id, local_date, question_id, claimed_at,"
        " due_at, reveal_at, status, tries) VALUES (?, ?, ?, ?, ?, ?, ?, 'posting', 1)"
        " ON CONFLICT (team_id, channel_id, local_date) DO NOTHING RETURNING id",
        (
            schedule.team_pk,
            schedule.channel_id,
            day.isoformat(),
            question_id,
            to_db(now),
            to_db(due),
            to_db(reveal_at),
        ),
    ).fetchone()
    return row[0] if row else None


def start_try(conn: sqlite3.Connection, post_id: int) -> bool:
    """Move a post from retry to posting; False if something else already moved it."""
    cur = conn.execute(
        "UPDATE daily_posts SET status = 'posting', tries = tries + 1"
        " WHERE id = ? AND status = 'retry'",
        (post_id,),
    )
    return cur.rowcount == 1


def mark_posted(conn: sqlite3.Connection, post_id: int, message_ref: str, now: datetime) -> None:
    conn.execute(
        "UPDATE daily_posts SET status = 'posted', message_ref = ?, posted_at = ?,"
        " last_error = NULL WHERE id = ?",
        (message_ref, to_db(now), post_id),
    )


def mark_unposted(conn: sqlite3.Connection, post_id: int, status: str, error: str) -> None:
    """retry, failed or in_doubt, with the reason kept for `schedule show` and the logs."""
    conn.execute(
        "UPDATE daily_posts SET status = ?, last_error = ? WHERE id = ?",
        (status, error[:ERROR_CHARS], post_id),
    )


def posts_in(conn: sqlite3.Connection, status: str) -> list[Post]:
    """Posts still on their way ('posting' or 'retry'). The IN term repeats the partial
    index's own condition: SQLite uses a partial index only when the query states it."""
    assert status in ("posting", "retry"), status
    rows = conn.execute(
        f"{_POST_SQL} WHERE status IN ('posting', 'retry') AND status = ?", (status,)
    )
    return [_post(r) for r in rows]


_POST_COLUMNS = _POST_SQL.removeprefix("SELECT ").split(" FROM")[0]


def claim_due_reveals(
    conn: sqlite3.Connection, team_pk: int, channel_id: str, now: datetime
) -> list[Post]:
    """Take the reveals of the channel's posts whose reveal time has come, oldest first.

    One statement: the posts come from the daily_posts_unrevealed partial index (about
    one row per channel). INDEXED BY: left to itself, the planner may prefer the
    date-keyed index by team and read every post of the team."""
    stamp = to_db(now)
    rows = conn.execute(
        "UPDATE daily_posts SET revealed_at = ? WHERE id IN (SELECT id FROM daily_posts"
        " INDEXED BY daily_posts_unrevealed WHERE team_id = ? AND channel_id = ?"
        " AND revealed_at IS NULL AND status = 'posted' AND reveal_at <= ?)"
        f" RETURNING {_POST_COLUMNS}",
        (stamp, team_pk, channel_id, stamp),
    ).fetchall()
    return sorted((_post(r) for r in rows), key=lambda p: p.local_date)


def unrevealed_in(conn: sqlite3.Connection, team_pk: int, channel_id: str) -> list[Post]:
    rows = conn.execute(
        f"{_POST_SQL} INDEXED BY daily_posts_unrevealed WHERE team_id = ? AND channel_id = ?"
        " AND revealed_at IS NULL AND status = 'posted' ORDER BY local_date DESC LIMIT 10",
        (team_pk, channel_id),
    )
    return [_post(r) for r in rows]


def unrevealed(conn: sqlite3.Connection, platforms: tuple[str, ...]) -> list[Post]:
    marks = ",".join("?" * len(platforms))
    rows = conn.execute(
        f"{_POST_SQL} INDEXED BY daily_posts_unrevealed WHERE revealed_at IS NULL"
        " AND status = 'posted' AND team_id IN"
        f" (SELECT id FROM teams WHERE platform IN ({marks})) ORDER BY reveal_at",
        platforms,
    )
    return [_post(r) for r in rows]


def claim_reveal(conn: sqlite3.Connection, post_id: int, now: datetime) -> Post | None:
    """Take a post's reveal; the post, or None if it is revealed already or never posted."""
    row = conn.execute(
        "UPDATE daily_posts SET revealed_at = ? WHERE id = ? AND revealed_at IS NULL"
        f" AND status = 'posted' RETURNING {_POST_COLUMNS}",
        (to_db(now), post_id),
    ).fetchone()
    return _post(row) if row else None


def release_reveal(conn: sqlite3.Connection, post_id: int) -> None:
    """The reveal could not be posted (the platform said no): let a later try claim it."""
    conn.execute(
        "UPDATE daily_posts SET revealed_at = NULL WHERE id = ? AND reveal_ref IS NULL", (post_id,)
    )


def mark_revealed(conn: sqlite3.Connection, post_id: int, ref: str) -> None:
    conn.execute("UPDATE daily_posts SET reveal_ref = ? WHERE id = ?", (ref, post_id))


@dataclass(frozen=True)
class AnswerCounts:
    answered: int
    right: int
    per_choice: dict[int, int]
    mean_coverage: float | None


def answer_counts(conn: sqlite3.Connection, post_id: int) -> AnswerCounts:
    """How the channel did. Called in the transaction that claims the reveal, so answers
    arriving after it (late, unscored) are not counted."""
    answered = right = written = 0
    coverage_sum = 0.0
    per_choice: dict[int, int] = {}
    for choice, n, n_right, n_written, cover in conn.execute(
        "SELECT choice, count(*), sum(correct), count(coverage), total(coverage) FROM attempts"
        " WHERE daily_post_id = ? GROUP BY choice",
        (post_id,),
    ):
        answered, right, written = answered + n, right + n_right, written + n_written
        coverage_sum += cover
        if choice is not None:
            per_choice[choice] = n
    mean = coverage_sum / written if written else None
    return AnswerCounts(answered, right, per_choice, mean)


# --- weekly recaps -------------------------------------------------------------


def claim_recap(
    conn: sqlite3.Connection, schedule_id: int, week: date, now: datetime
) -> int | None:
    row = conn.execute(
        "INSERT INTO weekly_recaps (schedule_id, week_start, claimed_at) VALUES (?, ?, ?)"
        " ON CONFLICT (schedule_id, week_start) DO NOTHING RETURNING id",
        (schedule_id, week.isoformat(), to_db(now)),
    ).fetchone()
    return row[0] if row else None


def mark_recap(conn: sqlite3.Connection, recap_id: int, ref: str) -> None:
    conn.execute("UPDATE weekly_recaps SET message_ref = ? WHERE id = ?", (ref, recap_id))


def drop_recap_claim(conn: sqlite3.Connection, recap_id: int) -> None:
    conn.execute("DELETE FROM weekly_recaps WHERE id = ? AND message_ref IS NULL", (recap_id,))


@dataclass(frozen=True)
class Participation:
    posts: int
    people: int
    answers: int
    right: int


def participation(
    conn: sqlite3.Connection, team_pk: int, channel_id: str, first: date, last: date
) -> Participation:
    days = _dates(last, (last - first).days + 1)  # point lookups (see latest_post)
    posts, people, answers, right = conn.execute(
        "SELECT count(DISTINCT p.id), count(DISTINCT a.user_id), count(a.id),"
        " coalesce(sum(a.correct), 0) FROM daily_posts p"
        " LEFT JOIN attempts a ON a.daily_post_id = p.id"
        f" WHERE p.team_id = ? AND p.local_date IN ({','.join('?' * len(days))})"
        " AND p.channel_id = ? AND p.status = 'posted'",
        (team_pk, *days, channel_id),
    ).fetchone()
    return Participation(posts, people, answers, right)


def streak_leaders(
    conn: sqlite3.Connection, team_pk: int, today: date, limit: int
) -> list[tuple[str, int]]:
    """(name, current streak) of the team's longest streaks still alive on `today`.

    Stored streaks only change on activity, so a lapsed one still shows its old length;
    as_of() drops those. Reads a few times `limit` rows to have enough left after that."""
    rows = conn.execute(
        "SELECT coalesce(nullif(u.display_name, ''), u.external_id), s.current, s.longest,"
        " s.freezes, s.last_active_date FROM streaks s JOIN users u ON u.id = s.user_id"
        " WHERE s.team_id = ? AND s.current > 0 ORDER BY s.current DESC, s.user_id LIMIT ?",
        (team_pk, limit * 20),
    ).fetchall()
    alive = []
    for name, current, longest, freezes, last in rows:
        state = as_of(StreakState(current, longest, freezes, date.fromisoformat(last)), today)
        if state.current:
            alive.append((name, state.current))
    return alive[:limit]
