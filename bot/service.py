"""PracticeService: every user-visible action, as one async method returning replies."""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process

from bot import charts, practice, sr, views
from bot import commands as cmd
from bot.bank import ChoiceQuestion, Difficulty, OpenQuestion, QuestionBank, QuestionModel
from bot.clock import Clock
from bot.daily.desk import DailyDesk
from bot.daily.engine import DailyEngine
from bot.domain import WRITTEN_CORRECT_AT, Who, points_for
from bot.home import Home, home_channel, todays_question, weakest_topics
from bot.keypoints import assess
from bot.leaderboard import Period, period_key
from bot.mock_desk import MockDesk
from bot.mydata import MyData
from bot.replies import Attachment, Reply, error
from bot.sr import describe_interval
from bot.store import Database, cards, reads
from bot.store import practice as store
from bot.store.practice import Session, UserRef
from bot.streaks import StreakState, as_of
from bot.timeutil import local_date, zone
from bot.written import checked_answer

log = logging.getLogger(__name__)

USER_CACHE_SIZE = 50_000
TEAM_WEEKS = 4  # 'stats team' looks at this many weeks, this one included


@dataclass(frozen=True)
class _Stale:
    message: str


STALE = _Stale("That question is no longer open. Type 'quiz' to start a new round.")
NOT_YOURS = _Stale("That quiz belongs to someone else. Type 'quiz' to start your own.")
RATE_FIRST = _Stale("Rate your last answer first (again, hard, good or easy), or type 'skip'.")
NOTHING_TO_RATE = _Stale("There is nothing to rate yet: answer the question first.")


