"""Scoring the key-point matcher against labelled written answers (tests/data/matcher/).

Each labelled answer names its question, the key points a fair interviewer would say it
makes, and any listed misconception it states; every other key point is labelled not
covered. Shared by the bench script and the floor test so both measure the same thing.
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.bank import OpenQuestion, QuestionBank
from bot.keypoints import assess


@dataclass(frozen=True)
class Labelled:
    topic: str
    question_id: str
    style: str
    answer: str
    covered: frozenset[int]
    misconceptions: frozenset[int]
    # Written after the phrases and the matcher were tuned (tests/data/matcher/fresh/).
    fresh: bool = False

    @property
    def held_out(self) -> bool:
        """The fresh answers and a fixed quarter of the others, never read while tuning
        phrases or the matcher, so their figure shows how the matcher does on answers it
        was not tuned on."""
        return self.fresh or zlib.crc32(f"{self.question_id}|{self.answer}".encode()) % 4 == 0


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def cases(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    key_points: Score = field(default_factory=Score)
    tuned: Score = field(default_factory=Score)  # answers read while tuning
    held_out: Score = field(default_factory=Score)  # answers never read while tuning
    fresh: Score = field(default_factory=Score)  # the part of those written after tuning
    misconceptions: Score = field(default_factory=Score)
    by_topic: dict[str, Score] = field(default_factory=dict)
    by_style: dict[str, Score] = field(default_factory=dict)
    answers: Counter[str] = field(default_factory=Counter)
    # (question id, key point, answer) for every disagreement, for reading the misses
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)
    false_negatives: list[tuple[str, str, str]] = field(default_factory=list)


def load_cases(directory: Path) -> list[Labelled]:
    """Every labelled answer under `directory`; those under its fresh/ folder are marked."""
    cases = []
    for path in sorted(directory.rglob("*.yaml")):
        fresh = "fresh" in path.relative_to(directory).parts
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for c in doc["cases"]:
            cases.append(
                Labelled(
                    doc["topic"],
                    c["question"],
                    c["style"],
                    c["answer"],
                    frozenset(c.get("covered", [])),
                    frozenset(c.get("misconceptions", [])),
                    fresh,
                )
            )
    return cases


def evaluate(bank: QuestionBank, cases: list[Labelled]) -> Evaluation:
    ev = Evaluation()
    for case in cases:
        q = bank.get(case.question_id)
        if not isinstance(q, OpenQuestion):
            raise ValueError(f"{case.question_id}: not an open question of the bank")
        coverage = assess(case.answer, q.key_points, q.misconceptions)
        ev.answers[case.topic] += 1
        hit = set(coverage.covered)
        for i, kp in enumerate(q.key_points):
            predicted, actual = kp.point in hit, i in case.covered
            scores = [
                ev.key_points,
                ev.held_out if case.held_out else ev.tuned,
                ev.by_topic.setdefault(case.topic, Score()),
                ev.by_style.setdefault(case.style, Score()),
            ]
            if case.fresh:
                scores.append(ev.fresh)
            for score in scores:
                score.add(predicted, actual)
            if case.held_out:
                continue
            if predicted and not actual:
                ev.false_positives.append((q.id, kp.point, case.answer))
            elif actual and not predicted:
                ev.false_negatives.append((q.id, kp.point, case.answer))
        flagged = {id(m) for m in coverage.misconceptions}
        for i, m in enumerate(q.misconceptions):
            ev.misconceptions.add(id(m) in flagged, i in case.misconceptions)
    return ev
