"""The Discord adapter end to end: the real discord.py client logged in to a loopback fake
Discord, slash commands, clicks and modal submissions sent over its gateway, answers
checked at the fake's REST API and in the database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from discord.ext.commands import AutoShardedBot

from adapters.discord.poster import DiscordPoster
from adapters.discord.run import sync_commands
from bot.bank import QuestionBank
from bot.clock import ManualClock
from bot.replies import Button, Reply
from bot.store import Database
from tests.discord_fake import APP_ID, SEND_MESSAGES
from tests.discord_rig import (
    ADMIN,
    CALLBACK,
    CHANNEL,
    GUILD,
    MEMBER,
    OTHER_CHANNEL,
    TOKEN,
    DiscordRig,
    shown,
)

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
    assert not isinstance(rig.platform.bot, AutoShardedBot)  # one connection unless asked
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


async def test_a_written_answer_through_the_modal(rig: DiscordRig, db: Database):
    note, question = await rig.command(
        "prep quiz", {"topic": "alpha", "difficulty": "medium"}, shown_count=2
    )
    assert note.text == "Only 1 question matches, so this quiz has 1."
    opener = rig.components_of(question)["Write your answer"]
    assert opener.startswith("prep-write:qw:")
    [modal] = await rig.run(rig.click_payload(question, opener), shown_count=0)
    assert modal.type == 9  # the modal is the first response to the click
    modal_id = modal.body["custom_id"]
    assert modal_id == "prep-answer:" + opener.removeprefix("prep-write:")

    blank = rig.fake.modal_submit(
        modal_id, {"answer": "   "}, user_id=MEMBER, guild_id=GUILD, channel_id=CHANNEL
    )
    [refused] = shown(await rig.run(blank))
    assert refused.ephemeral and "empty" in refused.text.lower()
    assert await rows(db, "SELECT count(*) FROM attempts") == [(0,)]

    text = "Regularisation, more data and early stopping reduce overfitting."
    submit = rig.fake.modal_submit(
        modal_id, {"answer": text}, user_id=MEMBER, guild_id=GUILD, channel_id=CHANNEL
    )
    [feedback] = shown(await rig.run(submit))
    assert feedback.ephemeral and feedback.title == "Your written answer"
    assert "You covered" in feedback.text and "Model answer" in feedback.text
    assert {"Again", "Hard", "Good", "Easy"} <= set(rig.components_of(feedback))
    assert await rows(db, "SELECT answer_text FROM attempts") == [(text,)]


async def test_leaderboard_streak_stats_help_and_topics(rig: DiscordRig):
    [question] = await rig.command(
        "prep quiz", {"topic": "alpha", "difficulty": "hard", "count": 1}
    )
    await rig.click(question, "Option three", shown_count=2)

    board = await rig.run(rig.slash("prep leaderboard", {"period": "week"}))
    assert board[0].type == 5 and not board[0].ephemeral  # deferred, for the channel
    [table] = shown(board)
    assert table.kind == "edit" and table.title == "Leaderboard · This week"
    assert table.embed["description"].startswith("```") and "30 pts  bo" in table.text

    [streak] = await rig.command("prep streak")
    assert streak.title == "Streak" and "Current streak: 1 day" in streak.text
    stats = await rig.run(rig.slash("prep stats"))
    assert stats[0].type == 5 and stats[0].ephemeral
    assert shown(stats)[0].title == "Your stats" and "Alpha topic: 1/1" in shown(stats)[0].text
    [(filename, png, _type)] = shown(stats)[0].call.files  # the chart, attached
    assert filename.startswith("stats-") and filename.endswith(".png")
    assert png.startswith(b"\x89PNG")
    assert shown(stats)[0].body["attachments"][0]["filename"] == filename
    [helped] = await rig.command("prep help")
    assert "/prep quiz" in helped.text and "/prep-schedule" not in helped.text.split("schedule")[0]
    [scheduling] = await rig.command("prep help", {"command": "schedule"})
    assert "/prep-schedule set" in scheduling.text
    [topics] = await rig.command("prep topics")
    assert "alpha - Alpha topic" in topics.text
    for message in (streak, helped, topics):
        assert message.type == 4 and message.ephemeral and no_mentions(message.body)


async def test_topics_autocomplete(rig: DiscordRig):
    payload = rig.slash("prep quiz", {"topic": "alp"}, focused="topic")
    [answer] = await rig.run(payload, shown_count=0)
    assert answer.type == 8
    assert answer.body["choices"] == [{"name": "Alpha topic (alpha)", "value": "alpha"}]
    zone = rig.slash(
        "prep-schedule set", {"time": "09:00", "timezone": "berlin"}, focused="timezone", user=ADMIN
    )
    [zones] = await rig.run(zone, shown_count=0)
    assert zones.body["choices"] == [{"name": "Europe/Berlin", "value": "Europe/Berlin"}]


# --- the daily question -------------------------------------------------------------------

FIRST_POST = datetime(2026, 3, 4, 13, 1, tzinfo=UTC)  # a minute after the 13:00 post
POSTS = "POST /channels/{id}/messages"


async def scheduled(rig: DiscordRig, **options: Any) -> None:
    """The admin schedules this channel's daily question for 13:00 UTC (the hard one)."""
    answer = await rig.run(
        rig.slash(
            "prep-schedule set",
            {"time": "13:00", "timezone": "UTC", "difficulty": "hard", **options},
            user=ADMIN,
        )
    )
    assert answer[0].type == 5 and answer[0].ephemeral  # deferred at once
    assert "13:00" in shown(answer)[0].text


