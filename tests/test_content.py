"""The content schema, the loader's error reports, the key-point matcher and the starter bank."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank import ContentInvalid, QuestionBank
from bot.bank.loader import load_directories, load_file
from bot.bank.schema import ChoiceQuestion, KeyPoint, OpenQuestion
from bot.keypoints import assess, phrase_present
from tests.conftest import FIXTURES

CHOICE = """
topic: test-topic
questions:
  - id: q-one
    format: choice
    kind: technical
    difficulty: easy
    prompt: A prompt that is long enough.
    options:
{options}
    explanation: An explanation that is long enough to pass.
"""


def _options(*items: tuple[str, bool]) -> str:
    return "\n".join(
        f"      - {{text: '{t}', correct: {str(c).lower()}, why: 'a reason here'}}"
        for t, c in items
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "file.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ((("a", True), ("b", False), ("c", False), ("d", False)), None),
        ((("a", True), ("b", True), ("c", False), ("d", False)), "exactly one option"),
        ((("a", False), ("b", False), ("c", False), ("d", False)), "exactly one option"),
        ((("a", True), ("A", False), ("c", False), ("d", False)), "same text"),
        ((("a", True), ("b", False), ("c", False), ("None of the above", False)), "not allowed"),
        ((("a", True), ("b", False), ("c", False)), "at least 4"),
    ],
)
def test_choice_rules(tmp_path: Path, options, message):
    loaded, errors = load_file(write(tmp_path, CHOICE.format(options=_options(*options))))
    if message is None:
        assert errors == [] and isinstance(loaded.questions[0], ChoiceQuestion)
    else:
        assert len(errors) == 1
        assert errors[0].question_id == "q-one" and errors[0].field == "options"
        assert message in errors[0].message


def test_every_broken_question_is_reported_with_its_field():
    _, errors = load_directories([FIXTURES / "broken"])
    where = {(Path(e.file).name, e.question_id, e.field) for e in errors}
    assert ("bad.yaml", "broken-two-correct", "options") in where
    assert ("bad.yaml", "broken-open", "difficulty") in where
    assert ("bad.yaml", "broken-open", "model_answer") in where
    assert ("bad.yaml", "broken-open", "key_points") in where
    assert any(e.file.endswith("syntax.yaml") and "line 5" in e.message for e in errors)


def test_duplicate_ids_and_missing_fields(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(
        CHOICE.format(options=_options(*[("a", True), ("b", False), ("c", False), ("d", False)]))
    )
    (tmp_path / "b.yaml").write_text((tmp_path / "a.yaml").read_text())
    (tmp_path / "c.yaml").write_text(
        "topic: tt\nquestions:\n  - format: open\n    kind: technical\n"
    )
    _, errors = load_directories([tmp_path])
    assert any(e.field == "id" and "duplicate id" in e.message for e in errors)
    missing = {e.field for e in errors if e.file.endswith("c.yaml")}
    assert {"id", "difficulty", "prompt", "why_asked", "key_points", "tips"} <= missing


def test_bank_load_raises_with_every_problem_listed():
    with pytest.raises(ContentInvalid) as info:
        QuestionBank.load([FIXTURES / "broken"])
    assert len(info.value.errors) >= 5 and "broken-open" in str(info.value)


def test_behavioral_needs_star_and_others_need_model_answer(tmp_path: Path):
    base = {
        "id": "x-open",
        "format": "open",
        "difficulty": "easy",
        "prompt": "Tell me about something that happened.",
        "why_asked": "Because it shows how the candidate thinks.",
        "key_points": [{"point": f"point {i}", "phrases": [f"phrase{i}"]} for i in range(3)],
        "tips": ["A tip that is long enough."],
    }
    with pytest.raises(ValueError, match="star"):
        OpenQuestion.model_validate({**base, "kind": "behavioral"})
    with pytest.raises(ValueError, match="model_answer"):
        OpenQuestion.model_validate({**base, "kind": "technical"})


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        ("precision", "we track precision daily", True),
        ("precision", "we track Precison daily", True),  # one typo in a long word
        ("feature", "scaled features", True),  # plural
        ("auc", "look at the pr-auc", True),
        ("auc", "because", False),  # short phrases need whole words
        ("l2", "l2 penalty", True),
        ("l2", "l20", False),
        ("regression", "aggression", False),
        ("regression", "progression", False),
        ("variance", "varaince", True),
        ("early stopping", "early-stopping", True),
        ("early stopping", "stop early", True),  # same words by stem, any order
        ("early stopping", "stop the run once validation loss rises early", False),  # too far
        ("cross entropy", "minimise crossentropy", True),  # a compound written joined
        ("regularization", "add some Regularisation", True),  # British spelling
        ("labeled data", "more labelled data", True),
        ("calibrate the scores", "check score calibration", True),  # stems
        ("pca", "run PCA first", True),
        ("pca", "pcas", True),
        ("pca", "epca", False),
        ("l1", "an L1-penalty", True),
        ("knn", "knnx", False),
        ("holdout set", "you don't need a holdout set", False),  # negated
        ("holdout set", "never touch the holdout set until the end", False),
        ("holdout set", "I keep a holdout set and never touch it", True),
        ("without blaming", "I explained it without blaming anyone", True),  # negative phrase
        ("precision", "decision", False),  # a misspelling keeps its first letter
    ],
)
def test_phrase_matching(phrase: str, text: str, expected: bool):
    assert phrase_present(phrase, text) is expected


def test_assess_reports_covered_missed_and_misconceptions(bank: QuestionBank):
    q = bank.get("a-open-medium")
    assert isinstance(q, OpenQuestion)
    full = assess(q.model_answer or "", q.key_points, q.misconceptions)
    assert full.fraction == 1.0 and full.misconceptions == ()
    partial = assess("Just use a bigger model with more layers.", q.key_points, q.misconceptions)
    assert partial.fraction == 0.0 and len(partial.misconceptions) == 1
    kp = [KeyPoint(point="use dropout", phrases=["dropout"])]
    assert assess("", kp, []).fraction == 0.0
