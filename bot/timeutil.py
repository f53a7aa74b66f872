"""Time zones, local calendar dates and the stored UTC time format."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class BadTimezone(ValueError):
    pass


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """An IANA zone by name, or BadTimezone with an example of what is accepted."""
    try:
        if not name or name != name.strip() or name.startswith(("/", ".")):
            raise ValueError
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadTimezone(
            f"'{name}' is not an IANA time zone; use a name such as UTC, Europe/Berlin "
            "or America/New_York"
        ) from exc


@lru_cache(maxsize=64)  # one transaction stamps the same instant on several rows
def to_db(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; pass an aware UTC time")
    # isoformat is several times faster than strftime; [:26] drops the "+00:00".
    return moment.astimezone(UTC).isoformat(sep=" ", timespec="microseconds")[:26]


def from_db(text: str) -> datetime:
    """A stored UTC time back as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local_date(moment: datetime, tz_name: str) -> date:
    return moment.astimezone(zone(tz_name)).date()


def week_start(day: date) -> date:
    """The Monday of the week holding `day` (weeks start Monday 00:00 local time)."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)
