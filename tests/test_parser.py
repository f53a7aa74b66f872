from __future__ import annotations

import pytest

from bot import commands as c
from bot.bank.schema import Difficulty
from bot.leaderboard import Period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("quiz", c.Quiz()),
        ("/prep quiz evaluation 5", c.Quiz("evaluation", None, 5)),
        ("prep quiz hard evaluation 3", c.Quiz("evaluation", Difficulty.HARD, 3)),
        ("QUIZ Medium", c.Quiz(None, Difficulty.MEDIUM, 5)),
        ("leaderboard", c.Leaderboard(Period.WEEK)),
        ("/prep leaderboard month", c.Leaderboard(Period.MONTH)),
        ("lb all-time", c.Leaderboard(Period.ALL)),
        ("streak", c.StreakCmd()),
        ("stats", c.Stats()),
        ("topics", c.Topics()),
        ("", c.Help()),
        ("/prep", c.Help()),
        ("help quiz", c.Help("quiz")),
        ("rate Good", c.Rate(3)),
        ("answer  use   dropout ", c.Answer("use   dropout")),
        ("skip", c.Skip()),
        ("stop", c.Stop()),
    ],
)
def test_parses_commands(text, expected):
    assert c.parse(text) == expected


@pytest.mark.parametrize("count", ["0", "21", "-3", "999999999999"])
def test_count_outside_range_names_the_range(count):
    result = c.parse(f"quiz evaluation {count}")
    assert isinstance(result, c.UsageError)
    assert "1 to 20" in result.message and result.usage and "quiz" in result.usage


def test_unknown_command_is_flagged_for_help():
    result = c.parse("frobnicate now")
    assert isinstance(result, c.UsageError) and result.unknown_command
    assert "frobnicate" in result.message


@pytest.mark.parametrize(
    "text", ["leaderboard yearly", "rate maybe", "streak now", "answer", "quiz a b"]
)
def test_bad_arguments_say_what_to_type(text):
    result = c.parse(text)
    assert isinstance(result, c.UsageError) and not result.unknown_command
    assert result.usage


def test_unbalanced_quote_does_not_crash():
    assert isinstance(c.parse('quiz "evaluation'), c.Quiz)
