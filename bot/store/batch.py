"""Group commit: many small units of work share one transaction.

When thousands of daily jobs fire in the same minute, one commit per job costs more
than the work itself. Each caller still gets its own result, and nothing is reported
done before its commit. If any unit raises, the shared transaction is rolled back and
every unit of that batch runs again in a transaction of its own, so one failure only
fails its own caller. Units may therefore run twice: they must only act on the
database (and on nothing that a rollback cannot undo).
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


class _UnitFailed(Exception):
    pass


def _run_batch(conn: sqlite3.Connection, units: list[_Unit]) -> list[Any]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        results = [fn(conn) for fn, _future in units]
    except Exception as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise _UnitFailed from exc
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return results


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
                results = await self.db.run(lambda c, b=batch: _run_batch(c, b))
            except _UnitFailed:
                await self._one_by_one(batch)
                continue
            except Exception as exc:  # BEGIN or COMMIT itself failed: all of them did
                for _fn, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            except BaseException:  # cancelled at shutdown: nobody is left to tell
                for _fn, future in batch + self._queue:
                    future.cancel()
                raise
            for value, (_fn, future) in zip(results, batch, strict=True):
                if not future.done():  # a cancelled caller's unit committed anyway
                    future.set_result(value)

    async def _one_by_one(self, batch: list[_Unit]) -> None:
        for fn, future in batch:
            try:
                value = await self.db.transaction(fn)
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(value)
