"""Parsing and validating what an admin types to schedule a channel's daily question.

Every error says what was wrong and what is allowed, so the command can echo it as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import time

from bot.bank.schema import Difficulty
from bot.timeutil import BadTimezone, zone

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAILY_DIFFICULTIES = (*(d.value for d in Difficulty), "mixed")
REVEAL_HOURS = (1, 168)
_DAY_NAMES = {d: d for d in WEEKDAYS} | {
    "monday": "mon",
    "tuesday": "tue",
    "tues": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "thur": "thu",
    "thurs": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}
_DAY_SETS = {
    "daily": WEEKDAYS,
    "everyday": WEEKDAYS,
    "every-day": WEEKDAYS,
    "all": WEEKDAYS,
    "weekdays": WEEKDAYS[:5],
    "workdays": WEEKDAYS[:5],
    "weekends": WEEKDAYS[5:],
    "weekend": WEEKDAYS[5:],
}
_TIME = re.compile(r"^(\d{1,2})[:.h](\d{2})$")


class SpecError(ValueError):
    """A schedule value that cannot be used; the message is shown to the admin."""


@dataclass(frozen=True)
class ScheduleSpec:
    channel_id: str
    post_time: time
    timezone: str
    weekdays: tuple[str, ...] = WEEKDAYS
    topics: tuple[str, ...] = ()  # empty: every topic
    difficulty: str | None = None  # easy | medium | hard | mixed; None: any

    @property
    def hhmm(self) -> str:
        return self.post_time.strftime("%H:%M")


def parse_time(text: str) -> time:
    m = _TIME.match(text.strip())
    if m:
        hour, minute = int(m.group(1)), int(m.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise SpecError(
        f"'{text}' is not a time of day; use 24-hour HH:MM, for example 09:30 or 17:05."
    )


def parse_timezone(text: str) -> str:
    try:
        zone(text)
    except BadTimezone as exc:
        raise SpecError(str(exc)) from None
    return text


def _day(name: str, whole: str) -> str:
    day = _DAY_NAMES.get(name)
    if day is None:
        raise SpecError(
            f"'{whole}' is not a set of days; use day names (mon, tue, wed, thu, fri, sat, sun) "
            "separated by commas or as a range, e.g. mon-fri or mon,wed,fri, or daily, "
            "weekdays, weekends."
        )
    return day


def parse_weekdays(text: str) -> tuple[str, ...]:
    """'mon-fri', 'mon,wed,fri', 'fri-mon' (wraps), 'daily', 'weekdays', 'weekends'."""
    low = text.strip().lower()
    if low in _DAY_SETS:
        return _DAY_SETS[low]
    days: set[str] = set()
    for part in filter(None, low.split(",")):
        if "-" in part:
            first, _, last = part.partition("-")
            a, b = WEEKDAYS.index(_day(first, text)), WEEKDAYS.index(_day(last, text))
            span = range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]
            days.update(WEEKDAYS[i] for i in span)
        else:
            days.add(_day(part, text))
    if not days:
        raise SpecError(f"'{text}' names no days; use e.g. mon-fri, mon,wed,fri or daily.")
    return tuple(d for d in WEEKDAYS if d in days)


def parse_weekday(text: str) -> str:
    """One day, for the weekly recap."""
    day = _DAY_NAMES.get(text.strip().lower())
    if day is None:
        raise SpecError(
            f"'{text}' is not a day of the week; use one of mon, tue, wed, thu, fri, sat, sun."
        )
    return day


def looks_like_days(text: str) -> bool:
    try:
        parse_weekdays(text)
    except SpecError:
        return False
    return True


def parse_reveal_hours(text: str) -> int:
    low, high = REVEAL_HOURS
    try:
        hours = int(text.strip().lower().removesuffix("h"))
    except ValueError:
        hours = 0
    if not low <= hours <= high:
        raise SpecError(f"'{text}' is not a number of hours from {low} to {high}; e.g. 24.")
    return hours


def parse_schedule(args: list[str]) -> ScheduleSpec:
    """`<channel> <HH:MM> <timezone> [days] [topics] [difficulty]`, optional parts in any order.

    Topics are comma-separated ids; they are checked against the bank by the caller."""
    if len(args) < 3:
        raise SpecError(
            "Give the channel, a time and a time zone, e.g. #ml-study 09:00 Europe/Berlin."
        )
    channel, hhmm, tz, *rest = args
    spec = ScheduleSpec(channel.strip(), parse_time(hhmm), parse_timezone(tz))
    seen: set[str] = set()
    for arg in rest:
        low = arg.lower()
        if low in DAILY_DIFFICULTIES:
            kind, spec = "difficulty", replace(spec, difficulty=low)
        elif looks_like_days(low):
            kind, spec = "days", replace(spec, weekdays=parse_weekdays(low))
        else:
            topics = tuple(dict.fromkeys(t for t in low.split(",") if t))
            kind, spec = "topics", replace(spec, topics=() if topics == ("all",) else topics)
        if kind in seen:
            raise SpecError(f"'{arg}' gives the {kind} a second time; give them once.")
        seen.add(kind)
    return spec
