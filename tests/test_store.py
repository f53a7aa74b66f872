"""Store tests on real SQLite files."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.service import PracticeService
from bot.store import Database, DatabaseTooNew, NotOurDatabase, StoreError
from bot.store.migrations import Migration, discover
from tests.conftest import who

EXPECTED_TABLES = {
    "teams", "users", "quiz_sessions", "attempts", "questions_seen", "points_ledger",
    "points_totals", "streaks", "sr_cards", "channel_schedules", "daily_posts",
    "schema_migrations",
}  # fmt: skip


async def test_migrates_an_empty_file_and_records_the_version(tmp_path: Path):
    db = await Database.open(tmp_path / "fresh.db")
    try:
        tables = {
            r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert tables >= EXPECTED_TABLES
        versions = [
            tuple(r) for r in await db.fetchall("SELECT version, name FROM schema_migrations")
        ]
        assert versions == [(m.version, m.name) for m in discover()]
        assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
        assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1
        assert (await db.fetchone("PRAGMA busy_timeout"))[0] >= 1000
    finally:
        await db.close()


async def test_reopening_applies_nothing_twice(tmp_path: Path):
    path = tmp_path / "again.db"
    for _ in range(2):
        db = await Database.open(path)
        await db.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(
            discover()
        )


async def test_new_migration_is_applied_in_order_on_existing_data(tmp_path: Path):
    path = tmp_path / "upgrade.db"
    base = discover()
    db = await Database.open(path, migrations=base)
    await db.transaction(
        lambda c: c.execute(
            "INSERT INTO teams (platform, external_id, created_at) VALUES ('slack', 'T1', 'x')"
        )
    )
    await db.close()
    extra = Migration(
        len(base) + 1, "add_note", "ALTER TABLE teams ADD COLUMN note TEXT DEFAULT 'n';"
    )
    db = await Database.open(path, migrations=[*base, extra])
    try:
        row = await db.fetchone("SELECT external_id, note FROM teams")
        assert tuple(row) == ("T1", "n")
    finally:
        await db.close()


async def test_a_failing_migration_rolls_back_entirely(tmp_path: Path):
    path = tmp_path / "broken.db"
    base = discover()
    await (await Database.open(path, migrations=base)).close()
    bad = Migration(
        len(base) + 1,
        "half",
        "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);",
    )
    with pytest.raises(StoreError, match="half"):
        await Database.open(path, migrations=[*base, bad])
    with sqlite3.connect(path) as raw:
        names = {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
        assert "half_done" not in names
        assert raw.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == len(base)


async def test_a_migration_that_breaks_a_foreign_key_is_rolled_back(tmp_path: Path):
    path = tmp_path / "orphans.db"
    base = discover()
    db = await Database.open(path, migrations=base)
    await db.run(
        lambda c: c.execute(
            "INSERT INTO teams (id, platform, external_id, created_at) VALUES (1,'slack','T','x')"
        )
    )
    await db.close()
    # Foreign keys are off while a migration runs (table rebuilds need that), so the
    # runner checks them itself before committing.
    orphan = Migration(
        len(base) + 1,
        "orphan",
        "INSERT INTO users (team_id, external_id, created_at) VALUES (42, 'U', 'x');",
    )
    with pytest.raises(StoreError, match=r"orphan failed: foreign keys broken: users"):
        await Database.open(path, migrations=[*base, orphan])
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM users").fetchone()[0] == 0
        assert raw.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == len(base)


async def test_database_newer_than_the_code_is_refused_clearly(tmp_path: Path):
    path = tmp_path / "future.db"
    await (await Database.open(path)).close()
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO schema_migrations VALUES (999, 'from_the_future', 'x')")
    with pytest.raises(DatabaseTooNew, match=r"schema version 999.*Upgrade mlprep"):
        await Database.open(path)


@pytest.mark.parametrize(
    "content",
    [b"this is a text file, not a database\n" * 20, b"SQLite format 3\x00" + b"\xff" * 4000],
)
async def test_corrupt_file_is_refused_and_left_untouched(tmp_path: Path, content: bytes):
    path = tmp_path / "corrupt.db"
    path.write_bytes(content)
    with pytest.raises(NotOurDatabase, match="untouched"):
        await Database.open(path)
    assert path.read_bytes() == content
    assert not (tmp_path / "corrupt.db-wal").exists()


async def test_foreign_sqlite_database_is_refused_and_left_untouched(tmp_path: Path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        raw.execute("INSERT INTO invoices VALUES (1, 9.5)")
    raw.close()
    before = path.read_bytes()
    with pytest.raises(NotOurDatabase, match="another program"):
        await Database.open(path)
    assert path.read_bytes() == before


async def test_transaction_rolls_back_on_error(db: Database):
    def unit(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO teams (platform, external_id, created_at) VALUES ('slack','T9','x')"
        )
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await db.transaction(unit)
    assert (await db.fetchone("SELECT count(*) FROM teams"))[0] == 0


async def test_ledger_is_append_only(service: PracticeService, db: Database):
    await service.handle_text(who(), "quiz alpha easy 1")
    session = await db.fetchone("SELECT id FROM quiz_sessions")
    await service.answer_choice(who(), session[0], 0, 0)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await db.transaction(lambda c: c.execute("UPDATE points_ledger SET points = 999"))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await db.transaction(lambda c: c.execute("DELETE FROM points_ledger"))
    assert (await db.fetchone("SELECT sum(points) FROM points_ledger"))[0] == 10


async def test_fifty_concurrent_clicks_score_exactly_once(service: PracticeService, db: Database):
    await service.handle_text(who(), "quiz alpha hard 1")
    (sid,) = await db.fetchone("SELECT id FROM quiz_sessions")
    results = await asyncio.gather(*(service.answer_choice(who(), sid, 0, 2) for _ in range(50)))
    assert sum(1 for r in results if r[0].title == "Correct") == 1
    assert all("no longer open" in r[0].body or r[0].title == "Correct" for r in results)
    assert (await db.fetchone("SELECT count(*) FROM attempts"))[0] == 1
    assert tuple(await db.fetchone("SELECT count(*), sum(points) FROM points_ledger")) == (1, 30)
    assert (await db.fetchone("SELECT points FROM points_totals WHERE period='all'"))[0] == 30


async def test_fifty_separate_connections_record_one_daily_answer(tmp_path: Path):
    """Separate processes sharing the file: the schema, not the code, stops a second score."""
    path = tmp_path / "shared.db"
    setup = await Database.open(path)

    def seed(c: sqlite3.Connection) -> None:
        c.execute(
            "INSERT INTO teams (id, platform, external_id, created_at) VALUES (1,'slack','T','x')"
        )
        c.execute("INSERT INTO users (id, team_id, external_id, created_at) VALUES (1,1,'U','x')")
        c.execute(
            "INSERT INTO daily_posts (id, team_id, channel_id, local_date, question_id, claimed_at)"
            " VALUES (1, 1, 'C', '2026-03-04', 'a-choice-easy', 'x')"
        )

    await setup.transaction(seed)
    await setup.close()
    connections = [await Database.open(path) for _ in range(50)]

    def answer(c: sqlite3.Connection) -> int:
        (attempt,) = c.execute(
            "INSERT INTO attempts (team_id, user_id, question_id, topic, source, daily_post_id,"
            " choice, correct, points, local_date, created_at)"
            " VALUES (1, 1, 'a-choice-easy', 'alpha', 'daily', 1, 0, 1, 10, '2026-03-04', 'x')"
            " RETURNING id"
        ).fetchone()
        c.execute(
            "INSERT INTO points_ledger (team_id, user_id, attempt_id, question_id, scope, points,"
            " week_start, month_start, created_at)"
            " VALUES (1, 1, ?, 'a-choice-easy', 'daily:1', 10, '2026-03-02', '2026-03-01', 'x')",
            (attempt,),
        )
        return attempt

    try:
        outcomes = await asyncio.gather(
            *(c.transaction(answer) for c in connections), return_exceptions=True
        )
    finally:
        for c in connections:
            await c.close()
    assert sum(1 for o in outcomes if isinstance(o, int)) == 1
    assert all(isinstance(o, sqlite3.IntegrityError) for o in outcomes if not isinstance(o, int))
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*), sum(points) FROM points_ledger").fetchone() == (1, 10)
        assert raw.execute("SELECT points FROM points_totals WHERE period='all'").fetchone() == (
            10,
        )


async def test_backup_copies_a_live_database(
    service: PracticeService, db: Database, tmp_path: Path
):
    await service.handle_text(who(), "quiz alpha easy 1")
    dest = await db.backup(tmp_path / "backups" / "copy.db")
    with sqlite3.connect(dest) as raw:
        assert raw.execute("SELECT count(*) FROM quiz_sessions").fetchone()[0] == 1
    with pytest.raises(StoreError, match="already exists"):
        await db.backup(dest)
