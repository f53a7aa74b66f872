"""'me export' and 'me delete': one person's data in one team, nobody else's."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bot import commands as cmd
from bot.clock import ManualClock
from bot.domain import Who
from bot.service import PracticeService
from bot.store import Database
from tests.conftest import who

TABLES = (
    "attempts", "points_ledger", "points_totals", "quiz_sessions", "sr_cards", "sr_reviews",
    "questions_seen", "streaks",
)  # fmt: skip


async def play(service: PracticeService, person: Who) -> None:
    """A right answer, a written answer with its rating, so every table has rows."""
    [q] = await service.handle_text(person, "quiz alpha hard 1")
    await service.handle_action(person, q.buttons[2].action_id)
    [q] = await service.handle_text(person, "quiz alpha medium 1")
    assert q.text_prompt is not None
    [fb] = await service.handle_action(
        person, q.text_prompt.action_id, "dropout and early stopping"
    )
    await service.handle_action(person, fb.buttons[2].action_id)


async def counts(db: Database, user_pk: int) -> dict[str, int]:
    out = {}
    for table in TABLES:
        row = await db.fetchone(f"SELECT count(*) FROM {table} WHERE user_id = ?", (user_pk,))
        out[table] = row[0]
    return out


async def user_pk(db: Database, person: Who) -> int | None:
    row = await db.fetchone(
        "SELECT u.id FROM users u JOIN teams t ON t.id = u.team_id"
        " WHERE t.external_id = ? AND u.external_id = ?",
        (person.team_id, person.user_id),
    )
    return row[0] if row else None


def test_me_commands_parse():
    assert cmd.parse("me export") == cmd.MeExport()
    assert cmd.parse("me delete") == cmd.MeDelete()
    assert cmd.parse("me delete 123456") == cmd.MeDelete("123456")
    assert isinstance(cmd.parse("me"), cmd.UsageError)


async def test_export_is_a_json_file_of_the_persons_own_data(service: PracticeService):
    ada, bo = who("ada"), who("bo")
    await play(service, ada)
    await play(service, bo)
    [reply] = await service.handle_text(ada, "me export")
    [f] = reply.files
    assert f.mime == "application/json" and f.filename.startswith("mlprep-export-")
    data = json.loads(f.data)
    assert data["user"]["user_id"] == "ada" and data["user"]["team_id"] == "t1"
    assert len(data["attempts"]) == 2 and data["attempts"][1]["answer_text"].startswith("dropout")
    assert data["streak"]["current"] == 1
    assert {c["question_id"] for c in data["cards"]} == {"a-choice-hard", "a-open-medium"}
    assert len(data["reviews"]) == 2 and data["mock_rounds"] == []
    assert {p["period"] for p in data["points"]} == {"all", "week", "month"}
    assert "bo" not in f.data.decode()

    [nothing] = await service.handle_text(who("new"), "me export")
    assert nothing.files == () and "Nothing is stored" in nothing.body


async def test_delete_asks_first_then_erases_only_this_person_in_this_team(
    service: PracticeService, db: Database
):
    ada, bo, ada_elsewhere = who("ada"), who("bo"), who("ada", team="t2")
    for person in (ada, bo, ada_elsewhere):
        await play(service, person)
    ada_pk = await user_pk(db, ada)
    assert ada_pk is not None
    before_bo = await counts(db, await user_pk(db, bo))
    before_other = await counts(db, await user_pk(db, ada_elsewhere))
    assert all(before_bo.values()) and all(before_other.values())

    [ask] = await service.handle_text(ada, "me delete")
    assert ask.title == "Delete your data?" and "2 answers" in ask.body
    assert await counts(db, ada_pk) != dict.fromkeys(TABLES, 0)  # asking deletes nothing
    code = ask.buttons[0].action_id.removeprefix("xd:")
    assert f"me delete {code}" in ask.body

    [wrong] = await service.handle_text(ada, "me delete 000000")
    assert wrong.tone == "error" and "not valid" in wrong.body
    [not_theirs] = await service.handle_action(bo, ask.buttons[0].action_id)
    assert not_theirs.tone == "error"  # a code works only for whoever asked

    [done] = await service.handle_action(ada, ask.buttons[0].action_id)
    assert done.title == "Your data is deleted" and "2 answers" in done.body
    assert await counts(db, ada_pk) == dict.fromkeys(TABLES, 0)
    assert await user_pk(db, ada) is None
    assert await counts(db, await user_pk(db, bo)) == before_bo
    assert await counts(db, await user_pk(db, ada_elsewhere)) == before_other

    [again] = await service.handle_text(ada, f"me delete {code}")  # codes work once
    assert "Nothing is stored" in again.body
    [board] = await service.handle_text(bo, "leaderboard")
    assert "ada" not in board.body and "bo" in board.body
    await play(service, ada)  # a fresh start works
    [stats] = await service.handle_text(ada, "stats")
    assert "Attempts: 2" in stats.body


async def test_the_ledger_still_refuses_deletes_outside_an_erasure(
    service: PracticeService, db: Database
):
    await play(service, who("ada"))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await db.transaction(lambda c: c.execute("DELETE FROM points_ledger"))


async def test_a_code_expires_after_ten_minutes(service: PracticeService, clock: ManualClock):
    await play(service, who("ada"))
    [ask] = await service.handle_text(who("ada"), "me delete")
    clock.advance(minutes=11)
    [late] = await service.handle_action(who("ada"), ask.buttons[0].action_id)
    assert late.tone == "error" and "me delete" in late.body
    [keep] = await service.handle_action(who("ada"), ask.buttons[1].action_id)
    assert keep.body == "Nothing was deleted."
