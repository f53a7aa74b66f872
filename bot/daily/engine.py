"""The daily-question engine: jobs per channel, exactly-once posting, reveal and recap.

Posting a daily question is a small state machine kept in daily_posts (see
migrations/0002): the claim row is inserted in the same transaction that chooses the
question, so a second run for the same channel and local date finds it and stops. The
message reference is recorded after the platform answers. A row left in 'posting' by a
crash is reported as in doubt at start-up and never sent again.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import random
import sqlite3
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from bot.bank import QuestionBank
from bot.clock import Clock
from bot.daily import store as ds
from bot.daily import views as dv
from bot.daily.chooser import NothingEligible, pick_daily
from bot.daily.jobs import Jobs
from bot.daily.port import Poster, PostFailed
from bot.daily.triggers import daily_trigger, latest_fire, next_fire, weekly_trigger
from bot.leaderboard import Period, period_key
from bot.replies import Reply
from bot.store import Database, reads
from bot.store.batch import GroupCommit
from bot.store.practice import team_timezone
from bot.timeutil import from_db, local_date, to_db, week_start

log = logging.getLogger(__name__)

DEFAULT_REVEAL = timedelta(hours=24)


@dataclass(frozen=True)
class Policy:
    grace: timedelta = timedelta(hours=1)  # a post later than this is skipped, not sent
    retry_delays: tuple[float, ...] = (10.0, 60.0, 300.0)  # seconds between tries
    lookback: timedelta = timedelta(days=1)  # how far back start-up looks for missed posts


@dataclass(frozen=True)
class Sent:
    ref: str


@dataclass(frozen=True)
class NotSent:
    reason: str
    permanent: bool  # the bot lost access: pause the schedule
    in_doubt: bool = False  # the platform may have posted it: never send it again


def _short(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__)[:300]


class DailyEngine:
    def __init__(
        self,
        db: Database,
        bank: QuestionBank,
        clock: Clock,
        posters: Mapping[str, Poster],
        *,
        jobs: Jobs | None = None,
        policy: Policy | None = None,
        rng: random.Random | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.db = db
        self.bank = bank
        self.clock = clock
        self.posters = dict(posters)
        self.jobs = jobs
        self.policy = policy or Policy()
        self.rng = rng or random.Random()
        self.sleep = sleep
        # The trigger of every daily job this engine registered, so a job run can tell
        # which slot it is for without a database read.
        self._triggers: dict[int, CronTrigger] = {}
        self.batch = GroupCommit(db)
        self._reveal_queue: list[tuple[datetime, int]] = []  # (reveal time, post), a heap
        self._reveal_wake: datetime | None = None

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(self.posters)

    # --- start-up -----------------------------------------------------------------

    async def start(self) -> None:
        """Settle what a previous run left, register every job, then catch up."""
        await self._settle_unfinished()
        schedules = await self.db.run(lambda c: ds.enabled_schedules(c, self.platforms))
        for schedule in schedules:
            self._put_jobs(schedule)
        await self._reveal_overdue({(s.team_pk, s.channel_id): s for s in schedules})
        await self._catch_up(schedules)

    async def _settle_unfinished(self) -> None:
        async def in_doubt(post: ds.Post) -> None:
            reason = "the bot stopped while posting it, so it may or may not have appeared"
            await self.db.transaction(lambda c: ds.mark_unposted(c, post.id, "in_doubt", reason))
            log.warning(
                "daily post %s (channel %s, %s) was left mid-post; reported, not re-sent",
                post.id,
                post.channel_id,
                post.local_date,
            )
            schedule = await self._schedule_of(post)
            if schedule is not None:
                await self._tell_admin(
                    schedule,
                    f"The daily question of {dv.day_label(post.local_date)} for "
                    f"#{post.channel_id} may not have been posted: {reason}. It was not sent "
                    "again, to avoid a duplicate. Type 'daily' in the channel to show it.",
                )

        for post in await self.db.run(lambda c: ds.posts_in(c, "posting")):
            if await self._ours(post):
                await in_doubt(post)
        now = self.clock.now()
        for post in await self.db.run(lambda c: ds.posts_in(c, "retry")):
            if not await self._ours(post):
                continue
            schedule = await self._schedule_of(post)
            due = from_db(post.due_at) if post.due_at else now
            if schedule is None or not schedule.active or now - due > self.policy.grace:
                await self.db.transaction(
                    lambda c, p=post: ds.mark_unposted(c, p.id, "failed", "too late to retry")
                )
                log.info("daily post %s: retry window passed while the bot was down", post.id)
            elif await self.db.transaction(lambda c, p=post: ds.start_try(c, p.id)):
                assert post.reveal_at is not None
                await self._deliver(
                    schedule,
                    post.id,
                    post.question_id,
                    post.local_date,
                    post.reveal_at,
                    post.tries + 1,
                )

    async def _ours(self, post: ds.Post) -> bool:
        row = await self.db.fetchone("SELECT platform FROM teams WHERE id = ?", (post.team_pk,))
        return row is not None and row[0] in self.posters

    async def _schedule_of(self, post: ds.Post) -> ds.Schedule | None:
        return await self.db.run(lambda c: ds.find_schedule(c, post.team_pk, post.channel_id))

    async def _catch_up(self, schedules: list[ds.Schedule]) -> None:
        """Post what fell due while the bot was down, unless it is too late (then log it).

        One read checks every channel, and the posts go out concurrently, so a restart
        with thousands of channels catches up in about the time of one daily round."""
        now = self.clock.now()
        candidates = []
        for schedule in schedules:
            if not schedule.active:
                continue
            due = latest_fire(self.trigger(schedule), now, self.policy.lookback)
            # A slot from before the schedule was set or changed was never promised.
            if due is not None and due > from_db(schedule.updated_at):
                candidates.append((schedule, due, local_date(due, schedule.timezone)))

        def missing(conn: sqlite3.Connection) -> list[int]:
            return [
                i
                for i, (s, _due, day) in enumerate(candidates)
                if ds.post_on(conn, s.team_pk, s.channel_id, day) is None
            ]

        late = []
        for i in await self.db.run(missing):
            schedule, due, day = candidates[i]
            if now - due <= self.policy.grace:
                late.append(self._post_due(schedule.id, due))
                log.info("posting the daily question for %s missed at %s", schedule.channel_id, due)
            else:
                log.info(
                    "skipped the daily question of %s for channel %s: due %s, %s late, past "
                    "the %s grace window",
                    day,
                    schedule.channel_id,
                    due.isoformat(),
                    now - due,
                    self.policy.grace,
                )
        await asyncio.gather(*late)

    async def _reveal_overdue(self, schedules: dict[tuple[int, str], ds.Schedule]) -> None:
        """Reveal what fell due while the bot was down; arrange the rest (after the daily
        jobs are registered, so a reveal the next daily run will do needs no job)."""
        now = to_db(self.clock.now())
        for post in await self.db.run(lambda c: ds.unrevealed(c, self.platforms)):
            if not post.reveal_at:
                continue
            if post.reveal_at <= now:
                await self.reveal(post.id)
            else:
                schedule = schedules.get((post.team_pk, post.channel_id))
                self._arrange_reveal(schedule, post.id, post.reveal_at)

    # --- jobs -----------------------------------------------------------------------

    def trigger(self, schedule: ds.Schedule) -> CronTrigger:
        return daily_trigger(schedule.post_time, schedule.timezone, schedule.weekdays)

    def _put_jobs(self, schedule: ds.Schedule) -> None:
        if self.jobs is None:
            return
        daily_id, recap_id = f"daily:{schedule.id}", f"recap:{schedule.id}"
        if schedule.active:
            self._triggers[schedule.id] = self.trigger(schedule)
            self.jobs.put(daily_id, self._triggers[schedule.id], self.fire, (schedule.id,))
        else:
            self._triggers.pop(schedule.id, None)
            self.jobs.remove(daily_id)
        if schedule.active and schedule.recap_weekday and schedule.recap_time:
            trigger = weekly_trigger(schedule.recap_weekday, schedule.recap_time, schedule.timezone)
            self.jobs.put(recap_id, trigger, self.recap, (schedule.id,))
        else:
            self.jobs.remove(recap_id)

    def _arrange_reveal(self, schedule: ds.Schedule | None, post_id: int, reveal_at: str) -> None:
        """Queue a reveal, unless the channel's next daily run comes exactly at the reveal
        time: that run reveals the answer before posting (the default)."""
        if self.jobs is None:
            return
        moment = from_db(reveal_at)
        trigger = self._triggers.get(schedule.id) if schedule is not None else None
        if trigger is not None and next_fire(trigger, self.clock.now()) == moment:
            return
        heapq.heappush(self._reveal_queue, (moment, post_id))
        self._wake_reveals()

    def _wake_reveals(self) -> None:
        """One 'reveals' job, due at the earliest queued reveal: a post adds a heap entry,
        not an APScheduler job. Entries are never removed: revealing twice is a no-op."""
        if self.jobs is None or not self._reveal_queue:
            return
        first = self._reveal_queue[0][0]
        if self._reveal_wake is None or first < self._reveal_wake:
            self._reveal_wake = first
            self.jobs.put("reveals", DateTrigger(run_date=first), self._reveal_due, ())

    async def _reveal_due(self) -> None:
        """The 'reveals' job: reveal everything due, then wait for the next one."""
        now = self.clock.now()
        due = []
        while self._reveal_queue and self._reveal_queue[0][0] <= now:
            due.append(heapq.heappop(self._reveal_queue)[1])
        self._reveal_wake = None
        await asyncio.gather(*(self.reveal(post_id) for post_id in dict.fromkeys(due)))
        self._wake_reveals()

    async def sync(self, schedule_id: int) -> ds.Schedule | None:
        """Re-read one schedule and replace its jobs (and its pending reveals' jobs, which
        depend on when it next runs): called after every change."""

        def read(conn: sqlite3.Connection):
            schedule = ds.get_schedule(conn, schedule_id)
            pending = (
                ds.unrevealed_in(conn, schedule.team_pk, schedule.channel_id) if schedule else []
            )
            return schedule, pending

        schedule, pending = await self.db.run(read)
        if schedule is not None and schedule.platform in self.posters:
            self._put_jobs(schedule)
            for post in pending:
                if post.reveal_at:
                    self._arrange_reveal(schedule, post.id, post.reveal_at)
        return schedule

    def next_post(self, schedule: ds.Schedule) -> datetime | None:
        return next_fire(self.trigger(schedule), self.clock.now()) if schedule.active else None

    async def check_channel(self, platform: str, team_id: str, channel_id: str) -> str | None:
        """Why the bot cannot post in a channel, or None when it can (or cannot tell)."""
        poster = self.posters.get(platform)
        if poster is None:
            return None
        try:
            await poster.check_channel(team_id, channel_id)
        except PostFailed as exc:
            return exc.reason
        return None

    # --- the daily job ----------------------------------------------------------------

    async def fire(self, schedule_id: int) -> None:
        """The cron job: post today's question in one channel. Never raises."""
        try:
            now = self.clock.now()
            trigger = self._triggers.get(schedule_id)
            if trigger is None:  # not registered here (a direct call): read the schedule
                schedule = await self.db.run(lambda c: ds.get_schedule(c, schedule_id))
                if schedule is None or not schedule.active:
                    return
                trigger = self.trigger(schedule)
            due = latest_fire(trigger, now, self.policy.grace)
            if due is None:
                log.info("daily job for schedule %s ran outside its window", schedule_id)
                return
            await self._post_due(schedule_id, due)
        except Exception:
            log.exception("daily job for schedule %s failed", schedule_id)

    async def _post_due(self, schedule_id: int, due: datetime) -> None:
        now = self.clock.now()

        def claim(conn: sqlite3.Connection):
            found = ds.schedule_and_deck(conn, schedule_id)
            if found is None:
                return None
            schedule, deck = found
            if not schedule.active or schedule.platform not in self.posters:
                return None
            day = local_date(due, schedule.timezone)
            # Reveals that are due are claimed in this same transaction (one commit fewer).
            reveals = [
                (post, ds.answer_counts(conn, post.id), schedule)
                for post in ds.claim_due_reveals(conn, schedule.team_pk, schedule.channel_id, now)
            ]
            try:
                q, deck, deck_changed = pick_daily(
                    self.bank,
                    topics=schedule.topics,
                    difficulty=schedule.difficulty,
                    local_day=day,
                    deck=deck,
                    rng=self.rng,
                )
            except NothingEligible as exc:
                return schedule, reveals, exc
            reveal_at = self._reveal_time(schedule, due)
            # The claim: the schema allows one row per channel and local date.
            post_id = ds.insert_claim(conn, schedule, day, q.id, due, reveal_at, now)
            if post_id is None:
                return schedule, reveals, None  # another run has today's post
            ds.save_deck(conn, schedule.id, deck, deck_changed)
            return schedule, reveals, (post_id, q.id, day, to_db(reveal_at), 1)

        claimed = await self.batch.transaction(claim)
        if claimed is None:
            return
        schedule, reveals, outcome = claimed
        # Yesterday's answer goes out before today's question; its reference is recorded
        # with today's post (one commit fewer).
        revealed = [(work[0].id, ref) for work in reveals if (ref := await self._send_reveal(work))]
        if isinstance(outcome, tuple):
            await self._deliver(schedule, *outcome, revealed=revealed)
            return
        await self._record_reveals(revealed)
        if isinstance(outcome, NothingEligible):
            await self._pause(schedule, "no question in the bank matches its topics and difficulty")

    async def _record_reveals(self, revealed: list[tuple[int, str]]) -> None:
        if revealed:
            await self.batch.transaction(
                lambda c: [ds.mark_revealed(c, pid, ref) for pid, ref in revealed]
            )

    def _reveal_time(self, schedule: ds.Schedule, due: datetime) -> datetime:
        if schedule.reveal_after_hours:
            return due + timedelta(hours=schedule.reveal_after_hours)
        following = next_fire(self.trigger(schedule), due)
        latest = due + DEFAULT_REVEAL
        return min(following, latest) if following else latest

    async def _deliver(
        self,
        schedule: ds.Schedule,
        post_id: int,
        question_id: str,
        day: date,
        reveal_at: str,
        tries: int,
        revealed: list[tuple[int, str]] | None = None,
    ) -> None:
        revealed = revealed or []
        q = self.bank.get(question_id)
        if q is None:
            await self._record_reveals(revealed)
            await self.db.transaction(
                lambda c: ds.mark_unposted(c, post_id, "failed", "question removed from the bank")
            )
            return
        reveal_text = dv.when(from_db(reveal_at), schedule.timezone)
        reply = dv.daily_post(self.bank, q, post_id, day, reveal_text)
        poster = self.posters[schedule.platform]

        async def before_retry(reason: str) -> None:
            await self.db.transaction(lambda c: ds.mark_unposted(c, post_id, "retry", reason))

        async def resume() -> bool:
            return await self.db.transaction(lambda c: ds.start_try(c, post_id))

        result = await self._send(
            lambda: poster.post(schedule.team_id, schedule.channel_id, reply),
            before_retry,
            resume,
            what=f"daily post {post_id}",
            first_try=tries,
        )
        now = self.clock.now()
        if isinstance(result, Sent):

            def record(conn: sqlite3.Connection) -> None:
                ds.mark_posted(conn, post_id, result.ref, now)
                for pid, ref in revealed:
                    ds.mark_revealed(conn, pid, ref)

            await self.batch.transaction(record)
            self._arrange_reveal(schedule, post_id, reveal_at)
            log.info("posted daily question %s to channel %s", question_id, schedule.channel_id)
            return
        await self._record_reveals(revealed)
        if result is None:
            return  # another run took the post over while this one waited
        status = "in_doubt" if result.in_doubt else "failed"
        await self.db.transaction(lambda c: ds.mark_unposted(c, post_id, status, result.reason))
        if result.in_doubt:
            await self._tell_admin(
                schedule,
                f"Posting the daily question in #{schedule.channel_id} ended unclearly "
                f"({result.reason}). It was not sent again, to avoid a duplicate; type 'daily' "
                "in the channel to show it.",
            )
        else:
            await self._pause(schedule, result.reason)

    async def _send(
        self,
        send: Callable[[], Awaitable[str]],
        before_retry: Callable[[str], Awaitable[None]] | None,
        resume: Callable[[], Awaitable[bool]] | None,
        *,
        what: str,
        first_try: int = 1,
    ) -> Sent | NotSent | None:
        """Send with bounded retries. None: `resume` found another run had taken over."""
        delays = self.policy.retry_delays
        attempt = max(1, first_try)
        while True:
            try:
                return Sent(await send())
            except PostFailed as exc:
                if exc.permanent:
                    log.warning("%s: the platform refused for good: %s", what, exc.reason)
                    return NotSent(exc.reason, permanent=True)
                if attempt > len(delays):
                    log.warning("%s: giving up after %d tries: %s", what, attempt, exc.reason)
                    return NotSent(
                        f"{attempt} tries failed, the last with: {exc.reason}", permanent=True
                    )
                delay = delays[attempt - 1]
                log.info("%s: try %d failed (%s); next in %ss", what, attempt, exc.reason, delay)
                if before_retry is not None:
                    await before_retry(exc.reason)
                await self.sleep(delay)
                if resume is not None and not await resume():
                    return None
                attempt += 1
            except Exception as exc:
                log.exception("%s: the send ended unclearly", what)
                return NotSent(_short(exc), permanent=False, in_doubt=True)

    # --- reveal -----------------------------------------------------------------------

    async def reveal(self, post_id: int) -> None:
        """Post the answer and how the channel did under the daily post. Never raises."""
        try:
            await self._reveal(post_id)
        except Exception:
            log.exception("reveal of daily post %s failed", post_id)

    async def _reveal(self, post_id: int) -> None:
        now = self.clock.now()
        work = await self.db.transaction(lambda c: self._claim_reveal(c, post_id, now))
        if work is not None and isinstance(ref := await self._send_reveal(work), str):
            await self._record_reveals([(post_id, ref)])

    def _claim_reveal(
        self,
        conn: sqlite3.Connection,
        post_id: int,
        now: datetime,
        schedule: ds.Schedule | None = None,
    ):
        """Inside a transaction: take the reveal of one post and count how people did.
        None when it is not due for revealing (already revealed, or never posted)."""
        post = ds.claim_reveal(conn, post_id, now)
        if post is None:
            return None
        if schedule is None:
            schedule = ds.find_schedule(conn, post.team_pk, post.channel_id)
        return post, ds.answer_counts(conn, post_id), schedule

    async def _send_reveal(self, work) -> str | NotSent | None:
        """Post a claimed reveal: its message reference, or why it was not posted."""
        post, counts, schedule = work
        q = self.bank.get(post.question_id)
        if schedule is None or q is None or schedule.platform not in self.posters:
            log.info("daily post %s: nothing to reveal it with; marked revealed", post.id)
            return None
        poster = self.posters[schedule.platform]
        reply = dv.reveal(self.bank, q, post.local_date, counts)
        assert post.message_ref is not None
        result = await self._send(
            lambda: poster.reply(schedule.team_id, schedule.channel_id, post.message_ref, reply),
            None,
            None,
            what=f"reveal of daily post {post.id}",
        )
        if isinstance(result, Sent):
            return result.ref
        if result is not None and not result.in_doubt:
            # Nothing was posted: let a later run (or the next start-up) try again.
            await self.db.transaction(lambda c: ds.release_reveal(c, post.id))
            if result.permanent and schedule.active:
                await self._pause(schedule, result.reason)
        return result

    # --- weekly recap -------------------------------------------------------------------

    async def recap(self, schedule_id: int) -> None:
        """The weekly job: top 5, longest streaks, participation. Never raises."""
        try:
            await self._recap(schedule_id)
        except Exception:
            log.exception("weekly recap for schedule %s failed", schedule_id)

    async def _recap(self, schedule_id: int) -> None:
        now = self.clock.now()

        def claim(conn: sqlite3.Connection):
            schedule = ds.get_schedule(conn, schedule_id)
            if schedule is None or not schedule.active or schedule.platform not in self.posters:
                return None
            team_tz = team_timezone(conn, schedule.team_pk)
            today = local_date(now, team_tz)
            # On a Monday the week worth recapping is the one that ended yesterday.
            week = week_start(today) - timedelta(days=7 if today.weekday() == 0 else 0)
            recap_id = ds.claim_recap(conn, schedule.id, week, now)
            if recap_id is None:
                return None
            joined = ds.participation(
                conn, schedule.team_pk, schedule.channel_id, week, week + timedelta(days=6)
            )
            streaks = ds.streak_leaders(conn, schedule.team_pk, today, 5)
            return schedule, recap_id, week, team_tz, joined, streaks

        claimed = await self.db.transaction(claim)
        if claimed is None:
            return
        schedule, recap_id, week, team_tz, joined, streaks = claimed
        top = await reads.top(
            self.db, schedule.team_pk, Period.WEEK, period_key(Period.WEEK, week), limit=5
        )
        reply = dv.recap(week, top, streaks, joined, team_tz)
        poster = self.posters[schedule.platform]
        result = await self._send(
            lambda: poster.post(schedule.team_id, schedule.channel_id, reply),
            None,
            None,
            what=f"weekly recap {recap_id}",
        )
        if isinstance(result, Sent):
            await self.db.transaction(lambda c: ds.mark_recap(c, recap_id, result.ref))
        elif result is not None and not result.in_doubt:
            await self.db.transaction(lambda c: ds.drop_recap_claim(c, recap_id))
            if result.permanent:
                await self._pause(schedule, result.reason)

    # --- pausing and telling the admin ------------------------------------------------------

    async def _pause(self, schedule: ds.Schedule, reason: str) -> None:
        now = self.clock.now()
        await self.db.transaction(lambda c: ds.pause(c, schedule.id, reason, now))
        await self.sync(schedule.id)
        log.warning("paused the daily question in channel %s: %s", schedule.channel_id, reason)
        await self._tell_admin(
            schedule,
            f"I paused the daily question in #{schedule.channel_id}: {reason}. "
            f"When that is fixed, type: schedule resume {schedule.channel_id}",
        )

    async def _tell_admin(self, schedule: ds.Schedule, text: str) -> None:
        poster = self.posters.get(schedule.platform)
        if poster is None or not schedule.admin_user_id:
            log.warning("no admin to tell about channel %s: %s", schedule.channel_id, text)
            return
        try:
            await poster.notify(
                schedule.team_id, schedule.admin_user_id, Reply(text, title="Daily question")
            )
        except Exception:
            log.exception("could not message the admin of channel %s", schedule.channel_id)
