"""Spaced repetition with the fsrs package: one card per (user, question)."""

from __future__ import annotations

from datetime import datetime

from fsrs import Card, Rating, Scheduler

RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}

# Fuzzing spreads reviews of cards learned together; off keeps "next review" messages
# and tests deterministic, which matters more for a small daily bank.
_SCHEDULER = Scheduler(enable_fuzzing=False)


def review(card_json: str | None, rating: int, when: datetime) -> tuple[str, datetime]:
    """Apply one review; returns the new card as JSON and when it is next due."""
    # Cards are keyed by (user, question) in the database, so fsrs's own id is unused;
    # passing one also avoids the 1 ms sleep fsrs takes to make ids unique.
    card = Card.from_json(card_json) if card_json else Card(card_id=0, due=when)
    card, _log = _SCHEDULER.review_card(card, Rating(rating), review_datetime=when)
    return card.to_json(), card.due


def describe_interval(now: datetime, due: datetime) -> str:
    seconds = max(0, int((due - now).total_seconds()))
    if seconds < 3600:
        return f"in {max(1, seconds // 60)} min"
    if seconds < 86400:
        return f"in {seconds // 3600} h"
    days = round(seconds / 86400)
    return f"in {days} day{'s' if days != 1 else ''}"
