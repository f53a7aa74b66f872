"""The built-in question bank, held to the content contract (issue 3).

Each test runs one of the quality checks over the whole bank, so a failure names the
rule that broke; test_content_quality.py shows each check catching a bad question.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from bot.bank import QuestionBank, builtin_content_dir
from bot.bank.loader import LoadedFile, load_directories
from bot.bank.quality import (
    check_answers,
    check_choice_balance,
    check_duplicate_prompts,
    locate,
    syllabus_gaps,
)
from bot.bank.rounds import TECHNICAL_SLOTS, draw_mock_round
from bot.bank.schema import ChoiceQuestion, Kind, OpenQuestion
from bot.bank.syllabus import Syllabus, load_syllabus

MIN_QUESTIONS = 250
MOCK_ROUNDS = 10


@pytest.fixture(scope="module")
def syllabus() -> Syllabus:
    return load_syllabus()


@pytest.fixture(scope="module")
def files(syllabus: Syllabus) -> list[LoadedFile]:
    loaded, errors = load_directories([builtin_content_dir()], syllabus)
    assert [str(e) for e in errors] == []
    return loaded


@pytest.fixture(scope="module")
def bank(syllabus: Syllabus) -> QuestionBank:
    return QuestionBank.load([builtin_content_dir()], syllabus=syllabus)


def test_syllabus_lists_every_topic_and_subject(syllabus: Syllabus):
    assert [t.id for t in syllabus.topics] == [
        "fundamentals",
        "evaluation",
        "data-features",
        "models-training",
        "production-mlops",
        "system-design",
        "sql",
        "behavioral",
        "interview-craft",
        "modern-ml",
    ]
    per_topic = Counter(s.topic for s in syllabus.subjects)
    # The subject lines of ../shared/TOPICS.md, topic by topic.
    assert per_topic == {
        "fundamentals": 12,
        "evaluation": 9,
        "data-features": 11,
        "models-training": 8,
        "production-mlops": 11,
        "system-design": 4,
        "sql": 3,
        "behavioral": 16,
        "interview-craft": 3,
        "modern-ml": 11,
    }
    non_technical = {s.topic for s in syllabus.subjects if not s.technical}
    assert non_technical == {"behavioral", "interview-craft"}


def test_every_file_loads_and_the_bank_is_big_enough(files: list[LoadedFile], bank: QuestionBank):
    assert len(bank) >= MIN_QUESTIONS
    assert {f.topic for f in files} == set(bank.topic_ids())
    assert all(f.path.name == f"{f.topic}.yaml" for f in files)  # grouped by topic


def test_every_question_names_its_subjects(bank: QuestionBank, syllabus: Syllabus):
    untagged = [q.id for q in bank.select() if not q.subjects]
    assert untagged == []
    unused = set(syllabus.by_id) - {s for q in bank.select() for s in q.subjects}
    assert unused == set()


def test_every_subject_is_covered_as_required(files, syllabus: Syllabus):
    gaps = syllabus_gaps(locate(files), syllabus, [t.id for t in syllabus.topics])
    assert [str(g) for g in gaps] == []


def test_kinds_and_difficulties_are_all_used(bank: QuestionBank):
    kinds = Counter(q.kind for q in bank.select())
    assert set(kinds) == set(Kind)
    for topic in bank.topic_ids():
        levels = {q.difficulty for q in bank.select(topic)}
        assert len(levels) >= 2, f"{topic} uses only {levels}"
    behavioral = [q for q in bank.select() if q.kind is Kind.BEHAVIORAL]
    assert all(isinstance(q, OpenQuestion) and q.star for q in behavioral)


def test_model_answers_cover_their_key_points_and_weak_answers_do_not(files):
    items = locate(files)
    assert [str(f) for f in check_answers(items, items)] == []


def test_correct_options_are_spread_and_not_given_away(files):
    items = locate(files)
    choices = [i.question for i in items if isinstance(i.question, ChoiceQuestion)]
    positions = Counter(q.correct_index for q in choices)
    assert all(0.15 <= positions[p] / len(choices) <= 0.35 for p in range(4)), positions
    assert [str(f) for f in check_choice_balance(items, "the built-in bank")] == []


def test_options_are_distinct_and_never_all_or_none_of_the_above(bank: QuestionBank):
    for q in bank.select():
        if isinstance(q, ChoiceQuestion):
            texts = [o.text.casefold().strip(" .") for o in q.options]
            assert len(set(texts)) == 4, q.id
            assert not {"all of the above", "none of the above"} & set(texts), q.id
            assert all(o.why for o in q.options), q.id


def test_no_two_prompts_are_near_identical(files):
    items = locate(files)
    assert [str(f) for f in check_duplicate_prompts(items, items)] == []


def test_ten_mock_rounds_without_repeating_a_question(bank: QuestionBank, syllabus: Syllabus):
    rng = random.Random(2026)
    used: set[str] = set()
    for _ in range(MOCK_ROUNDS):
        questions = draw_mock_round(bank, syllabus.technical_topics(), rng, exclude=used)
        technical, scenario, behavioral = questions[:TECHNICAL_SLOTS], questions[-2], questions[-1]
        assert len({q.topic for q in technical}) == TECHNICAL_SLOTS
        assert all(q.kind in {Kind.TECHNICAL, Kind.SQL, Kind.SYSTEM_DESIGN} for q in technical)
        assert scenario.kind is Kind.SCENARIO and behavioral.kind is Kind.BEHAVIORAL
        ranks = ["easy", "medium", "hard"]
        assert [ranks.index(q.difficulty) for q in technical] == sorted(
            ranks.index(q.difficulty) for q in technical
        )
        ids = {q.id for q in questions}
        assert len(ids) == 9 and not ids & used
        used |= ids