async def first_post(rig: DiscordRig) -> dict[str, Any]:
    await rig.jobs.advance_to(FIRST_POST)
    call = await rig.fake.wait_for_call(lambda c: c.route == POSTS)
    assert call.status == 200
    return call.response


async def test_schedule_set_needs_manage_server(rig: DiscordRig, db: Database):
    [refused] = await rig.command(
        "prep-schedule set", {"time": "09:00", "timezone": "Europe/Berlin"}, user=MEMBER
    )
    assert refused.ephemeral and "Manage Server" in refused.text
    assert await rows(db, "SELECT count(*) FROM channel_schedules") == [(0,)]

    [done] = await rig.command(
        "prep-schedule set",
        {"time": "09:00", "timezone": "Europe/Berlin", "channel": {"channel": CHANNEL}},
        user=ADMIN,
    )
    assert done.ephemeral and "09:00" in done.text and f"<#{CHANNEL}>" in done.text
    assert await rows(db, "SELECT channel_id, admin_user_id FROM channel_schedules") == [
        (CHANNEL, ADMIN)
    ]
    [shown_schedule] = await rig.command("prep schedule")  # anyone may look
    assert "09:00" in shown_schedule.text


async def test_schedule_commands_carry_manage_server_as_default_permission(
    rig: DiscordRig,
):
    tree = rig.platform.bot.tree
    commands = {c.name: c.to_dict(tree) for c in tree.get_commands()}
    assert int(commands["prep-schedule"]["default_member_permissions"]) == 1 << 5
    assert commands["prep"]["default_member_permissions"] is None
    assert commands["prep-schedule"]["contexts"] == [0]  # servers only


async def test_a_channel_in_another_server_is_refused(rig: DiscordRig, db: Database):
    [refused] = await rig.command(
        "prep-schedule set",
        {"time": "09:00", "timezone": "UTC", "channel": {"channel": OTHER_CHANNEL}},
        user=ADMIN,
    )
    assert "another server" in refused.text
    assert await rows(db, "SELECT count(*) FROM channel_schedules") == [(0,)]


