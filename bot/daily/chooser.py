"""Choosing a channel's daily question.

A channel never sees a question twice until every question eligible for it has been
posted there; after that the least recently used comes first. The channel's history is
kept as a rotation: question ids ordered by last use, oldest first, each at most once.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from bot.bank import QuestionBank
from bot.bank.loader import QuestionModel
from bot.bank.schema import Difficulty

# "mixed": easy early in the week, hard late (date.weekday(): Monday is 0).
MIXED_BY_WEEKDAY = (
    Difficulty.EASY,
    Difficulty.EASY,
    Difficulty.MEDIUM,
    Difficulty.MEDIUM,
    Difficulty.HARD,
    Difficulty.HARD,
    Difficulty.HARD,
)


class NothingEligible(LookupError):
    """The channel's filters match no question in the bank."""


def eligible(
    bank: QuestionBank, topics: Sequence[str], difficulty: Difficulty | None
) -> list[QuestionModel]:
    return list(_eligible(bank, tuple(topics), difficulty))


@lru_cache(maxsize=1024)  # thousands of channels share a few filters; a bank never changes
def _eligible(
    bank: QuestionBank, topics: tuple[str, ...], difficulty: Difficulty | None
) -> tuple[QuestionModel, ...]:
    pool = [q for t in topics for q in bank.select(t)] if topics else bank.select()
    if difficulty is not None:
        pool = [q for q in pool if q.difficulty is difficulty]
    return tuple(sorted(pool, key=lambda q: q.id))  # stable order: a seeded rng repeats


def choose(
    pool: Sequence[QuestionModel], rotation: Sequence[str], rng: random.Random
) -> QuestionModel:
    if not pool:
        raise NothingEligible("no question matches this channel's topics and difficulty")
    used = set(rotation)
    unused = [q for q in pool if q.id not in used]
    if unused:
        return rng.choice(unused)
    by_id = {q.id: q for q in pool}
    return next(by_id[qid] for qid in rotation if qid in by_id)


def advance(rotation: Sequence[str], chosen: str) -> list[str]:
    """The rotation after posting `chosen`: it moves to the most recent end."""
    return [qid for qid in rotation if qid != chosen] + [chosen]


def pick_daily(
    bank: QuestionBank,
    *,
    topics: Sequence[str],
    difficulty: str | None,
    local_day: date,
    rotation: Sequence[str],
    rng: random.Random,
) -> QuestionModel:
    """The question for one channel and local day under its filters.

    With "mixed", the day's difficulty is tried first; a topic with no question of that
    difficulty falls back to any difficulty rather than skipping the day."""
    if difficulty == "mixed":
        wanted = MIXED_BY_WEEKDAY[local_day.weekday()]
        pool = _eligible(bank, tuple(topics), wanted) or _eligible(bank, tuple(topics), None)
    else:
        level = Difficulty(difficulty) if difficulty else None
        pool = _eligible(bank, tuple(topics), level)
    return choose(pool, rotation, rng)
