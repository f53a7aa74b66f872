"""APScheduler triggers for a channel's daily question and weekly recap, and the fire
times derived from them, so catch-up logic and the live scheduler agree on every DST edge."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import lru_cache

from apscheduler.triggers.cron import CronTrigger

from bot.timeutil import zone


@lru_cache(maxsize=4096)  # building a CronTrigger compiles its fields; they are never mutated
def daily_trigger(post_time: time, timezone: str, weekdays: tuple[str, ...]) -> CronTrigger:
    return CronTrigger(
        day_of_week=",".join(weekdays),
        hour=post_time.hour,
        minute=post_time.minute,
        second=0,
        timezone=zone(timezone),
    )


@lru_cache(maxsize=1024)
def weekly_trigger(weekday: str, at: time, timezone: str) -> CronTrigger:
    return CronTrigger(
        day_of_week=weekday, hour=at.hour, minute=at.minute, second=0, timezone=zone(timezone)
    )


def _second(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


@lru_cache(maxsize=65_536)
def _next_after(trigger: CronTrigger, after: datetime) -> datetime | None:
    # Triggers fire on whole seconds, so "strictly after" a whole second is "from the
    # next second on". The step is taken in UTC: wall-clock arithmetic on a local time in
    # the repeated hour of a DST change drops the fold and lands before `after` again.
    moment = trigger.get_next_fire_time(None, after + timedelta(seconds=1))
    # UTC out too: Python never finds a local time in a repeated hour equal to another zone's.
    return moment.astimezone(UTC) if moment is not None else None


def next_fire(trigger: CronTrigger, after: datetime) -> datetime | None:
    """The first fire time strictly after `after`, in UTC.

    Cached per trigger and second: thousands of channels share a few triggers and fire
    in the same second, and APScheduler takes ~0.1 ms per computation."""
    return _next_after(trigger, _second(after))


def fires_between(trigger: CronTrigger, start: datetime, end: datetime) -> list[datetime]:
    """Fire times in (start, end], oldest first. Bounded: at most one per minute."""
    out: list[datetime] = []
    moment = next_fire(trigger, start)
    while moment is not None and moment <= end and len(out) < 10_000:
        out.append(moment)
        moment = next_fire(trigger, moment)
    return out


def latest_fire(trigger: CronTrigger, now: datetime, lookback: timedelta) -> datetime | None:
    """The most recent fire time in (now - lookback, now], if any."""
    fires = fires_between(trigger, now - lookback, now)
    return fires[-1] if fires else None
