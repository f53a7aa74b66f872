"""Spaced repetition with the fsrs package: one card per (user, question).

The bot asks at most a few questions a day, so minute-level learning steps make no
sense: the scheduler has none, and every rating gives an interval in whole days.
These settings are stored in the database the first time (bot/store/cards.py) and read
back from there, so an fsrs upgrade with other defaults cannot reschedule old cards.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from fsrs import Card, Rating, Scheduler, State

RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
AGAIN, GOOD = 1, 3

# Fuzzing spreads reviews of cards learned together; off keeps "next review" messages
# and tests deterministic, which matters more for a small daily bank.
DAY_LEVEL = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


@lru_cache(maxsize=8)
def from_json(text: str) -> Scheduler:
    return Scheduler.from_json(text)


def choice_rating(correct: bool) -> int:
    """Multiple choice has no self-rating: right is Good, wrong is Again."""
    return GOOD if correct else AGAIN


def suggested_rating(coverage: float) -> int:
    """What key-point coverage suggests for a written answer; the person decides."""
    if coverage < 1 / 3:
        return AGAIN
    if coverage < 2 / 3:
        return 2  # Hard
    return GOOD


def new_card(now: datetime) -> Card:
    # Cards are keyed by (user, question) in the database, so fsrs's own id is unused;
    # passing one also avoids the 1 ms sleep fsrs takes to make ids unique.
    return Card(card_id=0, due=now)


def apply(scheduler: Scheduler, card: Card, rating: int, when: datetime) -> Card:
    reviewed, _log = scheduler.review_card(card, Rating(rating), review_datetime=when)
    return reviewed


def lapsed(before: Card, rating: int) -> bool:
    """Forgetting a card that had graduated to review counts as a lapse."""
    return rating == AGAIN and before.state == State.Review


def describe_interval(now: datetime, due: datetime) -> str:
    seconds = max(0, int((due - now).total_seconds()))
    if seconds < 3600:
        return f"in {max(1, seconds // 60)} min"
    if seconds < 86400:
        return f"in {seconds // 3600} h"
    days = round(seconds / 86400)
    return f"in {days} day{'s' if days != 1 else ''}"