async def test_the_daily_post_two_clicks_a_replay_and_the_reveal(rig: DiscordRig, db: Database):
    await scheduled(rig)
    post = await first_post(rig)
    assert post["channel_id"] == CHANNEL and no_mentions(rig.fake.calls_to(POSTS)[0].json)
    assert post["embeds"][0]["title"].startswith("Daily question")
    choices = rig.components_of(post)
    assert set(choices) == {"A. Option one", "B. Option two", "C. Option three", "D. Option four"}
    assert choices["C. Option three"] == "prep:da:1:2"
    assert await rows(db, "SELECT message_ref FROM daily_posts") == [(post["id"],)]

    [right] = await rig.click(post, "C. Option three")
    assert right.ephemeral and right.title == "Correct"
    second = rig.click_payload(post, choices["A. Option one"])
    [again] = shown(await rig.run(second))
    assert "already answered" in again.text
    before = len(rig.fake.calls)
    await rig.fake.send_interaction(second)  # the same interaction delivered again
    await asyncio.sleep(0.2)
    assert len(rig.fake.calls) == before  # not answered twice
    assert await rows(db, "SELECT user_id, choice, points FROM attempts") == [(2, 2, 30)]

    await rig.jobs.advance_to(datetime(2026, 3, 5, 13, 1, tzinfo=UTC))
    await rig.fake.wait_until(lambda: len(rig.fake.calls_to(POSTS)) >= 3)
    reveal = next(c for c in rig.fake.calls_to(POSTS) if "message_reference" in c.json)
    assert str(reveal.json["message_reference"]["message_id"]) == post["id"]
    text = str(reveal.json["embeds"])
    assert "Correct answer: C. Option three" in text
    assert "1 person answered; 100% got it right." in text


async def test_buttons_still_work_after_a_restart(rig: DiscordRig, db: Database):
    await scheduled(rig)
    post = await first_post(rig)
    await rig.restart()
    assert len(rig.fake.identifies) == 2
    [right] = await rig.click(post, "C. Option three", user=ADMIN)
    assert right.title == "Correct" and "+30 points" in right.text
    assert await rows(db, "SELECT count(*), sum(points) FROM attempts") == [(1, 30)]


async def test_the_weekly_recap_is_a_channel_message(rig: DiscordRig):
    await scheduled(rig)
    await rig.command("prep-schedule recap", {"weekday": "sun", "time": "18:00"}, user=ADMIN)
    post = await first_post(rig)
    await rig.click(post, "C. Option three")
    await rig.jobs.advance_to(datetime(2026, 3, 8, 18, 1, tzinfo=UTC))  # Sunday
    await rig.fake.wait_until(
        lambda: any(
            c.json["embeds"][0].get("title", "").startswith("Weekly")
            for c in rig.fake.calls_to(POSTS)
        )
    )
    [recap] = [
        c for c in rig.fake.calls_to(POSTS) if c.json["embeds"][0]["title"].startswith("Weekly")
    ]
    assert "message_reference" not in recap.json and "bo" in str(recap.json["embeds"])


@pytest.mark.parametrize(
    ("status", "reason"),
    [(403, "lacks permission"), (404, "deleted or the bot cannot see it")],
)
async def test_a_refused_post_pauses_the_schedule_and_tells_the_admin(
    rig: DiscordRig, db: Database, status: int, reason: str
):
    await scheduled(rig)
    rig.fake.fail("POST", rf"/channels/{CHANNEL}/messages", status)
    await rig.jobs.advance_to(FIRST_POST)
    await rig.fake.wait_until(lambda: len(rig.fake.calls_to(POSTS)) >= 2)
    failed, note = rig.fake.calls_to(POSTS)
    assert failed.status == status and note.status == 200
    [dm] = rig.fake.calls_to("POST /users/@me/channels")
    assert str(dm.json["recipient_id"]) == ADMIN
    assert note.path == f"/channels/{dm.response['id']}/messages"
    text = note.json["embeds"][0]["description"]
    assert f"I paused the daily question in <#{CHANNEL}>" in text and reason in text
    [(paused,)] = await rows(db, "SELECT paused_reason FROM channel_schedules")
    assert reason in paused
    assert await rows(db, "SELECT status FROM daily_posts") == [("failed",)]
    assert "daily:1" not in rig.jobs.job_ids()


