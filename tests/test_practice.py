"""`practice [topic]`: due reviews first, then new questions from the weakest topics,
ending with when the next reviews fall due."""

from __future__ import annotations

import random

from bot import practice
from bot.bank import QuestionBank
from bot.clock import ManualClock
from bot.service import PracticeService
from bot.store import Database
from bot.store.reads import TopicStats
from tests.conftest import who


def test_due_first_then_new_from_the_weakest_topic(bank: QuestionBank):
    stats = [TopicStats("alpha", 4, 1, 10), TopicStats("beta", 4, 4, 40)]
    plan = practice.plan(
        bank, ["b-choice-medium", "gone-from-bank"], {"b-choice-medium"}, stats, None,
        random.Random(1), size=4,
    )  # fmt: skip
    assert plan.due == ["b-choice-medium"]  # a removed question's card is skipped
    assert plan.weak_topics[0] == "alpha"
    assert {bank.get(q).topic for q in plan.new[:3]} == {"alpha"}  # alpha is weaker
    assert "b-choice-medium" not in plan.new and len(plan.question_ids) == 4


def test_a_topic_limits_both_reviews_and_new_questions(bank: QuestionBank):
    plan = practice.plan(
        bank, ["b-choice-medium", "a-choice-easy"], {"a-choice-easy", "b-choice-medium"}, [],
        "alpha", random.Random(1),
    )  # fmt: skip
    assert plan.due == ["a-choice-easy"]
    assert all(bank.get(q).topic == "alpha" for q in plan.new)
    assert "a-choice-easy" not in plan.new


def test_untried_topics_rank_between_weak_and_strong(bank: QuestionBank):
    strong = [TopicStats("alpha", 2, 2, 20)]
    weak = [TopicStats("alpha", 2, 0, 0)]
    assert practice.weakness_order(bank, strong, None) == ["beta", "alpha"]
    assert practice.weakness_order(bank, weak, None) == ["alpha", "beta"]


async def test_a_practice_round_reviews_due_cards_and_says_what_comes_next(
    service: PracticeService, db: Database, clock: ManualClock
):
    u = who("ada")
    [question] = await service.handle_text(u, "quiz alpha hard 1")
    wrong = next(b for b in question.buttons if b.label == "Option one")
    await service.handle_action(u, wrong.action_id)  # Again: due again in days
    clock.advance(days=30)

    intro, first = await service.handle_text(u, "practice alpha")
    assert intro.title == "Practice" and intro.body.startswith("Practice: 1 card due for review")
    assert first.title.startswith("Question 1 of") and "hard" in first.title  # the due card
    right = next(b for b in first.buttons if b.label == "Option three")
    feedback, after = await service.handle_action(u, right.action_id)
    assert feedback.title == "Correct"
    replies = [after]
    for _ in range(20):  # skip the new questions to the end of the round
        if not (replies[-1].title or "").startswith("Question"):
            break
        skip = next(b for b in replies[-1].buttons if b.label == "Skip")
        replies = await service.handle_action(u, skip.action_id)
    summary = replies[-1]
    assert summary.title == "Practice" and summary.body.startswith("Practice done!")
    assert "Your next review is due in" in summary.body
    logged = await db.fetchall("SELECT source FROM sr_reviews ORDER BY id")
    assert [r[0] for r in logged] == ["quiz", "practice"]
    sources = await db.fetchall("SELECT DISTINCT source FROM attempts ORDER BY source")
    assert [r[0] for r in sources] == ["practice", "quiz"]


async def test_nothing_due_and_nothing_new(service: PracticeService, bank: QuestionBank):
    u = who("bo")
    for q in bank.select("beta"):  # answer every beta question once
        replies = await service.handle_text(u, f"quiz beta {q.difficulty.value} 1")
        question = replies[-1]
        if question.text_prompt is not None:
            [fb] = await service.handle_action(u, question.text_prompt.action_id, "An answer.")
            await service.handle_action(u, fb.buttons[2].action_id)  # Good
        else:
            await service.handle_action(u, question.buttons[0].action_id)
    [reply] = await service.handle_text(u, "practice beta")
    assert reply.body.startswith("Nothing to practise in beta right now")
    assert "next review is due in" in reply.body


async def test_practice_usage_errors(service: PracticeService):
    [unknown] = await service.handle_text(who("cy"), "practice nosuchtopic")
    assert unknown.tone == "error" and "There is no topic 'nosuchtopic'" in unknown.body
    [two] = await service.handle_text(who("cy"), "practice alpha beta")
    assert two.tone == "error" and "practice [topic]" in two.body
