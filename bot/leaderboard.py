"""Leaderboard periods and competition ranking."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.timeutil import month_start, week_start


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


def period_key(period: Period, today: date) -> str:
    """The stored period_start for the period holding `today` (a local date)."""
    if period is Period.WEEK:
        return week_start(today).isoformat()
    if period is Period.MONTH:
        return month_start(today).isoformat()
    return ""


@dataclass(frozen=True)
class Standing:
    rank: int
    user_id: int
    name: str
    points: int


def rank(rows: Iterable[tuple[int, str, int]]) -> list[Standing]:
    """Standard competition ranking: equal points share a rank, the next rank skips (1, 2, 2, 4).
    `rows` must already be sorted by points, highest first."""
    out: list[Standing] = []
    prev_points: int | None = None
    current_rank = 0
    for position, (user_id, name, points) in enumerate(rows, start=1):
        if points != prev_points:
            current_rank = position
            prev_points = points
        out.append(Standing(current_rank, user_id, name, points))
    return out
