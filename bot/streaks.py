"""Streak rules: calendar days in the team's time zone, with freezes.

A day counts when at least one question was answered, right or wrong. One freeze is
earned for every 7 consecutive days, at most 2 are held, and one is spent
automatically when exactly one day was missed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

FREEZE_EVERY = 7
MAX_FREEZES = 2


@dataclass(frozen=True)
class StreakState:
    current: int = 0
    longest: int = 0
    freezes: int = 0
    last_active: date | None = None


@dataclass(frozen=True)
class StreakChange:
    state: StreakState
    extended: bool = False
    froze: bool = False
    broke: bool = False
    earned_freeze: bool = False


def record_activity(state: StreakState, day: date) -> StreakChange:
    last = state.last_active
    if last is not None and day <= last:
        # Same day, or an earlier local date after a time-zone change: nothing to add.
        return StreakChange(state)
    gap = (day - last).days if last else None
    froze = broke = False
    freezes = state.freezes
    if gap == 1:
        current = state.current + 1
    elif gap == 2 and freezes > 0:
        freezes -= 1
        froze = True
        current = state.current + 1
    else:
        broke = last is not None and state.current > 0
        current = 1
    earned = current % FREEZE_EVERY == 0 and freezes < MAX_FREEZES
    if earned:
        freezes += 1
    new = StreakState(current, max(state.longest, current), freezes, day)
    return StreakChange(new, extended=True, froze=froze, broke=broke, earned_freeze=earned)


def as_of(state: StreakState, today: date) -> StreakState:
    """The streak as it stands on `today`: still alive, alive on a pending freeze, or 0."""
    if state.last_active is None:
        return state
    gap = (today - state.last_active).days
    if gap <= 1 or (gap == 2 and state.freezes > 0):
        return state
    return replace(state, current=0)
