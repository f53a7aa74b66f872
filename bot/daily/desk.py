"""The daily question's commands and answers: `schedule ...`, `daily`, and the buttons and
written answers on a daily post. PracticeService hands these over; the engine runs the jobs.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import sqlite3
from collections.abc import Callable
from datetime import datetime, time

from bot import commands as cmd
from bot import sr
from bot.bank import ChoiceQuestion, Difficulty, OpenQuestion, QuestionBank, QuestionModel
from bot.clock import Clock
from bot.daily import store as ds
from bot.daily import views as dv
from bot.daily.chooser import eligible
from bot.daily.engine import DailyEngine
from bot.daily.spec import ScheduleSpec
from bot.domain import WRITTEN_CORRECT_AT, Who, points_for
from bot.keypoints import assess
from bot.replies import Reply, error
from bot.store import Database, cards
from bot.store import practice as store
from bot.store.practice import UserRef
from bot.timeutil import from_db, local_date
from bot.views import rated
from bot.written import checked_answer

log = logging.getLogger(__name__)

Ensure = Callable[[sqlite3.Connection, Who], UserRef]
_MENTION = re.compile(r"^<#([A-Za-z0-9_.-]{1,100})(?:\|[^>]*)?>$")
_NAME = re.compile(r"^[\w.-]{1,100}$")
ADMINS_ONLY = (
    "Only admins can change the daily question (on Slack: workspace admins and owners or "
    "the users set by the bot's owner; on Discord: members with Manage Server). "
    "Anyone can type 'schedule show'."
)


def resolve_channel(text: str, who: Who) -> str | Reply:
    """'here', a platform channel mention (<#C123|name>, <#123>), or a plain name or id."""
    raw = text.strip()
    if raw.lower() in ("here", "this"):
        if who.channel_id:
            return who.channel_id
        return error("'here' works only when typed in a channel.", "Name the channel instead.")
    mention = _MENTION.match(raw)
    if mention:
        return mention.group(1)
    name = raw.lstrip("#")
    if _NAME.match(name):
        return name
    return error(
        f"'{raw[:60]}' is not a channel.",
        "Use 'here' for this channel, or mention it, e.g. #ml-study.",
    )


class _Refused(Exception):
    def __init__(self, reply: Reply) -> None:
        self.reply = reply


class DailyDesk:
    def __init__(
        self,
        db: Database,
        bank: QuestionBank,
        clock: Clock,
        ensure: Ensure,
        engine: DailyEngine | None = None,
    ) -> None:
        self.db = db
        self.bank = bank
        self.clock = clock
        self.ensure = ensure
        self.engine = engine

    async def handle(self, who: Who, command: cmd.Command) -> list[Reply]:
        try:
            match command:
                case cmd.ScheduleShow():
                    return [await self.show(who)]
                case cmd.ScheduleSet(spec=spec):
                    return [await self.set(who, spec)]
                case cmd.ScheduleOff(channel=channel):
                    return [await self.off(who, channel)]
                case cmd.ScheduleResume(channel=channel):
                    return [await self.resume(who, channel)]
                case cmd.ScheduleReveal(channel=channel, hours=hours):
                    return [await self.reveal_after(who, channel, hours)]
                case cmd.ScheduleRecap(channel=channel, weekday=weekday, at=at):
                    return [await self.recap_at(who, channel, weekday, at)]
                case cmd.Daily():
                    return await self.show_today(who)
                case cmd.DailyAnswer(text=text):
                    post, _zone = await self._latest(who)
                    return await self.answer_written(who, post.id, text)
        except _Refused as refused:
            return [refused.reply]
        raise ValueError(f"not a daily command: {command!r}")  # pragma: no cover

    # --- schedule commands ------------------------------------------------------------

    def _admin(self, who: Who) -> None:
        if not who.is_admin:
            raise _Refused(error(ADMINS_ONLY))

    def _channel(self, who: Who, text: str) -> str:
        resolved = resolve_channel(text, who)
        if isinstance(resolved, Reply):
            raise _Refused(resolved)
        return resolved

    def _topics(self, names: tuple[str, ...]) -> tuple[str, ...]:
        known = self.bank.topic_ids()
        out = []
        for name in names:
            matches = [t for t in known if t == name] or [t for t in known if t.startswith(name)]
            if len(matches) != 1:
                raise _Refused(
                    error(
                        f"There is no topic '{name}'.",
                        f"Topics: {', '.join(known)}, or all. Separate several with commas.",
                    )
                )
            out.append(matches[0])
        return tuple(dict.fromkeys(out))

    async def _admin_target(self, who: Who, channel_text: str) -> ds.Schedule:
        """An admin's command on an existing schedule: the schedule, or a refusal."""
        self._admin(who)
        channel = self._channel(who, channel_text)

        def read(conn: sqlite3.Connection):
            team_pk = self.ensure(conn, who).team_pk
            return ds.find_schedule(conn, team_pk, channel), ds.team_schedules(conn, team_pk)

        schedule, every = await self.db.transaction(read)
        if schedule is None:
            have = ", ".join(f"#{s.channel_id}" for s in every) or "none yet"
            raise _Refused(
                error(
                    f"#{channel} has no daily question schedule (channels with one: {have}).",
                    "Set one with: schedule set <channel> <HH:MM> <time zone>",
                )
            )
        return schedule

    async def _change(self, schedule: ds.Schedule, **columns: object) -> ds.Schedule:
        """Store a change to a schedule and bring its jobs in line; the schedule after it."""
        now = self.clock.now()
        await self.db.transaction(lambda c: ds.update_schedule(c, schedule.id, now, **columns))
        changed = await self._sync(schedule.id)
        assert changed is not None
        return changed

    async def set(self, who: Who, spec: ScheduleSpec) -> Reply:
        self._admin(who)
        channel = self._channel(who, spec.channel_id)
        topics = self._topics(spec.topics)
        spec = dataclasses.replace(spec, channel_id=channel, topics=topics)
        if not eligible(self.bank, topics, None) or (
            spec.difficulty not in (None, "mixed")
            and not eligible(self.bank, topics, Difficulty(spec.difficulty))
        ):
            where = ", ".join(topics) if topics else "the bank"
            raise _Refused(
                error(
                    f"No {spec.difficulty} questions in {where}.",
                    "Choose another difficulty, 'mixed', or leave the difficulty out.",
                )
            )
        if self.engine is not None:
            problem = await self.engine.check_channel(who.platform, who.team_id, channel)
            if problem:
                raise _Refused(error(f"I can't post in #{channel}: {problem}."))
        now = self.clock.now()

        def save(conn: sqlite3.Connection) -> int:
            ref = self.ensure(conn, who)
            return ds.upsert_schedule(conn, ref.team_pk, spec, who.user_id, now)

        schedule_id = await self.db.transaction(save)
        schedule = await self._sync(schedule_id)
        assert schedule is not None
        return Reply(
            f"Daily question for #{channel}: {schedule.hhmm} {schedule.timezone}, "
            f"{dv.days_label(schedule.weekdays)}; "
            f"{', '.join(topics) if topics else 'all topics'}, "
            f"difficulty {schedule.difficulty or 'any'}.\n"
            f"Next post: {self._next(schedule)}. "
            f"Answers are revealed {dv.reveal_rule(schedule)}.",
            title="Schedule saved",
            tone="success",
        )

    async def _sync(self, schedule_id: int) -> ds.Schedule | None:
        if self.engine is not None:
            return await self.engine.sync(schedule_id)
        return await self.db.run(lambda c: ds.get_schedule(c, schedule_id))

    def _next(self, schedule: ds.Schedule) -> str:
        if self.engine is None or not schedule.active:
            return "not planned (the scheduler is not running here)"
        moment = self.engine.next_post(schedule)
        return dv.when(moment, schedule.timezone) if moment else "none"

    async def show(self, who: Who) -> Reply:
        def read(conn: sqlite3.Connection):
            return ds.team_schedules(conn, self.ensure(conn, who).team_pk)

        schedules = await self.db.transaction(read)
        return dv.schedules([dv.schedule_line(s, self._next(s)) for s in schedules])

    async def off(self, who: Who, channel_text: str) -> Reply:
        schedule = await self._change(await self._admin_target(who, channel_text), enabled=0)
        return Reply(
            f"The daily question in #{schedule.channel_id} is off. Its history is kept; "
            f"'schedule set {schedule.channel_id} ...' turns it back on.",
            tone="success",
        )

    async def resume(self, who: Who, channel_text: str) -> Reply:
        schedule = await self._admin_target(who, channel_text)
        if not schedule.enabled:
            raise _Refused(
                error(
                    f"The daily question in #{schedule.channel_id} is off, not paused.",
                    f"Turn it on with: schedule set {schedule.channel_id} <HH:MM> <time zone>",
                )
            )
        if schedule.paused_reason is None:
            return Reply(f"The daily question in #{schedule.channel_id} is already running.")
        if self.engine is not None:
            problem = await self.engine.check_channel(
                who.platform, who.team_id, schedule.channel_id
            )
            if problem:
                raise _Refused(error(f"I still can't post in #{schedule.channel_id}: {problem}."))
        resumed = await self._change(schedule, paused_reason=None)
        return Reply(
            f"Resumed the daily question in #{schedule.channel_id}. "
            f"Next post: {self._next(resumed)}.",
            tone="success",
        )

    async def reveal_after(self, who: Who, channel_text: str, hours: int | None) -> Reply:
        schedule = await self._admin_target(who, channel_text)
        changed = await self._change(schedule, reveal_after_hours=hours)
        return Reply(
            f"From the next post, answers in #{changed.channel_id} are revealed "
            f"{dv.reveal_rule(changed)}.",
            tone="success",
        )

    async def recap_at(
        self, who: Who, channel_text: str, weekday: str | None, at: time | None
    ) -> Reply:
        schedule = await self._change(
            await self._admin_target(who, channel_text),
            recap_weekday=weekday,
            recap_time=at.strftime("%H:%M") if at else None,
        )
        if weekday is None:
            return Reply(f"The weekly recap in #{schedule.channel_id} is off.", tone="success")
        return Reply(
            f"Weekly recap in #{schedule.channel_id}: {dv.WEEKDAY_NAMES[weekday]}s at "
            f"{at:%H:%M} {schedule.timezone} (the schedule's time zone).",
            tone="success",
        )

    # --- the daily post -------------------------------------------------------------

    async def _latest(self, who: Who) -> tuple[ds.Post, str]:
        """The channel's newest answerable post and the time zone of its schedule."""
        if not who.channel_id:
            raise _Refused(error("Type 'daily' in the channel that has the daily question."))
        channel = who.channel_id

        now = self.clock.now()

        def read(conn: sqlite3.Connection):
            ref = self.ensure(conn, who)
            schedule = ds.find_schedule(conn, ref.team_pk, channel)
            timezone = schedule.timezone if schedule else ref.timezone
            post = ds.latest_post(conn, ref.team_pk, channel, local_date(now, timezone))
            return post, timezone

        post, timezone = await self.db.transaction(read)
        if post is None:
            raise _Refused(
                error(
                    f"No daily question has been posted in this channel in the last "
                    f"{ds.LATEST_DAYS} days.",
                    "Type 'schedule show' to see when one is planned.",
                )
            )
        return post, timezone

    async def show_today(self, who: Who) -> list[Reply]:
        post, timezone = await self._latest(who)
        q = self.bank.get(post.question_id)
        if q is None:
            return [error("That daily question was removed from the bank.")]
        if post.revealed_at is not None:
            note = "already revealed: you can still answer for feedback, without points"
        elif post.reveal_at is not None:
            note = dv.when(from_db(post.reveal_at), timezone)
        else:
            note = "later"
        reply = dv.daily_post(self.bank, q, post.id, post.local_date, note)
        return [dataclasses.replace(reply, ephemeral=True)]

    async def answer_choice(self, who: Who, post_id: int, choice: int) -> list[Reply]:
        now = self.clock.now()

        def unit(conn: sqlite3.Connection):
            opened = self._open(conn, who, post_id)
            if isinstance(opened, Reply):
                return opened
            ref, post, q, earlier = opened
            if not isinstance(q, ChoiceQuestion) or not 0 <= choice < len(q.options):
                return error("That is not one of this question's options.")
            if earlier is not None:
                return dv.already_answered(q, earlier[0], bool(earlier[1]))
            right = choice == q.correct_index
            points = points_for(q.difficulty) if right else 0
            recorded = _record(conn, ref, post, q, now, right, points, choice=choice)
            cards.review(conn, ref.user_pk, q.id, sr.choice_rating(right), "daily", now)
            return dv.choice_result(q, choice, recorded, post.revealed_at is not None)

        return [await self._write(unit)]

    async def answer_written(self, who: Who, post_id: int, text: str) -> list[Reply]:
        checked = checked_answer(
            text,
            empty_hint="Write your answer, then send it.",
            long_hint="Shorten it and send it again.",
        )
        if isinstance(checked, Reply):
            return [checked]
        text = checked
        post = await self.db.run(lambda c: ds.get_post(c, post_id))
        peek = self.bank.get(post.question_id) if post else None
        # Key-point matching is the CPU-heavy part: do it before taking the database turn.
        coverage = (
            assess(text, peek.key_points, peek.misconceptions)
            if isinstance(peek, OpenQuestion)
            else None
        )
        now = self.clock.now()

        def unit(conn: sqlite3.Connection):
            opened = self._open(conn, who, post_id)
            if isinstance(opened, Reply):
                return opened
            ref, post, q, earlier = opened
            if not isinstance(q, OpenQuestion) or coverage is None:
                return error("This question takes a choice: press one of its buttons.")
            if earlier is not None:
                return dv.already_answered(q, None, bool(earlier[1]))
            right = coverage.fraction >= WRITTEN_CORRECT_AT
            points = points_for(q.difficulty, coverage.fraction)
            recorded = _record(
                conn, ref, post, q, now, right, points, text=text, coverage=coverage.fraction
            )
            return dv.written_result(q, coverage, recorded, post.revealed_at is not None, post.id)

        return [await self._write(unit)]

    async def rate(self, who: Who, post_id: int, rating: int) -> list[Reply]:
        """The self-rating after a written daily answer: one review of the person's card."""
        if rating not in sr.RATING_NAMES:
            return [error("Ratings are Again, Hard, Good or Easy.")]
        now = self.clock.now()

        def unit(conn: sqlite3.Connection):
            opened = self._open(conn, who, post_id)
            if isinstance(opened, Reply):
                return opened
            ref, _post, q, _earlier = opened
            row = conn.execute(
                "SELECT id, self_rating FROM attempts WHERE daily_post_id = ? AND user_id = ?"
                " AND answer_text IS NOT NULL",
                (post_id, ref.user_pk),
            ).fetchone()
            if row is None:
                return error("Answer the daily question in writing first, then rate it.")
            if row[1] is not None:
                return Reply(f"You already rated this one {sr.RATING_NAMES[row[1]]}.")
            due = cards.review(conn, ref.user_pk, q.id, rating, "daily", now)
            conn.execute("UPDATE attempts SET self_rating = ? WHERE id = ?", (rating, row[0]))
            return rated(rating, sr.describe_interval(now, due))

        return [await self._write(unit)]

    def _open(self, conn: sqlite3.Connection, who: Who, post_id: int):
        ref = self.ensure(conn, who)
        post = ds.get_post(conn, post_id)
        if post is None or post.team_pk != ref.team_pk:
            return error("That daily question is not available here.", "Type 'daily' for today's.")
        if post.status not in ("posted", "in_doubt"):
            return error("That daily question was never posted, so it cannot be answered.")
        q = self.bank.get(post.question_id)
        if q is None:
            return error("That daily question was removed from the bank.")
        earlier = conn.execute(
            "SELECT choice, correct FROM attempts WHERE daily_post_id = ? AND user_id = ?",
            (post.id, ref.user_pk),
        ).fetchone()
        return ref, post, q, earlier

    async def _write(self, unit) -> Reply:
        try:
            return await self.db.transaction(unit)
        except sqlite3.IntegrityError as exc:
            # Two clicks raced past the check above; the schema kept the first.
            log.info("duplicate daily answer refused by the schema: %s", exc)
            return Reply("You already answered this one. Only your first answer counts.")


def _record(
    conn: sqlite3.Connection,
    ref: UserRef,
    post: ds.Post,
    q: QuestionModel,
    now: datetime,
    correct: bool,
    points: int,
    *,
    choice: int | None = None,
    text: str | None = None,
    coverage: float | None = None,
) -> store.Recorded:
    """One person's answer to a daily post: scored once per post, and not at all once the
    answer is revealed (it still counts for the streak)."""
    return store.record_attempt(
        conn,
        ref,
        question_id=q.id,
        topic=q.topic or "",
        source="daily",
        scope=f"daily:{post.id}",
        correct=correct,
        points_if_first=points,
        now=now,
        day=local_date(now, ref.timezone),
        choice=choice,
        text=text,
        coverage=coverage,
        daily_post_id=post.id,
        scored=post.revealed_at is None,
    )