# --- answering in time ------------------------------------------------------------------


async def test_slow_work_is_deferred_within_the_deadline(rig: DiscordRig, monkeypatch):
    rig.platform.bot.frontend.defer_after = 0.2
    real = rig.service.handle_text

    async def slow(who, text):
        await asyncio.sleep(1.0)
        return await real(who, text)

    monkeypatch.setattr(rig.service, "handle_text", slow)
    payload = rig.slash("prep streak")
    sent_at = await rig.fake.send_interaction(payload)
    deferred = await rig.fake.wait_for_call(
        lambda c: c.route == CALLBACK and c.path.split("/")[2] == payload["id"]
    )
    assert deferred.json["type"] == 5 and deferred.at - sent_at < 0.5
    edit = await rig.fake.wait_for_call(
        lambda c: c.method == "PATCH" and payload["token"] in c.path
    )
    assert edit.json["embeds"][0]["title"] == "Streak" and edit.at - sent_at >= 1.0


async def test_quick_work_is_answered_in_one_response(rig: DiscordRig):
    payload = rig.slash("prep topics")
    sent_at = await rig.fake.send_interaction(payload)
    callback = await rig.fake.wait_for_call(
        lambda c: c.route == CALLBACK and c.path.split("/")[2] == payload["id"]
    )
    assert callback.json["type"] == 4 and callback.at - sent_at < 1.0


# --- command sync, direct messages ---------------------------------------------------------


async def test_the_sync_command_registers_both_commands_globally(rig: DiscordRig):
    count = await sync_commands(rig.settings(), rig.service, None)
    assert count == 2
    synced = {c["name"]: c for c in rig.fake.commands[None]}
    assert set(synced) == {"prep", "prep-schedule"}
    quiz = next(o for o in synced["prep"]["options"] if o["name"] == "quiz")
    options = {o["name"]: o for o in quiz["options"]}
    assert options["topic"]["autocomplete"] is True
    assert [c["value"] for c in options["difficulty"]["choices"]] == ["easy", "medium", "hard"]
    assert (options["count"]["min_value"], options["count"]["max_value"]) == (1, 20)
    board = next(o for o in synced["prep"]["options"] if o["name"] == "leaderboard")
    assert [c["value"] for c in board["options"][0]["choices"]] == ["week", "month", "all"]
    assert int(synced["prep-schedule"]["default_member_permissions"]) == 1 << 5


async def test_a_development_guild_is_synced_at_start_up(
    db: Database, bank: QuestionBank, clock: ManualClock
):
    rig = await DiscordRig(db, bank, clock).start(discord_dev_guild=int(GUILD))
    try:
        assert {c["name"] for c in rig.fake.commands[GUILD]} == {"prep", "prep-schedule"}
        assert None not in rig.fake.commands  # nothing global
        # A guild command's interactions carry its guild id; they are found and answered.
        [topics] = await rig.command("prep topics")
        assert topics.title == "Topics"
    finally:
        await rig.close()


async def test_direct_messages_are_their_own_team_and_refuse_schedules(
    rig: DiscordRig, db: Database
):
    dm = rig.fake.slash(
        ["prep", "quiz"], {"topic": "alpha", "difficulty": "hard", "count": 1},
        user_id=MEMBER, guild_id=None, channel_id="500000000000000001",
    )  # fmt: skip
    [question] = shown(await rig.run(dm))
    assert question.title.startswith("Question 1 of 1")
    assert await rows(db, "SELECT platform, external_id FROM teams") == [
        ("discord", f"dm-{MEMBER}")
    ]
    refused = rig.fake.slash(
        ["prep-schedule", "set"], {"time": "09:00", "timezone": "UTC"},
        user_id=MEMBER, guild_id=None, channel_id="500000000000000001",
    )  # fmt: skip
    [answer] = shown(await rig.run(refused))
    assert answer.ephemeral and "only in a server channel" in answer.text


