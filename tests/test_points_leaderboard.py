"""Points table, competition ranking and period boundaries."""

from __future__ import annotations

from datetime import date

from bot.bank.schema import Difficulty
from bot.domain import POINTS, points_for
from bot.leaderboard import Period, period_key, rank


def test_points_table_by_difficulty():
    assert POINTS == {Difficulty.EASY: 10, Difficulty.MEDIUM: 20, Difficulty.HARD: 30}
    assert points_for(Difficulty.HARD, 0.5) == 15
    assert points_for(Difficulty.MEDIUM, 0.0) == 0
    assert points_for(Difficulty.EASY, 1.7) == 10  # clamped


def test_equal_points_share_a_rank_and_the_next_rank_skips():
    standings = rank([(1, "a", 50), (2, "b", 40), (3, "c", 40), (4, "d", 30), (5, "e", 30)])
    assert [s.rank for s in standings] == [1, 2, 2, 4, 4]
    assert rank([(1, "a", 9), (2, "b", 9), (3, "c", 9)])[2].rank == 1


def test_week_starts_monday_and_month_on_the_first():
    sunday, monday = date(2026, 3, 8), date(2026, 3, 9)
    assert period_key(Period.WEEK, sunday) == "2026-03-02"
    assert period_key(Period.WEEK, monday) == "2026-03-09"
    assert period_key(Period.MONTH, date(2026, 3, 31)) == "2026-03-01"
    assert period_key(Period.ALL, monday) == ""
