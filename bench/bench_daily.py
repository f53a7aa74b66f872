"""The daily question for 10,000 channels: choose and hand to a no-op poster.

    .venv/bin/python bench/bench_daily.py [--channels 10000] [--questions 250] [--days 365]

One team database with `--channels` schedules all due at 09:00 UTC, a bank of
`--questions` questions, and `--days` of history per channel (a posted and revealed
daily question every day, each channel's question deck consistent with it, and yesterday's
post still waiting for its reveal with three answers). The bench then runs every
channel's real daily job at 09:00 at once, as APScheduler would start them: each job
reveals yesterday's answer, claims today's row, deals the question from the deck,
hands the post to a no-op poster, records the reference and registers the reveal job
(on a started, paused AsyncIOScheduler). Target: under 2 s. The pre-filled database is
cached in bench/data/; every run works on a fresh copy.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # noqa: E402

from bot.bank import QuestionBank, builtin_content_dir  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.daily.engine import DailyEngine  # noqa: E402
from bot.daily.jobs import SchedulerJobs  # noqa: E402
from bot.gc_tuning import settle_after_start_up  # noqa: E402
from bot.replies import Reply  # noqa: E402
from bot.store import Database  # noqa: E402
from bot.store.migrations import apply_pending, discover  # noqa: E402
from bot.timeutil import to_db  # noqa: E402

TODAY = date(2026, 6, 1)
NINE = datetime(TODAY.year, TODAY.month, TODAY.day, 9, 0, tzinfo=UTC)


class NoOpPoster:
    def __init__(self) -> None:
        self.posts = 0
        self.replies = 0

    async def check_channel(self, team_id: str, channel_id: str) -> None:
        return None

    async def post(self, team_id: str, channel_id: str, reply: Reply) -> str:
        self.posts += 1
        return f"m{self.posts}"

    async def reply(self, team_id: str, channel_id: str, message_ref: str, reply: Reply) -> str:
        self.replies += 1
        return f"r{self.replies}"

    async def notify(self, team_id: str, user_id: str, reply: Reply) -> None:
        return None


def prefill(path: Path, ids: list[str], channels: int, days: int) -> None:
    n = len(ids)
    conn = sqlite3.connect(path, isolation_level=None)
    apply_pending(conn, str(path))
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    stamp = to_db(NINE - timedelta(days=days + 1))
    conn.execute(
        "INSERT INTO teams (id, platform, external_id, created_at) VALUES (1, 'slack', 'T', ?)",
        (stamp,),
    )
    conn.executemany(
        "INSERT INTO users (id, team_id, external_id, created_at) VALUES (?, 1, ?, ?)",
        ((u, f"U{u}", stamp) for u in (1, 2, 3)),
    )
    first = TODAY - timedelta(days=days)

    # Day d (0 = oldest) dealt ids[(c + d) % n]: the deck is that cycle, and the next
    # deal is the one used longest ago.
    conn.executemany(
        "INSERT INTO channel_schedules (id, team_id, channel_id, post_time, timezone, deck_pos,"
        " admin_user_id, created_at, updated_at) VALUES (?, 1, ?, '09:00', 'UTC', ?, 'U1', ?, ?)",
        ((c + 1, f"C{c:05d}", days % n, stamp, stamp) for c in range(channels)),
    )
    conn.executemany(
        "INSERT INTO channel_decks (schedule_id, ids) VALUES (?, ?)",
        ((c + 1, ",".join(ids[(c + k) % n] for k in range(n))) for c in range(channels)),
    )

    def history():  # day by day, as a live database fills up
        for d in range(days):
            day = first + timedelta(days=d)
            at = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)
            for c in range(channels):
                last = d == days - 1  # yesterday: posted, not yet revealed
                yield (
                    f"C{c:05d}",
                    day.isoformat(),
                    ids[(c + d) % n],
                    to_db(at),
                    f"m-{c}-{d}",
                    to_db(at + timedelta(days=1)),
                    None if last else to_db(at + timedelta(days=1)),
                    None if last else f"r-{c}-{d}",
                )

    conn.executemany(
        "INSERT INTO daily_posts (team_id, channel_id, local_date, question_id, claimed_at,"
        " posted_at, due_at, message_ref, reveal_at, revealed_at, reveal_ref, status, tries)"
        " VALUES (1, ?1, ?2, ?3, ?4, ?4, ?4, ?5, ?6, ?7, ?8, 'posted', 1)",
        history(),
    )
    conn.execute(
        "INSERT INTO attempts (team_id, user_id, question_id, topic, source, daily_post_id,"
        " choice, correct, points, local_date, created_at)"
        " SELECT 1, u.id, p.question_id, 'bench', 'daily', p.id, u.id - 1, u.id = 1, 0,"
        " p.local_date, p.posted_at FROM daily_posts p, users u WHERE p.revealed_at IS NULL",
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


async def run(
    path: Path, bank: QuestionBank, ids: list[str], channels: int, days: int, reveal_in_job: bool
) -> tuple[float, float]:
    db = await Database.open(path)
    if not reveal_in_job:  # reveals run as jobs of their own: the daily job only posts
        await db.run(
            lambda c: c.executescript(
                "BEGIN; UPDATE channel_schedules SET reveal_after_hours = 6;"
                "UPDATE daily_posts SET revealed_at = reveal_at, reveal_ref = 'r'"
                " WHERE revealed_at IS NULL; COMMIT;"
            )
        )
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.start(paused=True)  # jobs land in the real job store, none fire
    poster = NoOpPoster()
    clock = ManualClock(NINE - timedelta(minutes=1))
    engine = DailyEngine(db, bank, clock, {"slack": poster}, jobs=SchedulerJobs(scheduler))
    try:
        t = time.perf_counter()
        await engine.start()  # at 08:59: registers the jobs, nothing is due yet
        start_up = time.perf_counter() - t
        settle_after_start_up()  # as bot.app.running_daily does after start-up
        assert len(scheduler.get_jobs()) == channels and poster.posts == 0
        clock.set(NINE)
        started = time.perf_counter()
        await asyncio.gather(*(engine.fire(s) for s in range(1, channels + 1)))
        elapsed = time.perf_counter() - started
        posted = await db.fetchone(
            "SELECT count(*) FROM daily_posts WHERE local_date = ? AND status = 'posted'",
            (TODAY.isoformat(),),
        )
        assert posted[0] == channels == poster.posts, (posted[0], poster.posts)
        assert poster.replies == (channels if reveal_in_job else 0)
        # Today's question must be each channel's least recently used one: the deck the
        # prefill built deals ids[(c + days) % n] today. For a sample of channels, check
        # it against the history itself: not posted there in the n - 1 days before.
        today = dict(
            await db.fetchall(
                "SELECT channel_id, question_id FROM daily_posts WHERE team_id = 1"
                " AND local_date = ?",
                (TODAY.isoformat(),),
            )
        )
        n = len(ids)
        assert all(today[f"C{c:05d}"] == ids[(c + days) % n] for c in range(channels))
        window = [(TODAY - timedelta(days=k)).isoformat() for k in range(1, n)]
        marks = ",".join("?" * len(window))
        for c in range(0, channels, max(1, channels // 100)):
            channel = f"C{c:05d}"
            used = await db.fetchone(
                f"SELECT count(*) FROM daily_posts WHERE team_id = 1 AND local_date IN ({marks})"
                " AND channel_id = ? AND question_id = ?",
                (*window, channel, today[channel]),
            )
            assert used[0] == 0, (channel, today[channel])
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)
        await db.close()
    return elapsed, start_up


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--channels", type=int, default=10_000)
    ap.add_argument("--questions", type=int, default=250)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    full = QuestionBank.load([builtin_content_dir()])
    questions = sorted(full.select(), key=lambda q: q.id)[: args.questions]
    bank = QuestionBank(questions)
    ids = [q.id for q in questions]
    data = ROOT / "bench" / "data"
    data.mkdir(parents=True, exist_ok=True)
    schema = discover()[-1].version  # a new migration makes a new cache
    cached = data / f"daily-{args.channels}c-{len(ids)}q-{args.days}d-v{schema}.db"
    if not cached.exists():
        t = time.perf_counter()
        print(f"pre-filling {cached.name} ...", flush=True)
        partial = cached.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        prefill(partial, ids, args.channels, args.days)
        partial.rename(cached)
        print(f"  done in {time.perf_counter() - t:.0f} s", flush=True)
    rows = args.channels * args.days
    size = cached.stat().st_size / 1e6
    print(
        f"{args.channels:,} channels, {len(ids)} questions, {args.days} days of history "
        f"({rows:,} daily posts, {size:,.0f} MB)"
    )
    variants = [
        (False, "choose, post, record (reveal set to its own time)"),
        (True, "reveal yesterday's answer, then choose, post, record (the default)"),
    ]
    for reveal_in_job, label in variants:
        for _run in range(args.runs):
            work = data / "daily-run.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{work}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(cached, work)
            elapsed, start_up = asyncio.run(
                run(work, bank, ids, args.channels, args.days, reveal_in_job)
            )
            print(
                f"{args.channels:,} daily jobs, {label}: {elapsed:.2f} s"
                f" = {elapsed / args.channels * 1e6:.0f} us per channel (target < 2 s);"
                f" engine start-up {start_up:.2f} s"
            )
            for suffix in ("", "-wal", "-shm"):
                Path(f"{work}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