class PracticeService:
    def __init__(
        self,
        db: Database,
        bank: QuestionBank,
        clock: Clock,
        *,
        default_timezone: str = "UTC",
        rng: random.Random | None = None,
        command_prefix: str = "",
        engine: DailyEngine | None = None,
    ) -> None:
        zone(default_timezone)  # fail early on a bad zone
        self.db = db
        self.bank = bank
        self.clock = clock
        self.default_timezone = default_timezone
        self.rng = rng or random.Random()
        self.command_prefix = command_prefix
        # (platform, team, user) -> (row ids and team time zone, display name last written).
        # Code that changes a team's time zone must clear this.
        self._users: dict[tuple[str, str, str], tuple[UserRef, str]] = {}
        self.daily = DailyDesk(db, bank, clock, self._ensure, engine)
        self.mock = MockDesk(self)
        self.mydata = MyData(self)

    def attach_engine(self, engine: DailyEngine) -> None:
        """Give schedule commands the running engine, so changes reach its jobs at once."""
        self.daily.engine = engine

    # --- entry points used by adapters ---------------------------------------

    async def handle_text(self, who: Who, text: str) -> list[Reply]:
        parsed = cmd.parse(text)
        match parsed:
            case cmd.UsageError(unknown_command=True):
                return [error(parsed.message, "Here is what you can type:"), self.help()]
            case cmd.UsageError():
                hint = f"Usage: {self.command_prefix}{parsed.usage}" if parsed.usage else None
                return [error(parsed.message, hint)]
            case cmd.Help(topic=topic):
                return [self.help(topic)]
            case cmd.Quiz(topic=topic, difficulty=difficulty, count=count):
                return await self.start_quiz(who, topic, difficulty, count)
            case cmd.Practice(topic=topic):
                return await self.start_practice(who, topic)
            case cmd.Mock(kind=kind):
                return await self.mock.start(who, kind)
            case cmd.MockResume():
                return await self.mock.resume(who)
            case cmd.MockAbandon():
                return await self.mock.abandon(who)
            case cmd.MockHistory():
                return await self.mock.history(who)
            case cmd.Answer(text=answer):
                return await self._on_active(
                    who, lambda s: self.answer_written(who, s.id, s.position, answer)
                )
            case cmd.Rate(rating=rating):
                return await self._on_active(
                    who, lambda s: self.rate(who, s.id, s.position, rating)
                )
            case cmd.Skip():
                return await self._on_active(who, lambda s: self.skip(who, s.id, s.position))
            case cmd.Stop():
                return await self.stop(who)
            case cmd.Leaderboard(period=period):
                return [await self.leaderboard(who, period)]
            case cmd.StreakCmd():
                return [await self.streak(who)]
            case cmd.Stats():
                return [await self.stats(who)]
            case cmd.MeExport():
                return await self.mydata.export(who)
            case cmd.MeDelete(code=code):
                return await self.mydata.delete(who, code)
            case cmd.StatsTeam():
                return [await self.team_stats(who)]
            case cmd.Topics():
                return [views.topics(self.bank)]
            case (
                cmd.ScheduleSet()
                | cmd.ScheduleShow()
                | cmd.ScheduleOff()
                | cmd.ScheduleResume()
                | cmd.ScheduleReveal()
                | cmd.ScheduleRecap()
                | cmd.Daily()
                | cmd.DailyAnswer()
            ):
                return await self.daily.handle(who, parsed)
        return [self.help()]  # pragma: no cover - every command is matched above

    async def handle_action(self, who: Who, action_id: str, text: str | None = None) -> list[Reply]:
        """A button press or a submitted text field, by its action id."""
        kind, *parts = action_id.split(":")
        try:
            numbers = [int(p) for p in parts]
        except ValueError:
            numbers = []
        if kind == "qa" and len(numbers) == 3:
            return await self.answer_choice(who, *numbers)
        if kind == "qw" and len(numbers) == 2:
            return await self.answer_written(who, *numbers, text or "")
        if kind == "qr" and len(numbers) == 3:
            return await self.rate(who, *numbers)
        if kind == "qs" and len(numbers) == 2:
            return await self.skip(who, *numbers)
        if kind == "mr" and len(numbers) == 1:
            return await self.mock.resume(who, numbers[0])
        if kind == "mx" and len(numbers) == 1:
            return await self.mock.abandon(who, numbers[0])
        if kind == "xd" and len(numbers) == 1:
            return await self.mydata.delete(who, parts[0])
        if kind == "xk":
            return self.mydata.keep(who)
        if kind == "da" and len(numbers) == 2:
            return await self.daily.answer_choice(who, *numbers)
        if kind == "dw" and len(numbers) == 1:
            return await self.daily.answer_written(who, numbers[0], text or "")
        if kind == "dr" and len(numbers) == 2:
            return await self.daily.rate(who, *numbers)
        log.info("unknown action id %r", action_id[:80])
        return [
            error(
                "That button is from an older version of the bot.",
                "Type 'help' to see the commands.",
            )
        ]

    async def _on_active(
        self, who: Who, then: Callable[[Session], Awaitable[list[Reply]]]
    ) -> list[Reply]:
        ref = await self._find(who)
        session = await self.db.run(lambda c: store.active_session(c, ref.user_pk)) if ref else None
        if session is None:
            return [error("You have no quiz in progress.", "Start one with: quiz [topic]")]
        return await then(session)

    # --- quiz -----------------------------------------------------------------

    def resolve_topic(self, name: str) -> str | Reply:
        topics = self.bank.topic_ids()
        if name in topics:
            return name
        starts = [t for t in topics if t.startswith(name)]
        if len(starts) == 1:
            return starts[0]
        guess = process.extractOne(name, topics, scorer=fuzz.ratio, score_cutoff=60)
        hint = f"Did you mean '{guess[0]}'? " if guess else ""
        return error(
            f"There is no topic '{name}'. {hint}Topics: {', '.join(topics)}.",
            f"Try: {self.command_prefix}quiz {guess[0] if guess else topics[0]}",
        )

    async def start_quiz(
        self, who: Who, topic: str | None, difficulty: Difficulty | None, count: int
    ) -> list[Reply]:
        if topic is not None:
            resolved = self.resolve_topic(topic)
            if isinstance(resolved, Reply):
                return [resolved]
            topic = resolved
        pool = self.bank.select(topic, difficulty)
        if not pool:
            have = sorted({q.difficulty.value for q in self.bank.select(topic)})
            where = f"in {topic}" if topic else "in the bank"
            return [
                error(
                    f"No {difficulty.value if difficulty else ''} questions {where}.".replace(
                        "  ", " "
                    ),
                    f"Difficulties available {where}: {', '.join(have) or 'none'}.",
                )
            ]
        now = self.clock.now()

        def unit(conn: sqlite3.Connection) -> tuple[Session, Session | None]:
            ref = self._ensure(conn, who)
            seen = store.seen_question_ids(conn, ref.user_pk)
            fresh = [q.id for q in pool if q.id not in seen]
            old = [q.id for q in pool if q.id in seen]
            self.rng.shuffle(fresh)
            self.rng.shuffle(old)
            chosen = (fresh + old)[:count]  # unseen questions first
            level = difficulty.value if difficulty else None
            return self._begin(conn, ref, chosen, topic, level, now, "quiz")

        session, previous = await self.db.transaction(unit)
        replies: list[Reply] = []
        notes = []
        if previous is not None:
            notes.append(views.replaced_note(previous))
        if len(pool) < count:
            match = "1 question matches" if len(pool) == 1 else f"{len(pool)} questions match"
            notes.append(f"Only {match}, so this quiz has {len(pool)}.")
        if notes:
            replies.append(Reply(" ".join(notes)))
        replies.append(self._question_reply(session))
        return replies

    def _question_reply(self, session: Session) -> Reply:
        qid = session.current_question_id
        q = self.bank.get(qid) if qid else None
        if q is None:
            return Reply(
                "This question was removed from the bank. Type 'skip' to move on.", tone="error"
            )
        return views.question(self.bank, q, session, session.position)

    async def start_practice(self, who: Who, topic: str | None) -> list[Reply]:
        """Spaced repetition: due reviews first, then new questions from weak topics."""
        if topic is not None:
            resolved = self.resolve_topic(topic)
            if isinstance(resolved, Reply):
                return [resolved]
            topic = resolved
        now = self.clock.now()

        def unit(conn: sqlite3.Connection):
            ref = self._ensure(conn, who)
            due = cards.due_question_ids(conn, ref.user_pk, now, limit=500)
            chosen = practice.plan(
                self.bank,
                due,
                cards.carded_question_ids(conn, ref.user_pk),
                reads.topic_rows(conn, ref.user_pk),
                topic,
                self.rng,
            )
            if not chosen.question_ids:
                return chosen, None, cards.upcoming(conn, ref.user_pk, now)
            opened = self._begin(conn, ref, chosen.question_ids, topic, None, now, "practice")
            return chosen, opened, None

        chosen, opened, ahead = await self._transaction(unit)
        if opened is None:
            return [views.nothing_to_practise(topic, ahead, now)]
        session, previous = opened
        intro = views.practice_intro(
            self.bank, chosen, views.replaced_note(previous) if previous else None
        )
        return [intro, self._question_reply(session)]

    def _begin(
        self,
        conn: sqlite3.Connection,
        ref: UserRef,
        question_ids: list[str],
        topic: str | None,
        difficulty: str | None,
        now: datetime,
        mode: str,
    ) -> tuple[Session, Session | None]:
        """A new round (closing any open one, which is returned): its first question is
        marked seen."""
        previous = store.close_active(conn, ref.user_pk, now, "abandoned")
        self.mock.pause_if_mock(conn, previous, now)
        sid = store.create_session(conn, ref.user_pk, question_ids, topic, difficulty, now, mode)
        store.mark_seen(conn, ref.user_pk, question_ids[0], now)
        session = store.get_session(conn, sid)
        assert session is not None
        return session, previous

    def _next(self, session: Session, conn: sqlite3.Connection) -> None:
        qid = session.current_question_id
        if qid:
            store.mark_seen(conn, session.user_pk, qid, self.clock.now())

    async def _after(self, session: Session) -> Reply:
        if session.status == "active":
            return self._question_reply(session)
        return await self._summary(session)

    async def _summary(self, session: Session, stopped: bool = False) -> Reply:
        if session.mode != "practice":
            return views.quiz_summary(self.bank, session, stopped)
        now = self.clock.now()
        ahead = await self.db.run(lambda c: cards.upcoming(c, session.user_pk, now))
        return views.practice_summary(session, ahead, now, stopped)

    def _open_slot(
        self, conn: sqlite3.Connection, who: Who, session_id: int, slot: int, awaiting: str
    ) -> tuple[UserRef, Session, QuestionModel] | _Stale:
        ref = self._ensure(conn, who)
        session = store.get_session(conn, session_id)
        if session is None:
            return STALE
        if session.user_pk != ref.user_pk:
            return NOT_YOURS
        if session.status != "active" or session.position != slot:
            return STALE
        if session.awaiting != awaiting:
            return RATE_FIRST if session.awaiting == "rating" else NOTHING_TO_RATE
        q = self.bank.get(session.question_ids[slot])
        if q is None:
            return _Stale("This question was removed from the bank. Type 'skip' to move on.")
        return ref, session, q

    async def answer_choice(self, who: Who, session_id: int, slot: int, choice: int) -> list[Reply]:
        now = self.clock.now()

        def unit(conn: sqlite3.Connection):
            opened = self._open_slot(conn, who, session_id, slot, "answer")
            if isinstance(opened, _Stale):
                return opened
            ref, session, q = opened
            if not isinstance(q, ChoiceQuestion) or not 0 <= choice < len(q.options):
                return _Stale("That is not one of this question's options.")
            right = choice == q.correct_index
            recorded = store.record_attempt(
                conn,
                ref,
                question_id=q.id,
                topic=q.topic or "",
                source=session.mode,
                scope=store.PRACTICE_SCOPE,
                correct=right,
                points_if_first=points_for(q.difficulty) if right else 0,
                now=now,
                day=local_date(now, ref.timezone),
                choice=choice,
                session_id=session.id,
                slot=slot,
            )
            cards.review(conn, ref.user_pk, q.id, sr.choice_rating(right), session.mode, now)
            session = store.update_session(
                conn,
                session,
                now,
                position=slot + 1,
                answered=1,
                correct=int(right),
                points=recorded.points,
            )
            self._next(session, conn)
            return q, recorded, session

        result = await self._transaction(unit)
        if isinstance(result, _Stale):
            return [error(result.message)]
        q, recorded, session = result
        return [views.choice_feedback(q, choice, recorded), await self._after(session)]

    async def answer_written(self, who: Who, session_id: int, slot: int, text: str) -> list[Reply]:
        checked = checked_answer(
            text,
            empty_hint="Type your answer (one line), or 'skip' to move on.",
            long_hint="Shorten it and send it again; tight answers land better in interviews.",
        )
        if isinstance(checked, Reply):
            return [checked]
        text = checked
        now = self.clock.now()
        # Key-point matching is the CPU-heavy part: do it before taking the database turn.
        peek = self.bank.get(await self._slot_question_id(session_id, slot) or "")
        coverage = (
            assess(text, peek.key_points, peek.misconceptions)
            if isinstance(peek, OpenQuestion)
            else None
        )

        def unit(conn: sqlite3.Connection):
            opened = self._open_slot(conn, who, session_id, slot, "answer")
            if isinstance(opened, _Stale):
                return opened
            ref, session, q = opened
            if not isinstance(q, OpenQuestion) or coverage is None or q.id != peek.id:
                return _Stale("This question takes a choice, not a written answer.")
            right = coverage.fraction >= WRITTEN_CORRECT_AT
            recorded = store.record_attempt(
                conn,
                ref,
                question_id=q.id,
                topic=q.topic or "",
                source=session.mode,
                scope=store.PRACTICE_SCOPE,
                correct=right,
                points_if_first=points_for(q.difficulty, coverage.fraction),
                now=now,
                day=local_date(now, ref.timezone),
                text=text,
                coverage=coverage.fraction,
                session_id=session.id,
                slot=slot,
            )
            mock = session.mode == "mock"  # a mock round moves on; feedback comes at the end
            session = store.update_session(
                conn,
                session,
                now,
                position=slot + 1 if mock else slot,
                awaiting="answer" if mock else "rating",
                answered=1,
                correct=int(right),
                points=recorded.points,
            )
            if mock:
                self.mock.settle(conn, session, slot, "answered", now)
                self._next(session, conn)
            return q, recorded, session

        result = await self._transaction(unit)
        if isinstance(result, _Stale):
            return [error(result.message)]
        q, recorded, session = result
        assert coverage is not None
        if session.mode == "mock":
            return await self.mock.after_move(session, slot, "answered")
        return [views.written_feedback(q, coverage, recorded, session, slot)]

    async def _slot_question_id(self, session_id: int, slot: int) -> str | None:
        session = await self.db.run(lambda c: store.get_session(c, session_id))
        if session is None or not 0 <= slot < session.total:
            return None
        return session.question_ids[slot]

    async def rate(self, who: Who, session_id: int, slot: int, rating: int) -> list[Reply]:
        if rating not in (1, 2, 3, 4):
            return [error("Ratings are Again, Hard, Good or Easy.")]
        now = self.clock.now()

        def unit(conn: sqlite3.Connection):
            opened = self._open_slot(conn, who, session_id, slot, "rating")
            if isinstance(opened, _Stale):
                return opened
            ref, session, q = opened
            due = cards.review(conn, ref.user_pk, q.id, rating, session.mode, now)
            conn.execute(
                "UPDATE attempts SET self_rating = ? WHERE session_id = ? AND slot = ?",
                (rating, session.id, slot),
            )
            session = store.update_session(conn, session, now, position=slot + 1)
            self._next(session, conn)
            return due, session

        result = await self._transaction(unit)
        if isinstance(result, _Stale):
            return [error(result.message)]
        due, session = result
        return [views.rated(rating, describe_interval(now, due)), await self._after(session)]

    async def skip(self, who: Who, session_id: int, slot: int) -> list[Reply]:
        now = self.clock.now()

        def unit(conn: sqlite3.Connection):
            # Skipping works at either step: the question, or the rating after it.
            opened = self._open_slot(conn, who, session_id, slot, "answer")
            if opened is RATE_FIRST:
                opened = self._open_slot(conn, who, session_id, slot, "rating")
            if isinstance(opened, _Stale):
                return opened
            _ref, session, _q = opened
            session = store.update_session(conn, session, now, position=slot + 1)
            if session.mode == "mock":
                self.mock.settle(conn, session, slot, "skipped", now)
            self._next(session, conn)
            return session

        result = await self._transaction(unit)
        if isinstance(result, _Stale):
            return [error(result.message)]
        if result.mode == "mock":
            return await self.mock.after_move(result, slot, "skipped")
        return [Reply("Skipped."), await self._after(result)]

    async def stop(self, who: Who) -> list[Reply]:
        ref = await self._find(who)
        now = self.clock.now()

        def unit(conn: sqlite3.Connection) -> Reply | Session | None:
            assert ref is not None
            paused = self.mock.pause_active(conn, ref, now)
            return paused or store.close_active(conn, ref.user_pk, now, "finished")

        closed = await self.db.transaction(unit) if ref else None
        if isinstance(closed, Reply):
            return [closed]
        if closed is None:
            return [error("You have no quiz in progress.", "Start one with: quiz [topic]")]
        return [await self._summary(closed, stopped=True)]

    # --- progress -------------------------------------------------------------

    async def leaderboard(self, who: Who, period: Period = Period.WEEK) -> Reply:
        ref = await self._find(who)
        team = await self.db.fetchone(
            "SELECT id, timezone FROM teams WHERE platform = ? AND external_id = ?",
            (who.platform, who.team_id),
        )
        tz = team[1] if team else self.default_timezone
        today = local_date(self.clock.now(), tz)
        key = period_key(period, today)
        span = {
            Period.WEEK: f"Week starting Monday {key} ({tz})",
            Period.MONTH: f"{today:%B %Y} ({tz})",
            Period.ALL: "All time",
        }[period]
        if team is None:
            return views.leaderboard(period, span, [], None, None)
        standings = await reads.top(self.db, team[0], period, key)
        me = await reads.standing_of(self.db, team[0], ref.user_pk, period, key) if ref else None
        return views.leaderboard(period, span, standings, me, ref.user_pk if ref else None)

    async def streak(self, who: Who) -> Reply:
        ref = await self._find(who)
        if ref is None:
            return views.streak(store.StreakState())
        state = await self.db.run(lambda c: store.load_streak(c, ref.user_pk))
        return views.streak(as_of(state, local_date(self.clock.now(), ref.timezone)))

    async def stats(self, who: Who) -> Reply:
        ref = await self._find(who)
        if ref is None:
            return views.stats(self.bank, [], 0)
        rows = await reads.topic_stats(self.db, ref.user_pk)
        total = await self.db.run(lambda c: reads.all_time_points(c, ref.team_pk, ref.user_pk))
        reply = views.stats(self.bank, rows, total)
        if not rows:
            return reply
        today = local_date(self.clock.now(), ref.timezone)
        since = charts.calendar_start(today)
        per_day = await self.db.run(lambda c: reads.answers_per_day(c, ref.user_pk, since))
        data = charts.chart_data(
            who.display_name or "You",
            [(self.bank.title(r.topic), r.attempts, r.correct) for r in rows],
            per_day,
            today,
        )
        png = await asyncio.to_thread(charts.render_png, data)  # ~0.1 s of CPU: off the loop
        chart = Attachment(
            f"stats-{today.isoformat()}.png", png, "image/png", "Accuracy by topic and activity"
        )
        return replace(reply, files=(chart,))

    async def team_stats(self, who: Who) -> Reply:
        """Participation and strongest/weakest topics of the whole team (admins)."""
        if not who.is_admin:
            return error(
                "Only admins can see team stats (on Slack: workspace admins and owners; "
                "on Discord: members with Manage Server).",
                "Your own progress: stats",
            )
        team = await self.db.fetchone(
            "SELECT id, timezone FROM teams WHERE platform = ? AND external_id = ?",
            (who.platform, who.team_id),
        )
        tz = team[1] if team else self.default_timezone
        today = local_date(self.clock.now(), tz)
        monday = today - timedelta(days=today.weekday())
        starts = [monday - timedelta(weeks=w) for w in range(TEAM_WEEKS - 1, -1, -1)]
        if team is None:
            return views.team_stats(self.bank, reads.TeamActivity(0, 0, [], 0, 0, []), TEAM_WEEKS)
        activity = await self.db.run(lambda c: reads.team_activity(c, team[0], starts))
        return views.team_stats(self.bank, activity, TEAM_WEEKS)

    async def home(self, who: Who) -> Home:
        """Streak, points, weakest topics and today's daily question, for a home screen."""
        ref = await self._find(who)
        if ref is None:
            return Home(StreakState(), 0, [], None)
        now = self.clock.now()
        rows = await reads.topic_stats(self.db, ref.user_pk)

        def read(conn: sqlite3.Connection):
            streak = as_of(store.load_streak(conn, ref.user_pk), local_date(now, ref.timezone))
            total = reads.all_time_points(conn, ref.team_pk, ref.user_pk)
            channel = home_channel(conn, ref)
            today = todays_question(conn, self.bank, ref, now, channel) if channel else None
            return streak, total, today

        streak, points, today = await self.db.run(read)
        return Home(streak, points, weakest_topics(rows), today)

    def help(self, command: str | None = None) -> Reply:
        return views.help_text(command, self.command_prefix)

    # --- helpers --------------------------------------------------------------

    def _ensure(self, conn: sqlite3.Connection, who: Who) -> UserRef:
        """The user's row ids, created on first sight. Ids never change, so they are cached;
        the row is written again only when the display name changes."""
        key = (who.platform, who.team_id, who.user_id)
        hit = self._users.get(key)
        if hit is not None and (not who.display_name or hit[1] == who.display_name):
            return hit[0]
        ref = store.ensure_user(conn, who, self.clock.now(), self.default_timezone)
        if len(self._users) >= USER_CACHE_SIZE:
            self._users.clear()
        self._users[key] = (ref, who.display_name)
        return ref

    def forget_user(self, who: Who) -> None:
        """Drop a cached user whose rows were deleted."""
        self._users.pop((who.platform, who.team_id, who.user_id), None)

    async def _find(self, who: Who) -> UserRef | None:
        hit = self._users.get((who.platform, who.team_id, who.user_id))
        if hit is not None:
            return hit[0]
        return await self.db.run(lambda c: store.find_user(c, who))

    async def _transaction(self, unit):
        """A write whose uniqueness constraint fired lost a race with an identical write
        (a double click): report it as already answered, never as a crash."""
        try:
            return await self.db.transaction(unit)
        except sqlite3.IntegrityError as exc:
            log.info("duplicate write refused by the schema: %s", exc)
            return _Stale("That answer was already recorded.")
