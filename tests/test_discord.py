"""The Discord adapter end to end: the real discord.py client logged in to a loopback fake
Discord, slash commands, clicks and modal submissions sent over its gateway, answers
checked at the fake's REST API and in the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.bank import QuestionBank
from bot.clock import ManualClock
from bot.store import Database
from tests.discord_fake import APP_ID
from tests.discord_rig import ADMIN, CHANNEL, GUILD, MEMBER, TOKEN, DiscordRig, shown

PRIVILEGED = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content


@pytest.fixture
async def rig(db: Database, bank: QuestionBank, clock: ManualClock) -> AsyncIterator[DiscordRig]:
    r = await DiscordRig(db, bank, clock).start()
    try:
        yield r
    finally:
        await r.close()


async def rows(db: Database, sql: str, params: tuple = ()) -> list[tuple]:
    return [tuple(r) for r in await db.fetchall(sql, params)]


def no_mentions(body: dict[str, Any]) -> bool:
    return body.get("allowed_mentions") == {"parse": []}


async def test_logs_in_without_privileged_intents_and_does_not_sync(rig: DiscordRig):
    [identify] = rig.fake.identifies
    assert identify["token"] == TOKEN
    assert identify["intents"] & PRIVILEGED == 0
    assert rig.fake.calls_to("PUT /applications/{id}/commands") == []
    assert not any(c.method == "PUT" for c in rig.fake.calls)


async def test_a_full_quiz_by_buttons(rig: DiscordRig, db: Database):
    [question] = await rig.command(
        "prep quiz", {"topic": "alpha", "difficulty": "hard", "count": 1}
    )
    assert question.kind == "callback" and question.type == 4 and question.ephemeral
    assert question.title.startswith("Question 1 of 1")
    assert no_mentions(question.body)
    buttons = rig.components_of(question)
    assert set(buttons) == {"Option one", "Option two", "Option three", "Option four", "Skip"}
    assert all(cid.startswith("prep:qa:") for label, cid in buttons.items() if label != "Skip")
    feedback, summary = await rig.click(question, "Option three", shown_count=2)
    assert feedback.title == "Correct" and "+30 points" in feedback.text
    assert feedback.ephemeral and summary.ephemeral
    assert summary.title == "Score" and "answered 1 of 1" in summary.text
    assert await rows(db, "SELECT choice, correct, points FROM attempts") == [(2, 1, 30)]
    people = "SELECT t.platform, t.external_id, u.external_id, u.display_name FROM users u "
    people += "JOIN teams t ON t.id = u.team_id"
    assert await rows(db, people) == [("discord", GUILD, MEMBER, "bo")]
