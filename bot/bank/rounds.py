"""Drawing mock interview rounds shaped like a real loop.

A mixed round is 7 technical questions from 7 different topics in rising difficulty,
then a scenario and a behavioral question, all written-answer (open) questions.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass

from bot.bank import QuestionBank
from bot.bank.loader import QuestionModel
from bot.bank.schema import Difficulty, Kind, OpenQuestion

TECHNICAL_KINDS = frozenset({Kind.TECHNICAL, Kind.SQL, Kind.SYSTEM_DESIGN})
TECHNICAL_SLOTS = 7
_RANK = {d: i for i, d in enumerate(Difficulty)}  # easy, medium, hard


class NotEnoughQuestions(Exception):
    """The bank (minus questions already used) cannot fill another round."""


@dataclass(frozen=True)
class MockPools:
    technical: dict[str, list[OpenQuestion]]  # by topic
    scenario: list[OpenQuestion]
    behavioral: list[OpenQuestion]


def mock_pools(
    bank: QuestionBank, technical_topics: Collection[str], exclude: Collection[str] = ()
) -> MockPools:
    technical: dict[str, list[OpenQuestion]] = {}
    scenario: list[OpenQuestion] = []
    behavioral: list[OpenQuestion] = []
    for q in bank.select():
        if not isinstance(q, OpenQuestion) or q.id in exclude:
            continue
        if q.kind is Kind.BEHAVIORAL:
            behavioral.append(q)
        elif q.topic in technical_topics and q.kind is Kind.SCENARIO:
            scenario.append(q)
        elif q.topic in technical_topics and q.kind in TECHNICAL_KINDS:
            technical.setdefault(q.topic or "", []).append(q)
    return MockPools(technical, scenario, behavioral)


def draw_mock_round(
    bank: QuestionBank,
    technical_topics: Collection[str],
    rng: random.Random,
    exclude: Collection[str] = (),
) -> list[QuestionModel]:
    """Nine unused questions: 7 technical (distinct topics, easy to hard), scenario, behavioral.

    Topics are taken from the fullest pools first, so repeated draws with a growing
    `exclude` set last as many rounds as the bank allows."""
    pools = mock_pools(bank, technical_topics, exclude)
    topics = [t for t, qs in pools.technical.items() if qs]
    missing = []
    if len(topics) < TECHNICAL_SLOTS:
        missing.append(
            f"technical questions from {TECHNICAL_SLOTS} topics (only {len(topics)} have any left)"
        )
    if not pools.scenario:
        missing.append("a scenario question")
    if not pools.behavioral:
        missing.append("a behavioral question")
    if missing:
        raise NotEnoughQuestions(
            "Not enough unused questions for a mock round: need " + "; ".join(missing)
        )
    rng.shuffle(topics)  # random tie-break among equally full topics
    topics.sort(key=lambda t: len(pools.technical[t]), reverse=True)
    technical = [rng.choice(pools.technical[t]) for t in topics[:TECHNICAL_SLOTS]]
    technical.sort(key=lambda q: _RANK[q.difficulty])
    return [*technical, rng.choice(pools.scenario), rng.choice(pools.behavioral)]