async def test_shards_on_request(db: Database, bank: QuestionBank, clock: ManualClock):
    rig = await DiscordRig(db, bank, clock).start(discord_shards="auto")
    try:
        assert isinstance(rig.platform.bot, AutoShardedBot)
        assert rig.fake.calls_to("GET /gateway/bot")  # Discord says how many
        assert rig.fake.identifies[0]["shard"] == [0, 1]
        [topics] = await rig.command("prep topics")
        assert topics.title == "Topics"
    finally:
        await rig.close()


async def test_a_rate_limited_post_is_retried_by_discord_py(rig: DiscordRig, db: Database):
    await scheduled(rig)
    rig.fake.fail("POST", rf"/channels/{CHANNEL}/messages", 429, retry_after=0.2)
    await rig.jobs.advance_to(FIRST_POST)
    await rig.fake.wait_until(lambda: len(rig.fake.calls_to(POSTS)) >= 2)
    limited, sent = rig.fake.calls_to(POSTS)
    assert (limited.status, sent.status) == (429, 200) and sent.at - limited.at >= 0.2
    assert await rows(db, "SELECT status FROM daily_posts") == [("posted",)]


async def test_many_choices_arrive_as_a_select_menu_that_answers(rig: DiscordRig, db: Database):
    [question] = await rig.command(
        "prep quiz", {"topic": "alpha", "difficulty": "hard", "count": 1}
    )
    session_choices = [v for k, v in rig.components_of(question).items() if k != "Skip"]
    actions = [cid.removeprefix("prep:") for cid in session_choices]
    # The same quiz question shown with six options (a select menu's values are unique).
    base = actions[0].rsplit(":", 1)[0]
    buttons = tuple(Button(f"Option {i}", f"{base}:{i}", "primary") for i in range(6))
    poster = DiscordPoster(rig.platform.bot)
    ref = await poster.post(GUILD, CHANNEL, Reply("Pick one", buttons=buttons, ephemeral=False))
    post = rig.fake.message(ref)
    [menu] = post["components"][0]["components"]
    assert menu["type"] == 3 and len(menu["options"]) == 6
    payload = rig.click_payload(post, menu["custom_id"], values=[actions[2]])
    [right] = shown(await rig.run(payload, shown_count=2))[:1]
    assert right.title == "Correct"
    assert await rows(db, "SELECT choice, points FROM attempts") == [(2, 30)]


async def test_a_display_name_cannot_ping_or_format(rig: DiscordRig):
    rig.fake.add_user("400000000000000003", "@everyone **bold**")
    [question] = await rig.command(
        "prep quiz", {"topic": "alpha", "difficulty": "hard", "count": 1},
        user="400000000000000003",
    )  # fmt: skip
    await rig.click(question, "Option three", shown_count=2, user="400000000000000003")
    [table] = shown(await rig.run(rig.slash("prep leaderboard")))
    assert no_mentions(table.body)
    assert "@everyone **bold**" in table.embed["description"]  # inside the code block
    assert table.embed["description"].startswith("```")


async def test_a_channel_where_the_bot_cannot_post_is_refused_at_set_time(
    rig: DiscordRig, db: Database
):
    quiet = {
        "id": "300000000000000002", "type": 0, "guild_id": GUILD, "name": "quiet",
        "position": 5, "nsfw": False, "parent_id": None, "flags": 0,
        "permission_overwrites": [
            {"id": APP_ID, "type": 1, "allow": "0", "deny": str(SEND_MESSAGES)}
        ],
    }  # fmt: skip
    rig.fake.channels[quiet["id"]] = quiet
    await rig.fake.dispatch("CHANNEL_CREATE", quiet)
    for _ in range(200):  # the gateway event reaches the bot's cache
        if rig.platform.bot.get_channel(int(quiet["id"])) is not None:
            break
        await asyncio.sleep(0.01)
    [refused] = await rig.command(
        "prep-schedule set",
        {"time": "09:00", "timezone": "UTC", "channel": {"channel": quiet["id"]}},
        user=ADMIN,
    )
    assert "lacks Send Messages" in refused.text
    assert await rows(db, "SELECT count(*) FROM channel_schedules") == [(0,)]


