"""What a practice round asks: due reviews first, then new questions from weak topics."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.bank import QuestionBank
from bot.store.reads import TopicStats

ROUND_SIZE = 10
NEW_PER_TOPIC = 3  # spread new questions over the weakest topics, not all from one
UNTRIED_ACCURACY = 0.5  # a topic never answered ranks between weak and strong ones


@dataclass(frozen=True)
class Plan:
    due: list[str]  # question ids due for review, most overdue first
    new: list[str]  # never answered, from the weakest topics
    weak_topics: list[str]  # the topics the new ones come from, weakest first

    @property
    def question_ids(self) -> list[str]:
        return self.due + self.new


def weakness_order(bank: QuestionBank, stats: list[TopicStats], topic: str | None) -> list[str]:
    """Topics weakest first: lowest accuracy, more attempts breaking ties (surer), then
    untried topics as middling."""
    if topic is not None:
        return [topic]
    accuracy = {s.topic: (s.accuracy, -s.attempts) for s in stats}
    return sorted(bank.topic_ids(), key=lambda t: (*accuracy.get(t, (UNTRIED_ACCURACY, 0)), t))


def plan(
    bank: QuestionBank,
    due_ids: list[str],
    carded: set[str],
    stats: list[TopicStats],
    topic: str | None,
    rng: random.Random,
    size: int = ROUND_SIZE,
) -> Plan:
    due = []
    for qid in due_ids:
        q = bank.get(qid)  # a question removed from the bank is skipped, its card kept
        if q is not None and (topic is None or q.topic == topic):
            due.append(qid)
    due = due[:size]
    new: list[str] = []
    used: list[str] = []
    per_topic = size if topic is not None else NEW_PER_TOPIC
    for t in weakness_order(bank, stats, topic):
        if len(due) + len(new) >= size:
            break
        fresh = [q.id for q in bank.select(t) if q.id not in carded]
        rng.shuffle(fresh)
        take = fresh[: min(per_topic, size - len(due) - len(new))]
        if take:
            new += take
            used.append(t)
    return Plan(due, new, used)
