"""Choosing a channel's daily question.

A channel never sees a question twice until every question eligible for it has been
posted there; after that the least recently used comes first. The channel's history is
a deck: the question ids in the order they are dealt, and the position of the next deal.
Everything before the position was dealt most recently, so the order of last use,
oldest first, is `ids[pos:] + ids[:pos]`. A plain day only moves the position, which
keeps the daily write to one small integer; the deck itself is rewritten only when
questions join it or a filter makes the next one ineligible.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True, eq=False)
class Pool:
    """The questions a channel's filters allow, indexed for dealing."""

    questions: tuple[QuestionModel, ...]  # sorted by id: a seeded rng repeats its picks
    by_id: dict[str, QuestionModel]
    ids: frozenset[str]


def eligible(
    bank: QuestionBank, topics: Sequence[str], difficulty: Difficulty | None
) -> list[QuestionModel]:
    return list(_eligible(bank, tuple(topics), difficulty).questions)


@lru_cache(maxsize=1024)  # thousands of channels share a few filters; a bank never changes
def _eligible(bank: QuestionBank, topics: tuple[str, ...], difficulty: Difficulty | None) -> Pool:
    pool = [q for t in topics for q in bank.select(t)] if topics else bank.select()
    if difficulty is not None:
        pool = [q for q in pool if q.difficulty is difficulty]
    questions = tuple(sorted(pool, key=lambda q: q.id))
    return Pool(questions, {q.id: q for q in questions}, frozenset(q.id for q in questions))


@dataclass(frozen=True)
class Deck:
    ids: tuple[str, ...] = ()
    pos: int = 0


def deal(pool: Pool, deck: Deck, rng: random.Random) -> tuple[QuestionModel, Deck, bool]:
    """Today's question from `pool`, the deck after dealing it, and whether the ids
    changed (False: only the position moved)."""
    if not pool.questions:
        raise NothingEligible("no question matches this channel's topics and difficulty")
    by_id = pool.by_id
    fresh = pool.ids.difference(deck.ids)
    if not fresh and deck.ids[deck.pos] in by_id:  # a plain day: only the position moves
        return by_id[deck.ids[deck.pos]], Deck(deck.ids, (deck.pos + 1) % len(deck.ids)), False
    ids, pos, changed = list(deck.ids), deck.pos, False
    if fresh:  # never dealt here: they go first, in random order, before any repeat
        new = sorted(fresh)
        rng.shuffle(new)
        ids, pos, changed = new + ids[pos:] + ids[:pos], 0, True
    n = len(ids)
    step = next(k for k in range(n) if ids[(pos + k) % n] in by_id)
    chosen = ids[(pos + step) % n]
    if step == 0:
        return by_id[chosen], Deck(tuple(ids), (pos + 1) % n), changed
    # The next in line is not eligible today (a filter, "mixed", a removed question):
    # deal the least recently used eligible one and move it to the most recent end.
    order = [i for i in ids[pos:] + ids[:pos] if i != chosen]
    return by_id[chosen], Deck((*order, chosen), 0), True


def pick_daily(
    bank: QuestionBank,
    *,
    topics: Sequence[str],
    difficulty: str | None,
    local_day: date,
    deck: Deck,
    rng: random.Random,
) -> tuple[QuestionModel, Deck, bool]:
    """The question for one channel and local day under its filters (see `deal`).

    With "mixed", the day's difficulty is tried first; a topic with no question of that
    difficulty falls back to any difficulty rather than skipping the day."""
    if difficulty == "mixed":
        wanted = MIXED_BY_WEEKDAY[local_day.weekday()]
        pool = _eligible(bank, tuple(topics), wanted)
        if not pool.questions:
            pool = _eligible(bank, tuple(topics), None)
    else:
        level = Difficulty(difficulty) if difficulty else None
        pool = _eligible(bank, tuple(topics), level)
    return deal(pool, deck, rng)
