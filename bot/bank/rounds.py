"""Drawing mock interview rounds shaped like a real loop.

Every round is written-answer (open) questions only, with no repeats:
- mixed: 7 technical questions from 7 different topics in rising difficulty, then a
  scenario and a behavioral question (a typical onsite loop, compressed);
- technical: 6 technical questions from 6 topics, rising difficulty;
- system-design: 2 design questions (easier first) and a production scenario;
- behavioral: 4 behavioral questions, rising difficulty.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from bot.bank import QuestionBank
from bot.bank.loader import QuestionModel
from bot.bank.schema import Difficulty, Kind, OpenQuestion

TECHNICAL_KINDS = frozenset({Kind.TECHNICAL, Kind.SQL, Kind.SYSTEM_DESIGN})
TECHNICAL_SLOTS = 7
_RANK = {d: i for i, d in enumerate(Difficulty)}  # easy, medium, hard


class MockKind(StrEnum):
    MIXED = "mixed"
    TECHNICAL = "technical"
    SYSTEM_DESIGN = "system-design"
    BEHAVIORAL = "behavioral"


class NotEnoughQuestions(Exception):
    """The bank (minus questions already used) cannot fill another round."""


@dataclass(frozen=True)
class MockPools:
    technical: dict[str, list[OpenQuestion]]  # by topic
    scenario: list[OpenQuestion]
    behavioral: list[OpenQuestion]


def technical_topics(bank: QuestionBank) -> set[str]:
    """Topics with at least one technical open question (a bank without a syllabus,
    such as a team pack, still gets mock rounds)."""
    return {
        q.topic or ""
        for q in bank.select()
        if isinstance(q, OpenQuestion) and q.kind in TECHNICAL_KINDS
    }


def mock_pools(
    bank: QuestionBank,
    technical_topics: Collection[str],
    exclude: Collection[str] = (),
    kinds: Collection[Kind] = TECHNICAL_KINDS,
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
        elif q.topic in technical_topics and q.kind in kinds:
            technical.setdefault(q.topic or "", []).append(q)
    return MockPools(technical, scenario, behavioral)


def _targets(n: int) -> list[int]:
    """Difficulty ranks rising from easy to hard over n slots (7 -> 0,0,1,1,1,2,2)."""
    return [round(i * 2 / (n - 1)) if n > 1 else 1 for i in range(n)]


def _closest(pool: list[OpenQuestion], target: int, rng: random.Random) -> OpenQuestion:
    best = min(abs(_RANK[q.difficulty] - target) for q in pool)
    return rng.choice([q for q in pool if abs(_RANK[q.difficulty] - target) == best])


def _rising(
    by_topic: dict[str, list[OpenQuestion]], n: int, rng: random.Random
) -> list[OpenQuestion]:
    """n questions from n different topics, easy to hard.

    Topics are taken from the fullest pools first, so repeated draws with a growing
    exclusion set last as many rounds as the bank allows; each slot's difficulty target
    is met exactly where some remaining topic can, else as closely as possible."""
    topics = [t for t, qs in by_topic.items() if qs]
    rng.shuffle(topics)  # random tie-break among equally full topics
    topics.sort(key=lambda t: len(by_topic[t]), reverse=True)
    left = topics[:n]
    chosen: list[OpenQuestion] = []
    for target in _targets(n):
        exact = [t for t in left if any(_RANK[q.difficulty] == target for q in by_topic[t])]
        topic = rng.choice(exact) if exact else left[0]
        left.remove(topic)
        chosen.append(_closest(by_topic[topic], target, rng))
    chosen.sort(key=lambda q: _RANK[q.difficulty])  # stable: rising even when a target missed
    return chosen


def draw_mock_round(
    bank: QuestionBank,
    technical_topics: Collection[str],
    rng: random.Random,
    exclude: Collection[str] = (),
) -> list[QuestionModel]:
    """Nine unused questions: 7 technical (distinct topics, easy to hard), scenario, behavioral."""
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
    technical = _rising(pools.technical, TECHNICAL_SLOTS, rng)
    return [*technical, rng.choice(pools.scenario), rng.choice(pools.behavioral)]


TECHNICAL_ONLY = 6
DESIGN_SLOTS = 2
BEHAVIORAL_SLOTS = 4


def draw_round(
    bank: QuestionBank, kind: MockKind, rng: random.Random, exclude: Collection[str] = ()
) -> list[QuestionModel]:
    """A round of `kind` from questions not in `exclude`; NotEnoughQuestions says what
    is short."""
    topics = technical_topics(bank)
    if kind is MockKind.MIXED:
        return draw_mock_round(bank, topics, rng, exclude)
    if kind is MockKind.TECHNICAL:
        pools = mock_pools(bank, topics, exclude, kinds={Kind.TECHNICAL, Kind.SQL})
        have = sum(1 for qs in pools.technical.values() if qs)
        if have < TECHNICAL_ONLY:
            raise NotEnoughQuestions(
                f"Not enough unused questions for a technical round: need {TECHNICAL_ONLY}"
                f" topics with technical questions, only {have} have any left"
            )
        return list(_rising(pools.technical, TECHNICAL_ONLY, rng))
    if kind is MockKind.SYSTEM_DESIGN:
        pools = mock_pools(bank, topics, exclude, kinds={Kind.SYSTEM_DESIGN})
        design = [q for qs in pools.technical.values() for q in qs]
        if len(design) < DESIGN_SLOTS or not pools.scenario:
            raise NotEnoughQuestions(
                "Not enough unused questions for a system-design round: need"
                f" {DESIGN_SLOTS} design questions ({len(design)} left) and a scenario"
                f" ({len(pools.scenario)} left)"
            )
        rng.shuffle(design)
        picked = sorted(design[:DESIGN_SLOTS], key=lambda q: _RANK[q.difficulty])
        return [*picked, rng.choice(pools.scenario)]
    pools = mock_pools(bank, topics, exclude)
    if len(pools.behavioral) < BEHAVIORAL_SLOTS:
        raise NotEnoughQuestions(
            f"Not enough unused questions for a behavioral round: need {BEHAVIORAL_SLOTS},"
            f" {len(pools.behavioral)} left"
        )
    by_subject: dict[str, list[OpenQuestion]] = {}
    for q in pools.behavioral:  # spread over subjects, as the topic spread does above
        by_subject.setdefault(q.subjects[0] if q.subjects else q.id, []).append(q)
    if len(by_subject) >= BEHAVIORAL_SLOTS:
        return list(_rising(by_subject, BEHAVIORAL_SLOTS, rng))
    rng.shuffle(pools.behavioral)
    return sorted(pools.behavioral[:BEHAVIORAL_SLOTS], key=lambda q: _RANK[q.difficulty])
