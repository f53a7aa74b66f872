"""Numbered SQL migrations from migrations/, recorded in schema_migrations."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.store.errors import DatabaseTooNew, StoreError

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def migrations_dir() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "migrations"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def discover(directory: Path | None = None) -> list[Migration]:
    directory = directory or migrations_dir()
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise StoreError(f"migration file {path.name} must be named NNNN_name.sql")
        found.append(Migration(int(m.group(1)), m.group(2), path.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise StoreError(f"migrations must be numbered 1..N without gaps, found {versions}")
    return found


def current_version(conn: sqlite3.Connection) -> int:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    row = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def apply_pending(
    conn: sqlite3.Connection, db_label: str, available: list[Migration] | None = None
) -> list[int]:
    """Apply every migration newer than the database, each in its own transaction.

    The connection must be in autocommit mode (isolation_level=None)."""
    available = discover() if available is None else available
    have = current_version(conn)
    newest = available[-1].version if available else 0
    if have > newest:
        raise DatabaseTooNew(
            f"the database {db_label} is at schema version {have}, but this version of mlprep "
            f"only knows up to {newest}. Upgrade mlprep, or point MLPREP_DATABASE_PATH at a "
            "backup made by this version."
        )
    applied = []
    for m in available:
        if m.version <= have:
            continue
        _apply(conn, m)
        applied.append(m.version)
    return applied


def _apply(conn: sqlite3.Connection, m: Migration) -> None:
    """One migration, all or nothing. Foreign keys are off while it runs, as SQLite
    requires for rebuilding a table that others reference, and checked before commit."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    (enforced,) = conn.execute("PRAGMA foreign_keys").fetchone()
    conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction: set it first
    try:
        # executescript runs the whole file inside the transaction it opens.
        conn.executescript(
            "BEGIN IMMEDIATE;\n"
            f"{m.sql}\n;"
            f"INSERT INTO schema_migrations (version, name, applied_at) "
            f"VALUES ({m.version}, '{m.name}', '{now}');\n"
        )
        broken = conn.execute("PRAGMA foreign_key_check").fetchmany(3)
        if broken:
            raise sqlite3.IntegrityError(
                "foreign keys broken: " + "; ".join(f"{r[0]} row {r[1]} -> {r[2]}" for r in broken)
            )
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise StoreError(f"migration {m.version:04d}_{m.name} failed: {exc}") from exc
    finally:
        conn.execute(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")
