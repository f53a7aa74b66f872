"""The mock-round side of PracticeService: start, answer bookkeeping, pause, resume,
abandon, report and history. A round is a quiz session in 'mock' mode, so answering
and skipping go through the service's usual slot checks."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot import mock as views
from bot.bank.rounds import MockKind, NotEnoughQuestions, draw_round
from bot.replies import Reply, error
from bot.store import mocks
from bot.store import practice as store
from bot.store.practice import Session, UserRef

if TYPE_CHECKING:
    from bot.domain import Who
    from bot.service import PracticeService

NO_ROUND = "You have no unfinished mock round."
START_HINT = "Start one with: mock [mixed|technical|system-design|behavioral]"


class MockDesk:
    def __init__(self, service: PracticeService) -> None:
        self.service = service

    # --- inside the service's transactions ----------------------------------------

    def pause_if_mock(
        self, conn: sqlite3.Connection, closed: Session | None, now: datetime
    ) -> bool:
        """A mock round's session was just closed by another round starting: pause it."""
        if closed is None or closed.mode != "mock":
            return False
        mocks.pause(conn, closed.id, now)
        return True

    def settle(
        self, conn: sqlite3.Connection, session: Session, slot: int, outcome: str, now: datetime
    ) -> None:
        """After the session moved past `slot`: stop that question's clock, start the next
        one's, or close the round when it was the last."""
        mocks.settle(conn, session.id, slot, outcome, now)
        if session.status == "active":
            mocks.show(conn, session.id, session.position, now)
        else:
            mocks.close(conn, session.id, "finished", now)

    # --- replies after a move --------------------------------------------------------

    async def after_move(self, session: Session, slot: int, outcome: str) -> list[Reply]:
        times = await self.service.db.run(lambda c: mocks.slot_times(c, session.id))
        first = views.recorded(outcome, times[slot])
        if session.status == "active":
            return [first, self.question_reply(session, times)]
        return [first, await self.report(session.id)]

    def question_reply(self, session: Session, times: list[mocks.SlotTime]) -> Reply:
        base = self.service._question_reply(session)  # also says when a question is gone
        q = self.service.bank.get(session.current_question_id or "")
        return base if q is None else views.question(base, q, session.position, times)

    async def report(self, session_id: int) -> Reply:
        def read(conn: sqlite3.Connection):
            r = mocks.get(conn, session_id)
            assert r is not None
            return (
                r,
                mocks.slot_times(conn, session_id),
                mocks.answers(conn, session_id),
                mocks.history(conn, r.user_pk, kind=r.kind, limit=10),
                _timezone(conn, r.user_pk),
            )

        r, times, answers, previous, timezone = await self.service.db.run(read)
        report = views.build_report(self.service.bank, r, times, answers, previous)
        return views.report_reply(self.service.bank, report, timezone)

    async def _transaction(self, unit: Callable[[sqlite3.Connection], Any]) -> Any:
        """The service's transaction; a write the schema refused becomes an error reply."""
        from bot.service import _Stale  # the service imports this module

        result = await self.service._transaction(unit)
        return error(result.message) if isinstance(result, _Stale) else result

    # --- commands ----------------------------------------------------------------------

    async def start(self, who: Who, kind: MockKind) -> list[Reply]:
        svc = self.service
        now = svc.clock.now()

        def unit(conn: sqlite3.Connection):
            ref = svc._ensure(conn, who)
            open_round = mocks.unfinished(conn, ref.user_pk)
            if open_round is not None:
                return views.unfinished(open_round, mocks.slot_times(conn, open_round.session_id))
            used = {
                r[0]
                for r in conn.execute(
                    "SELECT s.question_id FROM mock_slots s JOIN mock_rounds r"
                    " ON r.session_id = s.session_id WHERE r.user_id = ?",
                    (ref.user_pk,),
                )
            }
            try:
                questions = draw_round(svc.bank, kind, svc.rng, exclude=used)
            except NotEnoughQuestions:
                # Every question has been in a round before: repeats across rounds are
                # fine, never within one.
                try:
                    questions = draw_round(svc.bank, kind, svc.rng)
                except NotEnoughQuestions as exc:
                    return error(f"{exc}.", "Try another kind of round: " + START_HINT)
            ids = [q.id for q in questions]
            session, previous = svc._begin(conn, ref, ids, None, None, now, "mock")
            mocks.create(
                conn,
                session.id,
                ref.user_pk,
                kind.value,
                [(q.id, views.budget_seconds(q)) for q in questions],
                now,
            )
            # No mock round was open (checked above), so `previous` is a quiz or practice.
            replaced = "Your quiz in progress was closed." if previous is not None else None
            return questions, session, replaced, mocks.slot_times(conn, session.id)

        result = await self._transaction(unit)
        if isinstance(result, Reply):
            return [result]
        questions, session, replaced, times = result
        return [views.intro(kind, questions, replaced), self.question_reply(session, times)]

    def _unfinished(
        self, conn: sqlite3.Connection, who: Who, session_id: int | None
    ) -> tuple[UserRef, mocks.MockRound | None]:
        """The person's unfinished round; None when there is none, or when a button names
        another (an old round's button)."""
        ref = self.service._ensure(conn, who)
        r = mocks.unfinished(conn, ref.user_pk)
        if r is not None and session_id is not None and r.session_id != session_id:
            r = None
        return ref, r

    async def resume(self, who: Who, session_id: int | None = None) -> list[Reply]:
        svc = self.service
        now = svc.clock.now()

        def unit(conn: sqlite3.Connection):
            ref, r = self._unfinished(conn, who, session_id)
            if r is None:
                return error(NO_ROUND, START_HINT)
            session = store.get_session(conn, r.session_id)
            assert session is not None
            if r.status == "paused":
                closed = store.close_active(conn, ref.user_pk, now, "abandoned")
                mocks.resume(conn, r.session_id, session.position, now)
                store.mark_seen(conn, ref.user_pk, session.question_ids[session.position], now)
                session = store.get_session(conn, r.session_id)
                assert session is not None
            else:
                closed = None
            times = mocks.slot_times(conn, r.session_id)
            return r, session, times, closed

        result = await self._transaction(unit)
        if isinstance(result, Reply):
            return [result]
        r, session, times, closed = result
        note = views.resumed(r, session.position, times, closed is not None)
        return [note, self.question_reply(session, times)]

    def pause_active(self, conn: sqlite3.Connection, ref: UserRef, now: datetime) -> Reply | None:
        """'stop' during a mock round pauses it rather than ending it."""
        session = store.active_session(conn, ref.user_pk)
        if session is None or session.mode != "mock":
            return None
        store.close_active(conn, ref.user_pk, now, "abandoned")
        mocks.pause(conn, session.id, now)
        r = mocks.get(conn, session.id)
        assert r is not None
        return views.paused(r, mocks.slot_times(conn, session.id))

    async def abandon(self, who: Who, session_id: int | None = None) -> list[Reply]:
        now = self.service.clock.now()

        def unit(conn: sqlite3.Connection) -> Reply | int:
            _ref, r = self._unfinished(conn, who, session_id)
            if r is None:
                return error(NO_ROUND, START_HINT)
            mocks.close(conn, r.session_id, "abandoned", now)
            return r.session_id

        result = await self._transaction(unit)
        if isinstance(result, Reply):
            return [result]
        return [await self.report(result)]

    async def history(self, who: Who) -> list[Reply]:
        ref = await self.service._find(who)
        if ref is None:
            return [views.history([], "UTC")]
        rounds = await self.service.db.run(lambda c: mocks.history(c, ref.user_pk, limit=20))
        return [views.history(rounds, ref.timezone)]


def _timezone(conn: sqlite3.Connection, user_pk: int) -> str:
    row = conn.execute(
        "SELECT t.timezone FROM users u JOIN teams t ON t.id = u.team_id WHERE u.id = ?",
        (user_pk,),
    ).fetchone()
    return row[0] if row else "UTC"
