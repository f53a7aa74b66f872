"""Mock interview rounds: shape, no repeats, time per question, pause and resume (also
across a restart), the report and the history."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot import commands as cmd
from bot.bank import OpenQuestion, QuestionBank, builtin_content_dir
from bot.bank.rounds import MockKind, draw_round
from bot.bank.schema import Kind
from bot.clock import ManualClock
from bot.mock import budget_seconds
from bot.replies import Reply
from bot.service import PracticeService
from bot.store import Database
from tests.conftest import who

RANK = {"easy": 0, "medium": 1, "hard": 2}


@pytest.fixture(scope="module")
def real_bank() -> QuestionBank:
    return QuestionBank.load([builtin_content_dir()])


@pytest.fixture
def mock_service(db: Database, real_bank: QuestionBank, clock: ManualClock) -> PracticeService:
    return PracticeService(db, real_bank, clock, rng=random.Random(11))


def question_of(service: PracticeService, reply: Reply) -> OpenQuestion:
    """The bank question a question reply shows (by its prompt)."""
    q = next(q for q in service.bank.select() if q.prompt == reply.body)
    assert isinstance(q, OpenQuestion)
    return q


def model_text(q: OpenQuestion) -> str:
    return q.model_answer or " ".join(q.star.model_dump().values())  # type: ignore[union-attr]


@pytest.mark.parametrize("seed", range(5))
def test_round_shapes(real_bank: QuestionBank, seed: int):
    rng = random.Random(seed)
    mixed = draw_round(real_bank, MockKind.MIXED, rng)
    technical, scenario, behavioral = mixed[:7], mixed[7], mixed[8]
    assert len(mixed) == 9 and len({q.id for q in mixed}) == 9
    assert len({q.topic for q in technical}) == 7  # seven different topics
    assert all(q.kind in {Kind.TECHNICAL, Kind.SQL, Kind.SYSTEM_DESIGN} for q in technical)
    ranks = [RANK[q.difficulty.value] for q in technical]
    assert ranks == sorted(ranks) and ranks[0] < ranks[-1]  # rising difficulty
    assert scenario.kind is Kind.SCENARIO and behavioral.kind is Kind.BEHAVIORAL
    assert all(isinstance(q, OpenQuestion) for q in mixed)

    tech = draw_round(real_bank, MockKind.TECHNICAL, rng)
    assert len(tech) == 6 and len({q.topic for q in tech}) == 6
    assert all(q.kind in {Kind.TECHNICAL, Kind.SQL} for q in tech)
    design = draw_round(real_bank, MockKind.SYSTEM_DESIGN, rng)
    assert [q.kind for q in design] == [Kind.SYSTEM_DESIGN, Kind.SYSTEM_DESIGN, Kind.SCENARIO]
    assert len({q.id for q in design}) == 3
    beh = draw_round(real_bank, MockKind.BEHAVIORAL, rng)
    assert len({q.id for q in beh}) == 4 and all(q.kind is Kind.BEHAVIORAL for q in beh)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mock", cmd.Mock(MockKind.MIXED)),
        ("mock technical", cmd.Mock(MockKind.TECHNICAL)),
        ("mock system design", cmd.Mock(MockKind.SYSTEM_DESIGN)),
        ("mock sd", cmd.Mock(MockKind.SYSTEM_DESIGN)),
        ("mock behavioural", cmd.Mock(MockKind.BEHAVIORAL)),
        ("interview", cmd.Mock(MockKind.MIXED)),
        ("mock history", cmd.MockHistory()),
        ("mock resume", cmd.MockResume()),
        ("mock abandon", cmd.MockAbandon()),
    ],
)
def test_mock_commands_parse(text: str, expected: object):
    assert cmd.parse(text) == expected


def test_an_unknown_kind_says_what_to_type():
    got = cmd.parse("mock frontend")
    assert isinstance(got, cmd.UsageError)
    assert "mixed, technical, system-design, behavioral" in got.message
    assert "mock history" in got.message


async def test_a_mixed_round_end_to_end_with_times_and_report(
    mock_service: PracticeService, clock: ManualClock
):
    u = who("ada")
    intro, first = await mock_service.handle_text(u, "mock")
    assert intro.title == "Mock interview" and "Time budget" in intro.body
    assert first.title.startswith("Mock · Question 1 of 9")
    assert first.text_prompt is not None and "Aim for about" in (first.footer or "")

    seen: list[OpenQuestion] = []
    reply = first
    for i in range(9):
        q = question_of(mock_service, reply)
        seen.append(q)
        clock.advance(minutes=2 + i)
        if i == 4:  # one skipped
            skip = next(b for b in reply.buttons if b.label == "Skip")
            recorded, reply = await mock_service.handle_action(u, skip.action_id)
            assert recorded.body.startswith(f"Skipped ({2 + i}m")
            continue
        answer = model_text(q) if i % 2 == 0 else "I am not sure about this one."
        assert reply.text_prompt is not None
        recorded, reply = await mock_service.handle_action(u, reply.text_prompt.action_id, answer)
        assert recorded.body.startswith(f"Answer recorded ({2 + i}m")
    assert len({q.id for q in seen}) == 9  # no repeats within the round

    report = reply
    assert report.title.startswith("Mock interview report · mixed")
    assert "8 of 9 questions answered" in report.body
    assert "This is your first mixed round" in report.body
    assert len(report.fields) == 9
    # per question: time taken against the budget, and the honest coverage wording
    assert report.fields[0].name.endswith(f"2m of {budget_seconds(seen[0]) // 60} min")
    assert report.fields[0].value.startswith("You covered ")
    assert "Not mentioned" in report.fields[1].value or "none of the" in report.fields[1].value
    assert report.fields[4].value.startswith("Skipped.")
    assert "wrong" not in report.body.lower()
    assert "Topics to practise" in report.body  # the vague answers leave weak topics

    [history] = await mock_service.handle_text(u, "mock history")
    assert "mixed" in history.body and "finished" in history.body and "8/9 answered" in history.body


async def test_pause_resume_and_a_second_round_compares(
    mock_service: PracticeService, clock: ManualClock, db: Database
):
    u = who("bo")
    _, first = await mock_service.handle_text(u, "mock behavioral")
    clock.advance(minutes=3)
    [paused] = await mock_service.handle_text(u, "stop")
    assert "paused after 0 of 4" in paused.body and "mock resume" in paused.body
    clock.advance(days=2)  # a long break is not counted
    refused = await mock_service.handle_text(u, "mock")
    assert "unfinished behavioral mock round" in refused[0].body
    assert [b.label for b in refused[0].buttons] == ["Resume", "Abandon"]

    resumed, again = await mock_service.handle_action(u, refused[0].buttons[0].action_id)
    assert "question 1 of 4" in resumed.body and again.body == first.body
    clock.advance(minutes=1)
    q = question_of(mock_service, again)
    assert again.text_prompt is not None
    recorded, _ = await mock_service.handle_action(u, again.text_prompt.action_id, model_text(q))
    assert recorded.body.startswith("Answer recorded (4m")  # 3 + 1 minutes, not two days

    # A quiz in between pauses the round instead of losing it.
    notes = await mock_service.handle_text(u, "quiz")
    assert "mock round is paused" in notes[0].body
    [report] = await mock_service.handle_text(u, "mock abandon")
    assert report.title.startswith("Mock interview report · behavioral")
    assert "Round abandoned. 1 of 4 questions answered" in report.body

    _intro, nxt = await mock_service.handle_text(u, "mock behavioral")
    for _ in range(4):
        q = question_of(mock_service, nxt)
        assert nxt.text_prompt is not None
        _, nxt = await mock_service.handle_action(u, nxt.text_prompt.action_id, model_text(q))
    assert "Compared with your 1 earlier behavioral round" in nxt.body
    rows = await db.fetchall("SELECT status FROM mock_rounds ORDER BY session_id")
    assert [r[0] for r in rows] == ["abandoned", "finished"]


async def test_a_round_resumes_after_a_restart(
    tmp_path: Path, real_bank: QuestionBank, clock: ManualClock
):
    path = tmp_path / "restart.db"
    db = await Database.open(path)
    first = PracticeService(db, real_bank, clock, rng=random.Random(3))
    u = who("cy")
    _, q1 = await first.handle_text(u, "mock technical")
    assert q1.text_prompt is not None
    await first.handle_action(u, q1.text_prompt.action_id, "gradient descent and a learning rate")
    await db.close()

    db = await Database.open(path)
    try:
        second = PracticeService(db, real_bank, clock, rng=random.Random(3))
        resumed, q2 = await second.handle_text(u, "mock resume")
        assert "question 2 of 6" in resumed.body and q2.title.startswith("Mock · Question 2 of 6")
        assert q2.body != q1.body
    finally:
        await db.close()


async def test_resume_and_abandon_without_a_round_say_what_to_type(
    mock_service: PracticeService,
):
    [resume] = await mock_service.handle_text(who("dee"), "mock resume")
    assert resume.tone == "error" and "Start one with: mock" in resume.body
    [abandon] = await mock_service.handle_text(who("dee"), "mock abandon")
    assert abandon.tone == "error"
    [history] = await mock_service.handle_text(who("dee"), "mock history")
    assert history.body.startswith("No mock rounds yet")
