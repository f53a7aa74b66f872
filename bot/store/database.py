"""One aiosqlite connection per process: WAL, busy_timeout, foreign keys, migrations at open."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.store.errors import NotOurDatabase, StoreError
from bot.store.migrations import Migration, apply_pending, current_version, discover

T = TypeVar("T")
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 32 * 1024
MMAP_BYTES = 256 * 1024 * 1024
WAL_CHECKPOINT_PAGES = 10_000
WAL_KEEP_BYTES = 64 * 1024 * 1024


def _check_file(path: Path) -> None:
    """Refuse anything that is not an empty file or an SQLite database, before SQLite touches it."""
    if not path.exists():
        return
    if path.is_dir():
        raise NotOurDatabase(f"{path} is a directory, not a database file")
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        raise NotOurDatabase(
            f"{path} is not an SQLite database (corrupt, or another kind of file). "
            "It was left untouched; point MLPREP_DATABASE_PATH at another file."
        )


class Database:
    def __init__(self, conn: aiosqlite.Connection, label: str) -> None:
        self._conn = conn
        self.label = label
        self.applied: list[int] = []  # migrations applied when this connection opened

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        upgrade: bool = True,
        migrations: list[Migration] | None = None,
    ) -> Database:
        path = Path(path)
        _check_file(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
        conn = await aiosqlite.connect(path, isolation_level=None)
        db = cls(conn, str(path))
        try:
            await db._inspect()
            conn.row_factory = sqlite3.Row
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable across application crashes in WAL mode; only a power
            # loss can drop the last commits, and it never corrupts the file.
            await conn.execute("PRAGMA synchronous = NORMAL")
            # Leaderboard, streak and card lookups hit random index pages: keep them in memory.
            await conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            await conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            # Checkpoint every ~40 MB of WAL instead of SQLite's 4 MB: the two fsyncs of a
            # checkpoint are paid 10x less often by the commits that cross the threshold.
            await conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
            await conn.execute(f"PRAGMA journal_size_limit = {WAL_KEEP_BYTES}")
            available = discover() if migrations is None else migrations
            if not upgrade:
                have = await db.run(current_version)
                newest = available[-1].version if available else 0
                if have < newest:
                    raise StoreError(
                        f"the database {db.label} is at schema version {have}; "
                        f"run 'mlprep db upgrade' to bring it to {newest}"
                    )
            db.applied = await db.run(lambda c: apply_pending(c, db.label, available))
        except BaseException:
            await conn.close()
            raise
        return db

    async def _inspect(self) -> None:
        """Read the schema without writing: a corrupt or foreign file must stay untouched."""
        try:
            rows = await self._conn.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        except sqlite3.DatabaseError as exc:
            raise NotOurDatabase(
                f"{self.label} cannot be read as an SQLite database ({exc}). "
                "It was left untouched; restore a backup or point MLPREP_DATABASE_PATH elsewhere."
            ) from exc
        tables = {r[0] for r in rows}
        if tables and "schema_migrations" not in tables:
            shown = ", ".join(sorted(tables)[:5])
            raise NotOurDatabase(
                f"{self.label} is an SQLite database of another program (tables: {shown}). "
                "It was left untouched; point MLPREP_DATABASE_PATH at a new or mlprep file."
            )

    async def close(self) -> None:
        await self._conn.close()

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        rows = await self._conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` with the raw sqlite3 connection on aiosqlite's worker thread.

        aiosqlite runs queued calls one at a time on its thread, so `fn` runs whole,
        with no other coroutine's statements interleaved, in one thread hop. This
        uses aiosqlite's internal queue (`_execute`, `_conn`), pinned in pyproject.toml
        and covered by tests/test_store.py.
        """
        conn = self._conn
        return await conn._execute(lambda: fn(conn._conn))

    async def transaction(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` inside BEGIN IMMEDIATE ... COMMIT; any exception rolls everything back."""

        def unit(raw: sqlite3.Connection) -> T:
            raw.execute("BEGIN IMMEDIATE")
            try:
                result = fn(raw)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")
            return result

        return await self.run(unit)

    async def backup(self, destination: str | Path) -> Path:
        """Copy the live database with SQLite's online backup API."""
        destination = Path(destination)
        if destination.exists():
            raise StoreError(f"{destination} already exists; choose a new file name for the backup")
        destination.parent.mkdir(parents=True, exist_ok=True)

        def copy(raw: sqlite3.Connection) -> None:
            target = sqlite3.connect(destination)
            try:
                raw.backup(target)
            finally:
                target.close()

        await self.run(copy)
        return destination
