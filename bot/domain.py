"""Who is acting, and the fixed rules for points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.bank.schema import Difficulty

Platform = Literal["console", "discord", "slack"]

# Points for the first scored attempt at a question (see README, "Points and streaks").
POINTS: dict[Difficulty, int] = {Difficulty.EASY: 10, Difficulty.MEDIUM: 20, Difficulty.HARD: 30}

MAX_ANSWER_CHARS = 4000
MIN_QUIZ, MAX_QUIZ, DEFAULT_QUIZ = 1, 20, 5
# A written answer counts as correct in stats when it covers at least half the key points.
WRITTEN_CORRECT_AT = 0.5


@dataclass(frozen=True)
class Who:
    """One person in one team: a Discord guild, a Slack workspace, a DM scope or the console."""

    platform: Platform
    team_id: str
    user_id: str
    display_name: str = ""
    channel_id: str | None = None
    is_admin: bool = False


def points_for(difficulty: Difficulty, fraction: float = 1.0) -> int:
    return round(POINTS[difficulty] * max(0.0, min(1.0, fraction)))
