"""Streak rules: calendar days, freezes, and local dates across time zones and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.streaks import MAX_FREEZES, StreakState, as_of, record_activity
from bot.timeutil import local_date

D0 = date(2026, 1, 5)


def run(days: list[date], state: StreakState | None = None) -> StreakState:
    state = state or StreakState()
    for d in days:
        state = record_activity(state, d).state
    return state


def test_consecutive_days_count_and_same_day_does_not():
    s = run([D0, D0, D0 + timedelta(1), D0 + timedelta(1), D0 + timedelta(2)])
    assert (s.current, s.longest, s.last_active) == (3, 3, D0 + timedelta(2))


def test_gap_of_two_days_without_freeze_breaks_the_streak():
    s = run([D0, D0 + timedelta(1), D0 + timedelta(4)])
    assert (s.current, s.longest) == (1, 2)


def test_single_missed_day_without_freeze_breaks():
    change = record_activity(run([D0, D0 + timedelta(1)]), D0 + timedelta(3))
    assert change.broke and change.state.current == 1 and not change.froze


def test_freeze_earned_after_seven_days_and_spent_on_one_missed_day():
    seven = run([D0 + timedelta(i) for i in range(7)])
    assert (seven.current, seven.freezes) == (7, 1)
    change = record_activity(seven, D0 + timedelta(8))  # day 7 missed
    assert change.froze and not change.broke
    assert (change.state.current, change.state.freezes) == (8, 0)


def test_freeze_does_not_cover_two_missed_days():
    seven = run([D0 + timedelta(i) for i in range(7)])
    change = record_activity(seven, D0 + timedelta(9))
    assert change.broke and change.state.current == 1 and change.state.freezes == 1
    assert change.state.longest == 7


def test_at_most_two_freezes_held():
    s = run([D0 + timedelta(i) for i in range(28)])
    assert s.current == 28 and s.freezes == MAX_FREEZES


def test_as_of_reports_a_lapsed_streak_as_zero_but_keeps_longest():
    s = run([D0, D0 + timedelta(1)])
    assert as_of(s, D0 + timedelta(2)).current == 2
    assert as_of(s, D0 + timedelta(3)).current == 0
    assert as_of(s, D0 + timedelta(3)).longest == 2
    frozen = run([D0 + timedelta(i) for i in range(7)])
    assert as_of(frozen, D0 + timedelta(8)).current == 7  # a freeze is waiting to be spent


def test_earlier_local_date_after_timezone_change_is_ignored():
    s = run([D0, D0 + timedelta(1)])
    assert run([D0], s) == s


@pytest.mark.parametrize(
    ("tz", "utc_moment", "expected"),
    [
        ("UTC", datetime(2026, 1, 5, 23, 59, tzinfo=UTC), date(2026, 1, 5)),
        ("Asia/Tokyo", datetime(2026, 1, 5, 15, 30, tzinfo=UTC), date(2026, 1, 6)),
        ("America/Los_Angeles", datetime(2026, 1, 6, 7, 30, tzinfo=UTC), date(2026, 1, 5)),
        ("Asia/Kolkata", datetime(2026, 1, 5, 18, 29, tzinfo=UTC), date(2026, 1, 5)),
        ("Asia/Kolkata", datetime(2026, 1, 5, 18, 30, tzinfo=UTC), date(2026, 1, 6)),
    ],
)
def test_local_date_is_the_calendar_date_in_the_team_zone(tz, utc_moment, expected):
    assert local_date(utc_moment, tz) == expected