async def test_practice_from_a_slash_command(rig: DiscordRig, db: Database):
    intro, question = await rig.command("prep practice", {"topic": "alpha"}, shown_count=2)
    assert intro.title == "Practice" and "new from your weakest topics" in intro.text
    assert question.title.startswith("Question 1 of") and question.ephemeral
    [topics] = await rig.run(rig.slash("prep practice", {"topic": "alp"}, focused="topic"), 0)
    assert topics.body["choices"][0]["value"] == "alpha"
    assert await rows(db, "SELECT mode FROM quiz_sessions") == [("practice",)]


async def test_a_mock_round_through_slash_command_modal_and_report(
    db: Database, clock: ManualClock
):
    from bot.bank import builtin_content_dir

    rig = await DiscordRig(db, QuestionBank.load([builtin_content_dir()]), clock).start()
    try:
        intro, question = await rig.command("prep mock", {"round": "system-design"}, shown_count=2)
        assert intro.title == "Mock interview" and "Time budget" in intro.text
        for n in range(3):
            assert question.title.startswith(f"Mock · Question {n + 1} of 3")
            opener = rig.components_of(question)["Write your answer"]
            [modal] = await rig.run(rig.click_payload(question, opener), shown_count=0)
            clock.advance(minutes=4)
            submit = rig.fake.modal_submit(
                modal.body["custom_id"],
                {"answer": "I would start from the requirements and a simple baseline."},
                user_id=MEMBER, guild_id=GUILD, channel_id=CHANNEL,
            )  # fmt: skip
            recorded, question = shown(await rig.run(submit, shown_count=2))
            assert recorded.text.startswith("Answer recorded (4m")
        report = question
        assert report.title.startswith("Mock interview report · system-design")
        assert "3 of 3 questions answered in 12 min" in report.text
        assert "Topics to practise" in report.text
        [history] = await rig.command("prep mock", {"round": "history"})
        assert "system-design" in history.text and "3/3 answered" in history.text
        assert await rows(db, "SELECT status FROM mock_rounds") == [("finished",)]
    finally:
        await rig.close()


async def test_team_stats_for_manage_server_only(rig: DiscordRig):
    [question] = await rig.command(
        "prep quiz", {"topic": "alpha", "difficulty": "hard", "count": 1}
    )
    await rig.click(question, "Option three", shown_count=2)
    [refused] = await rig.command("prep stats", {"scope": "team"})
    assert "Only admins can see team stats" in refused.text and refused.ephemeral
    [team] = await rig.command("prep stats", {"scope": "team"}, user=ADMIN)
    assert team.title == "Team stats" and "1 of 1 members answered" in team.text


async def test_me_export_attaches_json_and_me_delete_confirms_by_button(
    rig: DiscordRig, db: Database
):
    [question] = await rig.command(
        "prep quiz", {"topic": "alpha", "difficulty": "hard", "count": 1}
    )
    await rig.click(question, "Option three", shown_count=2)
    [exported] = await rig.command("prep me", {"action": "export"})
    [(filename, data, _type)] = exported.call.files
    assert filename.startswith("mlprep-export-") and exported.ephemeral
    assert json.loads(data)["user"]["user_id"] == MEMBER
    [ask] = await rig.command("prep me", {"action": "delete"})
    assert ask.title == "Delete your data?" and ask.ephemeral
    [done] = await rig.click(ask, "Delete my data")
    assert done.title == "Your data is deleted"
    assert await rows(db, "SELECT count(*) FROM users") == [(0,)]
