"""Group commit: many small units of work share one transaction, each in its own savepoint.

When thousands of daily jobs fire in the same minute, one commit per job costs more
than the work itself. Callers still get their own result (or their own exception, with
only their savepoint rolled back), and nothing is acknowledged before its commit.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from bot.store.database import Database

T = TypeVar("T")
MAX_BATCH = 500

_Unit = tuple[Callable[[sqlite3.Connection], Any], asyncio.Future]


def _run_batch(conn: sqlite3.Connection, units: list[_Unit]) -> list[tuple[bool, Any]]:
    outcomes: list[tuple[bool, Any]] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for fn, _future in units:
            conn.execute("SAVEPOINT unit")
            try:
                outcomes.append((True, fn(conn)))
            except Exception as exc:
                if not conn.in_transaction:
                    raise  # SQLite itself ended the transaction (e.g. disk full): fail all
                conn.execute("ROLLBACK TO unit")
                outcomes.append((False, exc))
            conn.execute("RELEASE unit")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return outcomes


class GroupCommit:
    def __init__(self, db: Database, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.max_batch = max_batch
        self._queue: list[_Unit] = []
        self._drainer: asyncio.Task | None = None

    async def transaction(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Like Database.transaction, but may commit together with other callers' units."""
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._queue.append((fn, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            try:
                outcomes = await self.db.run(lambda c, b=batch: _run_batch(c, b))
            except BaseException as exc:  # the whole batch was rolled back
                for _fn, future in batch:
                    if not future.done():
                        future.set_exception(
                            exc if isinstance(exc, Exception) else RuntimeError(str(exc))
                        )
                if not isinstance(exc, Exception):
                    raise
                continue
            for (ok, value), (_fn, future) in zip(outcomes, batch, strict=True):
                if future.done():  # the caller was cancelled; its unit committed anyway
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
