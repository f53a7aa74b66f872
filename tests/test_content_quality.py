"""The quality checks, team packs and turning topics off, on small hand-made files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from bot.app import load_bank
from bot.bank import QuestionBank, UnknownTopics, builtin_content_dir
from bot.bank.loader import load_directories
from bot.bank.quality import review
from bot.bank.rounds import NotEnoughQuestions, draw_mock_round
from bot.bank.syllabus import Syllabus, load_syllabus
from bot.config import ConfigurationError, Settings
from tests.conftest import FIXTURES

ANSWER = (
    "Gradient clipping caps the norm of the gradient before the optimiser step, so one "
    "exploding batch cannot throw the weights far away. Warm-up starts the learning rate "
    "small and raises it over the first few thousand steps. Loss scaling keeps small "
    "half-precision gradients from underflowing to zero. "
) * 3


def open_q(qid: str, **overrides) -> dict:
    q = {
        "id": qid,
        "format": "open",
        "kind": "technical",
        "difficulty": "medium",
        "subjects": ["vanishing-gradients"],
        "prompt": "Your training loss turns into NaN after a few hours. What do you change?",
        "why_asked": "It shows whether the candidate knows the usual stabilisers.",
        "model_answer": ANSWER,
        "key_points": [
            {"point": "Clip the gradient norm", "phrases": ["gradient clipping", "clip the norm"]},
            {"point": "Warm up the learning rate", "phrases": ["warm-up", "warmup"]},
            {"point": "Scale the loss in fp16", "phrases": ["loss scaling"]},
        ],
        "tips": ["Say which symptom points to which fix."],
    }
    q.update(overrides)
    return q


def choice_q(qid: str, correct: int, prompt: str, long_correct: bool = False) -> dict:
    options = [
        {"text": f"Option number {i + 1} for {qid}", "why": "A reason long enough."}
        for i in range(4)
    ]
    options[correct]["correct"] = True
    if long_correct:
        options[correct]["text"] += " with a much longer and more specific wording"
    return {
        "id": qid,
        "format": "choice",
        "kind": "technical",
        "difficulty": "easy",
        "subjects": ["vanishing-gradients"],
        "prompt": prompt,
        "options": options,
        "explanation": "An explanation that is long enough to pass the schema.",
    }


def distinct_prompt(i: int) -> str:
    return "Fixture prompt " + hashlib.sha256(str(i).encode()).hexdigest()[:40]


def write_file(directory: Path, name: str, topic: str, questions: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(yaml.safe_dump({"topic": topic, "questions": questions}), encoding="utf-8")
    return path


def findings(directory: Path, **kwargs) -> list[str]:
    files, errors = load_directories([directory], load_syllabus())
    assert errors == []
    return [str(f) for f in review(files, **kwargs)]


def test_a_clean_question_has_no_findings(tmp_path: Path):
    write_file(tmp_path, "a.yaml", "models-training", [open_q("q-clean")])
    assert findings(tmp_path) == []


def test_a_model_answer_that_misses_its_key_points_is_reported(tmp_path: Path):
    thin = "Lower the learning rate and try again until the loss stops blowing up. " * 8
    write_file(tmp_path, "a.yaml", "models-training", [open_q("q-thin", model_answer=thin)])
    [finding] = findings(tmp_path)
    assert "question 'q-thin', field 'key_points'" in finding
    assert "covers only 0 of 3" in finding and "Clip the gradient norm" in finding


def test_a_phrase_that_is_a_prompt_word_rewards_a_one_word_answer(tmp_path: Path):
    q = open_q("q-lazy")
    q["key_points"][0]["phrases"] = ["training"]  # "training" is in the prompt
    q["model_answer"] = ANSWER + " Training then resumes."
    write_file(tmp_path, "a.yaml", "models-training", [q])
    out = findings(tmp_path)
    assert any("the one-word answer 'training' covers 1 of 3" in f for f in out)
    assert all("q-lazy" in f and "field 'key_points'" in f for f in out)


def test_a_model_answer_that_triggers_its_own_misconception_is_reported(tmp_path: Path):
    q = open_q(
        "q-self-contradicting",
        misconceptions=[
            {
                "mistake": "Thinking warm-up alone fixes fp16 underflow",
                "phrases": ["first few thousand steps"],
                "correction": "Underflow needs loss scaling, not a schedule.",
            }
        ],
    )
    write_file(tmp_path, "a.yaml", "models-training", [q])
    [finding] = findings(tmp_path)
    assert "field 'misconceptions'" in finding and "itself triggers" in finding


def test_model_answer_length_outside_the_range_is_reported(tmp_path: Path):
    q = open_q("q-long", model_answer=ANSWER + " ok" * 250)
    write_file(tmp_path, "a.yaml", "models-training", [q])
    [finding] = findings(tmp_path)
    assert "field 'model_answer'" in finding and "aim for 90-330" in finding


def test_an_unrelated_answer_that_scores_is_reported(tmp_path: Path):
    # The SQL answer mentions gradient clipping, so it "covers" an unrelated question.
    sql = open_q(
        "q-sql", kind="sql", subjects=["sql-optimisation"], prompt="Why is this query slow today?"
    )
    sql["key_points"] = [
        {"point": "Read the plan", "phrases": ["query plan"]},
        {"point": "Add an index", "phrases": ["composite index"]},
        {"point": "Select fewer columns", "phrases": ["only the needed columns"]},
    ]
    sql["model_answer"] = (
        "I read the query plan first, add a composite index on the filter columns and select "
        "only the needed columns. Warmup and gradient clipping are unrelated here. "
    ) * 4
    write_file(tmp_path, "a.yaml", "models-training", [open_q("q-train")])
    write_file(tmp_path, "b.yaml", "sql", [sql])
    out = findings(tmp_path)
    assert any("q-train" in f and "model answer of 'q-sql' covers 2 of 3" in f for f in out)
    # Sharing a tag marks the questions as related, so the same overlap is fine.
    tagged = open_q("q-train", tags=["sql-training"])
    sql["tags"] = ["sql-training"]
    write_file(tmp_path, "a.yaml", "models-training", [tagged])
    write_file(tmp_path, "b.yaml", "sql", [sql])
    assert not any("model answer of" in f for f in findings(tmp_path))


def test_near_identical_prompts_are_reported_once(tmp_path: Path):
    prompt = "Which activation function helps most against vanishing gradients in deep nets?"
    write_file(
        tmp_path,
        "a.yaml",
        "models-training",
        [
            choice_q("q-one", 0, prompt),
            choice_q("q-two", 1, prompt.replace("most", "the most")),
            choice_q("q-three", 2, "What does batch normalisation normalise, and over which axis?"),
        ],
    )
    out = [f for f in findings(tmp_path) if "field 'prompt'" in f]
    assert len(out) == 1 and "q-two" in out[0] and "'q-one'" in out[0]


def test_correct_positions_and_longest_option_are_checked(tmp_path: Path):
    skewed = [choice_q(f"q-{i:02d}", 0, distinct_prompt(i), True) for i in range(20)]
    write_file(tmp_path, "a.yaml", "models-training", skewed)
    out = [f for f in findings(tmp_path) if "field 'options'" in f]
    assert any("option 1 is correct in 100% of 20" in f for f in out)
    assert any("option 4 is correct in 0% of 20" in f for f in out)
    assert any("the correct option is the longest in 20 of 20" in f for f in out)
    balanced = [choice_q(f"q-{i:02d}", i % 4, distinct_prompt(i)) for i in range(20)]
    write_file(tmp_path, "a.yaml", "models-training", balanced)
    assert findings(tmp_path) == []


def test_syllabus_gaps_name_the_subject_and_what_it_needs(tmp_path: Path):
    syllabus = Syllabus.model_validate(
        {
            "topics": [{"id": "models-training", "title": "Models"}],
            "subjects": [
                {
                    "id": "vanishing-gradients",
                    "topic": "models-training",
                    "technical": True,
                    "title": "Vanishing gradients",
                },
                {
                    "id": "cnn",
                    "topic": "models-training",
                    "technical": True,
                    "title": "Convolutional networks",
                },
                {"id": "why-ml", "topic": "models-training", "technical": False, "title": "Why ML"},
            ],
        }
    )
    write_file(
        tmp_path,
        "a.yaml",
        "models-training",
        [open_q("q-open"), choice_q("q-c1", 0, "A first distinct prompt about gradients")],
    )
    files, _ = load_directories([tmp_path])
    out = [str(f) for f in review(files, syllabus=syllabus, coverage_topics=["models-training"])]
    assert any("'vanishing-gradients'" in f and "needs 1 more multiple-choice" in f for f in out)
    assert any("'cnn'" in f and "an open question and 2 more multiple-choice" in f for f in out)
    assert any("'why-ml'" in f and "needs an open question" in f for f in out)
    assert not any("'why-ml'" in f and "multiple-choice" in f for f in out)


def test_unknown_subject_is_an_error_with_a_suggestion(tmp_path: Path):
    write_file(
        tmp_path, "a.yaml", "models-training", [open_q("q-typo", subjects=["vanishing-gradient"])]
    )
    _, errors = load_directories([tmp_path], load_syllabus())
    [error] = errors
    assert (error.question_id, error.field) == ("q-typo", "subjects")
    assert "did you mean 'vanishing-gradients'" in error.message


# --- team packs and topics turned off ---------------------------------------------


def test_team_pack_is_merged_and_builtin_topics_can_be_turned_off():
    syllabus = load_syllabus()
    full = QuestionBank.load([builtin_content_dir()], syllabus=syllabus)
    merged = QuestionBank.load(
        [builtin_content_dir()],
        extra=[FIXTURES / "pack"],
        syllabus=syllabus,
        disabled_topics=["sql", "behavioral"],
    )
    assert "behavioral" not in merged.topic_ids()
    # The team's own sql question stays although the built-in sql topic is off.
    assert [q.id for q in merged.select("sql")] == ["acme-sql-warehouse-partitions"]
    assert merged.title("acme-onboarding") == "Acme onboarding"
    removed = len(full.select("sql")) + len(full.select("behavioral"))
    assert len(merged) == len(full) - removed + 2


def test_pack_ids_must_not_clash_with_builtin_ids(tmp_path: Path):
    q = open_q("fund-clash")
    builtin_ids = [q.id for q in QuestionBank.load([builtin_content_dir()]).select()]
    q["id"] = builtin_ids[0]
    write_file(tmp_path, "pack.yaml", "models-training", [q])
    with pytest.raises(Exception, match="duplicate id") as info:
        QuestionBank.load([builtin_content_dir()], extra=[tmp_path])
    assert str(tmp_path) in str(info.value)


def test_unknown_disabled_topic_is_refused_with_the_list():
    with pytest.raises(UnknownTopics, match=r"quantum: not a topic.*fundamentals"):
        QuestionBank.load([builtin_content_dir()], disabled_topics=["quantum"])


def test_disabled_topics_setting(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MLPREP_DISABLED_TOPICS", " Behavioral, sql ,")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.disabled_topics == ["behavioral", "sql"]
    assert "behavioral" not in load_bank(settings).topic_ids()
    monkeypatch.setenv("MLPREP_DISABLED_TOPICS", "behavioural")
    with pytest.raises(ConfigurationError, match="MLPREP_DISABLED_TOPICS: behavioural"):
        load_bank(Settings(_env_file=None))  # type: ignore[call-arg]


def test_pack_with_unknown_subject_is_refused_at_start_up(tmp_path: Path, monkeypatch):
    write_file(tmp_path, "pack.yaml", "acme", [open_q("acme-q", subjects=["acme-only"])])
    monkeypatch.setenv("MLPREP_EXTRA_CONTENT_DIR", str(tmp_path))
    with pytest.raises(Exception, match="'acme-only' is not a subject"):
        load_bank(Settings(_env_file=None))  # type: ignore[call-arg]


# --- mock rounds on a small bank --------------------------------------------------


def test_mock_round_reports_what_is_missing(tmp_path: Path):
    topics = [f"topic-{i}" for i in range(6)]
    for i, topic in enumerate(topics):
        write_file(tmp_path, f"{topic}.yaml", topic, [open_q(f"q-{i}")])
    bank = QuestionBank.load([tmp_path])
    import random

    with pytest.raises(NotEnoughQuestions) as info:
        draw_mock_round(bank, topics, random.Random(1))
    message = str(info.value)
    assert "7 topics (only 6" in message and "a scenario question" in message
    assert "a behavioral question" in message
