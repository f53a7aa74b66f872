"""Group commit: shared transactions, each caller with its own result or error."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.store import Database
from bot.store.batch import GroupCommit


async def _table(db: Database) -> None:
    await db.run(lambda c: c.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"))


async def test_concurrent_units_share_commits_and_get_their_own_results(db: Database):
    await _table(db)
    group = GroupCommit(db, max_batch=40)
    commits = 0
    real_run = db.run

    async def counting_run(fn):
        nonlocal commits
        commits += 1
        return await real_run(fn)

    db.run = counting_run  # type: ignore[method-assign]

    def insert(k: int):
        return lambda c: c.execute(
            "INSERT INTO t VALUES (?, ?) RETURNING k", (k, str(k))
        ).fetchone()[0]

    results = await asyncio.gather(*(group.transaction(insert(k)) for k in range(100)))
    assert results == list(range(100))
    assert commits == 3  # 40 + 40 + 20, not 100
    assert (await db.fetchone("SELECT count(*) FROM t"))[0] == 100


async def test_a_failing_unit_fails_alone_and_leaves_nothing_behind(db: Database):
    await _table(db)
    group = GroupCommit(db)

    def insert(k: int):
        def unit(c: sqlite3.Connection) -> int:
            c.execute("INSERT INTO t VALUES (?, ?)", (k, "x"))
            if k == 3:
                c.execute("INSERT INTO t VALUES (?, NULL)", (k + 100,))  # NOT NULL fails
            return k

        return unit

    outcomes = await asyncio.gather(
        *(group.transaction(insert(k)) for k in range(6)), return_exceptions=True
    )
    assert [o for o in outcomes if not isinstance(o, Exception)] == [0, 1, 2, 4, 5]
    assert isinstance(outcomes[3], sqlite3.IntegrityError)
    rows = await db.fetchall("SELECT k FROM t ORDER BY k")
    assert [r[0] for r in rows] == [0, 1, 2, 4, 5]  # unit 3's first insert was undone too


async def test_a_lone_unit_commits_at_once(db: Database):
    await _table(db)
    group = GroupCommit(db)
    await group.transaction(lambda c: c.execute("INSERT INTO t VALUES (1, 'a')"))
    assert (await db.fetchone("SELECT v FROM t"))[0] == "a"
    with pytest.raises(sqlite3.IntegrityError):
        await group.transaction(lambda c: c.execute("INSERT INTO t VALUES (1, 'b')"))
    assert (await db.fetchone("SELECT v FROM t"))[0] == "a"
