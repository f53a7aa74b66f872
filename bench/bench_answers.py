"""Answer-recording throughput and leaderboard latency at 1,000,000 attempts.

    .venv/bin/python bench/bench_answers.py [--attempts 1000000] [--users 10000]

Prints: recorded answers/s through PracticeService, the raw aiosqlite rate of a
single-row insert+commit measured in the same run (and the ratio), and leaderboard
p50/p99 for the week and all time. Targets: ratio >= 50%, leaderboard p99 < 20 ms.
The pre-filled database is cached in bench/data/ and reused by later runs.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.bank import ChoiceQuestion, QuestionBank, builtin_content_dir  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.domain import POINTS, Who  # noqa: E402
from bot.leaderboard import Period  # noqa: E402
from bot.service import PracticeService  # noqa: E402
from bot.store import Database  # noqa: E402
from bot.store.migrations import apply_pending  # noqa: E402
from bot.timeutil import month_start, to_db, week_start  # noqa: E402

TEAM = "T-bench"


def prefill(path: Path, bank: QuestionBank, attempts: int, users: int, seed: int = 1) -> None:
    """Write `attempts` answers by `users` people over the past year, with their ledger rows."""
    rng = random.Random(seed)
    questions = bank.select()
    now = datetime.now(UTC)
    conn = sqlite3.connect(path, isolation_level=None)
    apply_pending(conn, str(path))
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO teams (id, platform, external_id, created_at) VALUES (1, 'slack', ?, ?)",
        (TEAM, to_db(now)),
    )
    conn.executemany(
        "INSERT INTO users (id, team_id, external_id, display_name, created_at)"
        " VALUES (?, 1, ?, ?, ?)",
        ((u, f"U{u:05d}", f"user {u}", to_db(now)) for u in range(1, users + 1)),
    )
    scored: set[tuple[int, str]] = set()
    attempt_rows, ledger_rows = [], []
    for attempt_id in range(1, attempts + 1):
        user = rng.randint(1, users)
        q = rng.choice(questions)
        when = now - timedelta(seconds=rng.randint(0, 365 * 86400))
        day = when.date()
        right = rng.random() < 0.6
        first = (user, q.id) not in scored
        points = POINTS[q.difficulty] if right and first else 0
        attempt_rows.append(
            (attempt_id, user, q.id, q.topic, 0 if isinstance(q, ChoiceQuestion) else None,
             None if isinstance(q, ChoiceQuestion) else "a written answer",
             int(right), points, day.isoformat(), to_db(when))
        )  # fmt: skip
        if first:
            scored.add((user, q.id))
            ledger_rows.append(
                (user, attempt_id, q.id, points, week_start(day).isoformat(),
                 month_start(day).isoformat(), to_db(when))
            )  # fmt: skip
        if len(attempt_rows) >= 50_000:
            _flush(conn, attempt_rows, ledger_rows)
    _flush(conn, attempt_rows, ledger_rows)
    conn.executemany(
        "INSERT INTO streaks (user_id, team_id, current, longest, freezes, last_active_date,"
        " updated_at) VALUES (?, 1, ?, ?, 0, ?, ?)",
        (
            (u, c, c + rng.randint(0, 30), (now.date() - timedelta(days=1)).isoformat(), to_db(now))
            for u in range(1, users + 1)
            for c in [rng.randint(0, 60)]
        ),
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def _flush(conn: sqlite3.Connection, attempt_rows: list, ledger_rows: list) -> None:
    conn.executemany(
        "INSERT INTO attempts (id, team_id, user_id, question_id, topic, source, choice,"
        " answer_text, correct, points, local_date, created_at)"
        " VALUES (?, 1, ?, ?, ?, 'quiz', ?, ?, ?, ?, ?, ?)",
        attempt_rows,
    )
    conn.executemany(
        "INSERT INTO points_ledger (team_id, user_id, attempt_id, question_id, scope, points,"
        " week_start, month_start, created_at) VALUES (1, ?, ?, ?, 'practice', ?, ?, ?, ?)",
        ledger_rows,
    )
    attempt_rows.clear()
    ledger_rows.clear()


async def raw_insert_rate(path: Path, n: int) -> float:
    """Single-row INSERT + COMMIT through plain aiosqlite, same file and pragmas."""
    async with aiosqlite.connect(path) as conn:
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA busy_timeout = 5000")
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, user_id INTEGER,"
            " question_id TEXT, created_at TEXT)"
        )
        await conn.commit()
        start = time.perf_counter()
        for i in range(n):
            await conn.execute(
                "INSERT INTO bench_raw (user_id, question_id, created_at) VALUES (?, ?, ?)",
                (i, "q", "2026-01-01 00:00:00.000000"),
            )
            await conn.commit()
        return n / (time.perf_counter() - start)


async def service_answer_rate(service: PracticeService, n: int, users: int) -> float:
    """Answers recorded through PracticeService; only the answer calls are timed."""
    rng = random.Random(2)
    recorded = 0
    elapsed = 0.0
    while recorded < n:
        who = Who("slack", TEAM, f"U{rng.randint(1, users):05d}", display_name="bench")
        replies = await service.handle_text(who, "quiz 20")
        question = replies[-1]
        while question.title and question.title.startswith("Question") and recorded < n:
            if question.text_prompt is not None:  # written questions: skip, not timed
                question = (await service.handle_action(who, question.buttons[-1].action_id))[-1]
                continue
            pick = rng.randrange(len(question.buttons) - 1)
            start = time.perf_counter()
            out = await service.handle_action(who, question.buttons[pick].action_id)
            elapsed += time.perf_counter() - start
            recorded += 1
            question = out[-1]
    return recorded / elapsed


async def latencies(call: Callable[[], Awaitable[object]], n: int) -> tuple[float, float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--answers", type=int, default=5_000, help="answers to time")
    parser.add_argument("--queries", type=int, default=300, help="leaderboard calls to time")
    args = parser.parse_args()

    bank = QuestionBank.load([builtin_content_dir()])
    cache = ROOT / "bench" / "data" / f"prefill-{args.attempts}-{args.users}-{len(bank)}.db"
    cache.parent.mkdir(parents=True, exist_ok=True)
    if not cache.exists():
        print(f"pre-filling {args.attempts:,} attempts by {args.users:,} users (cached in {cache})")
        start = time.perf_counter()
        partial = cache.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        prefill(partial, bank, args.attempts, args.users)
        partial.rename(cache)
        print(f"  done in {time.perf_counter() - start:.1f} s")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "bench.db"
        with sqlite3.connect(cache) as src, sqlite3.connect(work) as dst:
            src.backup(dst)
        db = await Database.open(work)
        try:
            count = (await db.fetchone("SELECT count(*) FROM attempts"))[0]
            print(f"database: {count:,} attempts, {args.users:,} users, {len(bank)} questions")
            service = PracticeService(db, bank, SystemClock(), rng=random.Random(3))
            await service_answer_rate(service, 200, args.users)  # warm-up
            svc = await service_answer_rate(service, args.answers, args.users)
            raw = await raw_insert_rate(work, args.answers)
            print(f"service: {svc:,.0f} recorded answers/s ({args.answers:,} answers)")
            print(f"raw aiosqlite insert+commit: {raw:,.0f} rows/s")
            print(f"ratio: {svc / raw:.0%} of the raw rate (target >= 50%)")
            someone = Who("slack", TEAM, "U00042")
            for period in (Period.WEEK, Period.ALL):
                p50, p99 = await latencies(
                    lambda p=period: service.leaderboard(someone, p), args.queries
                )
                print(
                    f"leaderboard {period.value:<4}: p50 {p50:.2f} ms, p99 {p99:.2f} ms "
                    "(target p99 < 20 ms)"
                )
        finally:
            await db.close()


if __name__ == "__main__":
    asyncio.run(main())
