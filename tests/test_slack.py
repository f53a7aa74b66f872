"""The Slack adapter end to end: the real Bolt AsyncApp over HTTP on loopback, its Web
API client pointed at a fake Slack, requests signed as Slack signs them."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from adapters.slack.blocks import ANSWER_MAX, OPEN_PREFIX
from bot.bank import QuestionBank
from bot.clock import ManualClock
from bot.daily.desk import ADMINS_ONLY
from bot.store import Database
from tests.slack_rig import ADMIN_ID, MEMBER_ID, SlackRig, sign


@pytest.fixture
async def rig(db: Database, bank: QuestionBank, clock: ManualClock) -> AsyncIterator[SlackRig]:
    r = await SlackRig(db, bank, clock).start()
    try:
        yield r
    finally:
        await r.close()


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """label -> action id of every button in a message's blocks."""
    return {
        e["text"]["text"]: e["action_id"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }


def texts(message: dict[str, Any]) -> str:
    """Everything a person reads in a message, for asserting on."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("text", "plain_text") and "text" in node:
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message["blocks"])
    return "\n".join(out)


async def answer_one_right(rig: SlackRig) -> None:
    """A one-question quiz answered right: three response_url posts (question, feedback,
    score)."""
    await rig.command("quiz alpha hard 1")
    [question] = await rig.replies(1)
    await rig.click(buttons(question)["Option three"])
    await rig.replies(2, start=1)


def header(message: dict[str, Any]) -> str:
    return next((b["text"]["text"] for b in message["blocks"] if b["type"] == "header"), "")


async def rows(db: Database, sql: str, params: tuple = ()) -> list[tuple]:
    return [tuple(r) for r in await db.fetchall(sql, params)]


FIRST_POST = datetime(2026, 3, 4, 13, 1, tzinfo=UTC)  # a minute after the 13:00 post


async def scheduled(rig: SlackRig, *more: str) -> None:
    """The admin schedules C1's daily question for 13:00 UTC (the one hard question)."""
    for text in ("schedule set here 13:00 UTC hard", *more):
        await rig.command(text, user=ADMIN_ID)
    await rig.replies(1 + len(more))


async def first_post(rig: SlackRig) -> dict[str, Any]:
    """Run the clock to the first daily post; its chat.postMessage arguments."""
    await rig.jobs.advance_to(FIRST_POST)
    [post] = await rig.fake.wait_for("chat.postMessage")
    return post.params


# --- commands and buttons --------------------------------------------------------------


async def test_a_full_quiz_by_buttons(rig: SlackRig, db: Database):
    status, body = await rig.command("quiz alpha hard 1")
    assert (status, body) == (200, "")  # acknowledged at once; the answer follows
    [question] = await rig.replies(1)
    assert question["response_type"] == "ephemeral"
    assert header(question).startswith("Question 1 of 1")
    choices = buttons(question)
    assert set(choices) == {"Option one", "Option two", "Option three", "Option four", "Skip"}
    assert (await rig.click(choices["Option three"]))[0] == 200
    feedback, summary = await rig.replies(2, start=1)
    assert header(feedback) == "Correct" and "+30 points" in texts(feedback)
    assert header(summary) == "Score" and "answered 1 of 1" in texts(summary)
    assert await rows(db, "SELECT choice, correct, points FROM attempts") == [(2, 1, 30)]
    assert await rows(db, "SELECT display_name FROM users") == [("bo",)]


async def test_a_written_answer_through_the_modal_with_inline_errors(rig: SlackRig, db: Database):
    await rig.command("quiz alpha medium 1")
    [question] = await rig.replies(1)
    opener = buttons(question)["Write your answer"]
    assert opener.startswith(OPEN_PREFIX)
    await rig.click(opener)
    [opened] = await rig.fake.wait_for("views.open")
    view = opened.params["view"]
    assert view["type"] == "modal" and view["blocks"][0]["element"]["max_length"] == ANSWER_MAX

    status, body = await rig.submit(view, "   ")
    assert status == 200
    errors = json.loads(body)
    assert (
        errors["response_action"] == "errors"
        and "Write your answer first" in errors["errors"]["answer"]
    )
    status, body = await rig.submit(view, "x" * (ANSWER_MAX + 1))
    assert "limit is 3,000" in json.loads(body)["errors"]["answer"]
    assert await rows(db, "SELECT count(*) FROM attempts") == [(0,)]

    status, body = await rig.submit(
        view, "Compare training and validation error, then add dropout."
    )
    assert (status, body) == (200, "")  # the modal closes
    [private] = await rig.fake.wait_for("chat.postEphemeral")
    assert private.params["user"] == MEMBER_ID and private.params["channel"] == "C1"
    assert "key points" in texts(private.params)
    assert await rows(db, "SELECT count(*) FROM attempts WHERE answer_text IS NOT NULL") == [(1,)]


@pytest.mark.parametrize(
    ("text", "expected_header", "expected_text", "where"),
    [
        ("", "Commands", "quiz", "ephemeral"),
        ("help", "Commands", "leaderboard", "ephemeral"),
        ("leaderboard", "Leaderboard · This week", "No points yet", "ephemeral"),
        ("streak", "Streak", "No streak yet", "ephemeral"),
        ("stats", "Your stats", "No answers yet", "ephemeral"),
        ("frobnicate", "", "Unknown command", "ephemeral"),
    ],
)
async def test_leaderboard_streak_stats_and_help(
    rig: SlackRig, text: str, expected_header: str, expected_text: str, where: str
):
    await rig.command(text)
    first = (await rig.replies(1))[0]
    assert first["response_type"] == where
    if expected_header:
        assert header(first) == expected_header
    assert expected_text.lower() in (texts(first) + first["text"]).lower()


async def test_the_leaderboard_is_a_fixed_width_table(rig: SlackRig):
    await answer_one_right(rig)
    await rig.command("leaderboard")
    [board] = await rig.replies(1, start=3)
    assert board["response_type"] == "in_channel"  # a filled board is for the channel
    table = next(b for b in board["blocks"] if b["type"] == "rich_text")
    assert table["elements"][0]["type"] == "rich_text_preformatted"
    assert " 1. 30 pts  bo  <- you" in texts(board)


async def test_user_text_cannot_mention_or_format(rig: SlackRig, db: Database):
    rig.fake.users["UEVIL"] = {"id": "UEVIL", "name": "<!channel> *boss*"}
    await rig.command("quiz alpha hard 1", user="UEVIL")
    [question] = await rig.replies(1)
    await rig.click(buttons(question)["Option three"], user="UEVIL")
    await rig.replies(2, start=1)
    await rig.command("leaderboard", user="UEVIL")
    [board] = await rig.replies(1, start=3)
    # Blocks carry the name only as literal text elements; the fallback is escaped.
    assert "<!channel> *boss*" in texts(board)
    assert all(b["type"] in ("header", "rich_text", "context") for b in board["blocks"])
    assert "<!channel>" not in board["text"] and "&lt;!channel&gt;" in board["text"]
    await rig.command("quiz <@U123> <!here>")
    [refused] = await rig.replies(1, start=4)
    assert "<@" not in refused["text"] and "<!" not in refused["text"]


async def test_the_command_is_acknowledged_before_slow_work(rig: SlackRig, monkeypatch):
    release = asyncio.Event()
    original = rig.service.handle_text

    async def slow(who, text):
        await asyncio.wait_for(release.wait(), 5)
        return await original(who, text)

    monkeypatch.setattr(rig.service, "handle_text", slow)
    started = time.monotonic()
    status, _ = await rig.command("streak")
    assert status == 200 and time.monotonic() - started < 1.0
    assert rig.fake.responses == []  # the work is still waiting
    release.set()
    [answer] = await rig.replies(1)
    assert header(answer) == "Streak"


# --- App Home -------------------------------------------------------------------------


async def test_app_home_shows_streak_points_weak_topics_and_the_daily_question(
    rig: SlackRig, clock: ManualClock
):
    await scheduled(rig)
    post = await first_post(rig)
    await rig.click(buttons(post)["C. Option three"])
    await rig.replies(1, start=1)
    status, _ = await rig.event(
        {"type": "app_home_opened", "user": MEMBER_ID, "channel": "D1", "tab": "home"}, "Ev1"
    )
    assert status == 200
    [published] = await rig.fake.wait_for("views.publish")
    assert published.params["user_id"] == MEMBER_ID
    home = published.params["view"]
    shown = texts(home)
    assert home["type"] == "home"
    assert "Streak: 1 day" in shown and "Points: 30" in shown
    assert "Alpha topic: 1/1 right (100%)" in shown
    assert "Which option is keyed in the hard fixture question?" in shown
    assert "You answered it." in shown
    assert {"type": "channel", "channel_id": "C1"} in home["blocks"][3]["elements"][0]["elements"]


# --- the daily question -----------------------------------------------------------------


async def test_schedule_set_by_an_admin_and_refused_for_a_member(rig: SlackRig, db: Database):
    await rig.command("schedule set here 09:00 Europe/Berlin", user=MEMBER_ID)
    [refused] = await rig.replies(1)
    assert ADMINS_ONLY.split(" (")[0] in texts(refused)
    await rig.command("schedule set <#C1|study> 09:00 Europe/Berlin", user=ADMIN_ID)
    [done] = await rig.replies(1, start=1)
    assert "09:00" in texts(done) and done["response_type"] == "ephemeral"
    assert [c.params["user"] for c in rig.fake.calls_to("users.info")] == [MEMBER_ID, ADMIN_ID]
    assert await rows(db, "SELECT channel_id, admin_user_id FROM channel_schedules") == [
        ("C1", ADMIN_ID)
    ]


async def test_a_listed_user_may_change_schedules_without_being_a_workspace_admin(
    rig: SlackRig, db: Database
):
    rig.bot.admins.extra.add(MEMBER_ID)
    await rig.command("schedule set here 09:00 UTC", user=MEMBER_ID)
    await rig.replies(1)
    assert rig.fake.calls_to("users.info") == []
    assert await rows(db, "SELECT channel_id FROM channel_schedules") == [("C1",)]


async def test_the_daily_post_clicks_retries_and_the_reveal_in_its_thread(
    rig: SlackRig, db: Database
):
    await scheduled(rig)
    post = await first_post(rig)
    assert post["channel"] == "C1" and "thread_ts" not in post
    choices = buttons(post)
    assert set(choices) == {"A. Option one", "B. Option two", "C. Option three", "D. Option four"}
    ts = (await rows(db, "SELECT message_ref FROM daily_posts"))[0][0]

    # Two clicks by the same person, then Slack retrying the second delivery.
    await rig.click(choices["C. Option three"])
    body = rig.action_body(choices["A. Option one"], trigger="t-second")
    await rig.send(body, "application/x-www-form-urlencoded")
    retried = await rig.send(
        body,
        "application/x-www-form-urlencoded",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert retried[0] == 200
    first, second = await rig.replies(2, start=1)
    assert first["response_type"] == "ephemeral" and header(first) == "Correct"
    assert "already answered" in texts(second)
    await asyncio.sleep(0.2)
    assert len(rig.fake.responses) == 3  # the retry was not handled again
    assert await rows(db, "SELECT user_id, choice, points FROM attempts") == [(2, 2, 30)]

    await rig.jobs.advance_to(datetime(2026, 3, 5, 13, 1, tzinfo=UTC))
    posts = await rig.fake.wait_for("chat.postMessage", 3)
    reveal = next(c for c in posts if c.params.get("thread_ts") == ts)
    assert "Correct answer: C. Option three" in texts(reveal.params)
    assert "1 person answered; 100% got it right." in texts(reveal.params)


async def test_the_weekly_recap_is_a_channel_message(rig: SlackRig):
    await scheduled(rig, "schedule recap here sun 18:00")
    post = await first_post(rig)
    await rig.click(buttons(post)["C. Option three"])
    await rig.jobs.advance_to(datetime(2026, 3, 8, 18, 1, tzinfo=UTC))  # Sunday
    posts = await rig.fake.wait_for("chat.postMessage", 3)
    [recap] = [c for c in posts if header(c.params).startswith("Weekly")]
    assert recap.params["channel"] == "C1" and "thread_ts" not in recap.params
    assert "bo" in texts(recap.params)


async def test_a_rate_limited_post_is_retried_after_retry_after(rig: SlackRig, db: Database):
    await scheduled(rig)
    rig.fake.rate_limit_next("chat.postMessage", retry_after=1)
    await rig.jobs.advance_to(FIRST_POST)
    limited, sent = await rig.fake.wait_for("chat.postMessage", 2)
    assert sent.at - limited.at >= 1.0
    assert await rows(db, "SELECT status FROM daily_posts") == [("posted",)]


@pytest.mark.parametrize("code", ["not_in_channel", "channel_not_found", "is_archived"])
async def test_a_channel_the_bot_was_removed_from_pauses_and_tells_the_admin(
    rig: SlackRig, db: Database, code: str
):
    await scheduled(rig)
    rig.fake.fail_next("chat.postMessage", code)
    await rig.jobs.advance_to(FIRST_POST)
    _failed, note = await rig.fake.wait_for("chat.postMessage", 2)
    [opened] = rig.fake.calls_to("conversations.open")
    assert opened.params["users"] == ADMIN_ID and note.params["channel"] == f"D{ADMIN_ID}"
    assert "I paused the daily question in #C1" in texts(note.params)
    [(paused,)] = await rows(db, "SELECT paused_reason FROM channel_schedules")
    assert paused
    assert await rows(db, "SELECT status FROM daily_posts") == [("failed",)]
    assert "daily:1" not in rig.jobs.job_ids()


async def test_a_channel_the_bot_is_not_in_is_refused_at_set_time(rig: SlackRig, db: Database):
    rig.fake.channels["C2"] = {"id": "C2", "name": "random", "is_member": False}
    await rig.command("schedule set here 09:00 UTC", user=ADMIN_ID, channel="C2")
    [refused] = await rig.replies(1)
    assert "not a member of the channel" in texts(refused)
    assert await rows(db, "SELECT count(*) FROM channel_schedules") == [(0,)]


async def test_a_retried_command_is_handled_once(rig: SlackRig, db: Database):
    body = rig.command_body("quiz alpha 1", trigger="t-quiz")
    for retry in (None, "1", "2"):
        headers = {"X-Slack-Retry-Num": retry} if retry else None
        status, _ = await rig.send(body, "application/x-www-form-urlencoded", headers=headers)
        assert status == 200
    await rig.replies(1)
    await asyncio.sleep(0.2)
    assert len(rig.fake.responses) == 1
    assert await rows(db, "SELECT count(*) FROM quiz_sessions") == [(1,)]


# --- request verification ----------------------------------------------------------------


async def test_a_bad_signature_and_a_stale_timestamp_are_rejected(rig: SlackRig, db: Database):
    body = rig.command_body("quiz")
    status, _ = await rig.send(
        body, "application/x-www-form-urlencoded", signature=sign(body, int(time.time()), "wrong")
    )
    assert status == 401
    stale = int(time.time()) - 10 * 60
    status, _ = await rig.send(body, "application/x-www-form-urlencoded", timestamp=stale)
    assert status == 401
    await asyncio.sleep(0.1)
    assert rig.fake.responses == []
    assert await rows(db, "SELECT count(*) FROM quiz_sessions") == [(0,)]


# --- Socket Mode ---------------------------------------------------------------------------


async def test_socket_mode_receives_a_slash_command_and_acks_it(rig: SlackRig):
    handler = AsyncSocketModeHandler(rig.bot.app, "xapp-test", web_client=rig.client)
    await handler.connect_async()
    try:
        await rig.fake.wait_for_socket()
        [opened] = rig.fake.calls_to("apps.connections.open")
        assert opened.token == "xapp-test"
        payload = dict(parse_qsl(rig.command_body("streak")))
        envelope = await rig.fake.socket_send(payload, type="slash_commands")
        ack = await rig.fake.socket_ack(envelope)
        assert ack["envelope_id"] == envelope
        [answer] = await rig.replies(1)
        assert header(answer) == "Streak"
    finally:
        await handler.close_async()


async def test_a_written_daily_answer_is_rated_by_its_buttons(rig: SlackRig, db: Database):
    await rig.command("schedule set here 13:00 UTC alpha medium", user=ADMIN_ID)
    await rig.replies(1)
    post = await first_post(rig)
    await rig.click(buttons(post)["Write your answer"])
    [opened] = await rig.fake.wait_for("views.open")
    await rig.submit(opened.params["view"], "Compare training and validation error.")
    [private] = await rig.fake.wait_for("chat.postEphemeral")
    ratings = buttons(private.params)
    assert list(ratings) == ["Again", "Hard", "Good", "Easy"]
    assert (await rig.click(ratings["Hard"]))[0] == 200
    [rated] = await rig.replies(1, start=1)
    assert "Rated Hard" in texts(rated)
    assert await rows(db, "SELECT rating, source FROM sr_reviews") == [(2, "daily")]


async def test_a_mock_round_by_slash_command_and_modal_with_a_report(
    db: Database, clock: ManualClock
):
    from bot.bank import builtin_content_dir

    rig = await SlackRig(db, QuestionBank.load([builtin_content_dir()]), clock).start()
    try:
        await rig.command("mock behavioral")
        intro, question = await rig.replies(2)
        assert header(intro) == "Mock interview" and "Time budget" in texts(intro)
        for n in range(4):
            assert header(question).startswith(f"Mock · Question {n + 1} of 4")
            await rig.click(buttons(question)["Write your answer"])
            opened = (await rig.fake.wait_for("views.open", n + 1))[n]
            clock.advance(minutes=3)
            await rig.submit(opened.params["view"], "We shipped it and it went fine.")
            posted = await rig.fake.wait_for("chat.postEphemeral", 2 * (n + 1))
            recorded, question = (c.params for c in posted[-2:])
            assert texts(recorded).startswith("Answer recorded (3m")
        report = question
        assert header(report).startswith("Mock interview report · behavioral")
        assert "4 of 4 questions answered in 12 min" in texts(report)
        assert "You covered" in texts(report) and "Not mentioned" in texts(report)
        await rig.command("mock history")
        [history] = await rig.replies(1, start=2)
        assert "behavioral" in texts(history) and "4/4 answered" in texts(history)
    finally:
        await rig.close()


async def test_stats_chart_is_uploaded_to_the_persons_dm(rig: SlackRig):
    await answer_one_right(rig)
    await rig.command("stats")
    [stats] = await rig.replies(1, start=3)
    assert header(stats) == "Your stats" and stats["response_type"] == "ephemeral"
    assert "Sent to you in a direct message: stats-" in texts(stats)
    [(file_id, title, channel)] = rig.fake.shared_files
    assert channel == "D" + MEMBER_ID and title == "Accuracy by topic and activity"
    name, data = rig.fake.uploads[file_id]
    assert name.endswith(".png") and data.startswith(b"\x89PNG")


async def test_a_failed_upload_is_said_in_the_reply(rig: SlackRig):
    await answer_one_right(rig)
    rig.fake.fail_next("files.getUploadURLExternal", "not_allowed_token_type")
    await rig.command("stats")
    [stats] = await rig.replies(1, start=3)
    assert "Could not send stats-" in texts(stats) and "not_allowed_token_type" in texts(stats)
    assert header(stats) == "Your stats"  # the numbers still arrive


async def test_team_stats_for_workspace_admins_only(rig: SlackRig):
    await answer_one_right(rig)
    await rig.command("stats team")
    [refused] = await rig.replies(1, start=3)
    assert "Only admins can see team stats" in texts(refused)
    await rig.command("stats team", user=ADMIN_ID)
    [team] = await rig.replies(1, start=4)
    assert header(team) == "Team stats" and "1 of 1 members answered" in texts(team)


async def test_me_export_goes_to_the_dm_and_me_delete_confirms_by_button(
    rig: SlackRig, db: Database
):
    await answer_one_right(rig)
    await rig.command("me export")
    [exported] = await rig.replies(1, start=3)
    assert "Sent to you in a direct message: mlprep-export-" in texts(exported)
    [(file_id, _title, channel)] = rig.fake.shared_files
    assert channel == "D" + MEMBER_ID
    assert json.loads(rig.fake.uploads[file_id][1])["attempts"][0]["question_id"] == "a-choice-hard"

    await rig.command("me delete")
    [ask] = await rig.replies(1, start=4)
    assert header(ask) == "Delete your data?"
    await rig.click(buttons(ask)["Delete my data"])
    [done] = await rig.replies(1, start=5)
    assert header(done) == "Your data is deleted"
    assert await rows(db, "SELECT count(*) FROM attempts") == [(0,)]


async def test_practice_by_slash_command_reviews_due_cards(
    rig: SlackRig, clock: ManualClock, db: Database
):
    await rig.command("quiz alpha hard 1")
    [question] = await rig.replies(1)
    await rig.click(buttons(question)["Option one"])  # wrong: Again
    await rig.replies(2, start=1)
    clock.advance(days=30)
    await rig.command("practice alpha")
    intro, first = await rig.replies(2, start=3)
    assert header(intro) == "Practice" and "1 card due for review" in texts(intro)
    assert header(first).startswith("Question 1 of") and "hard" in header(first)
    await rig.click(buttons(first)["Option three"])
    await rig.replies(2, start=5)
    assert await rows(db, "SELECT source, rating FROM sr_reviews ORDER BY id") == [
        ("quiz", 1),
        ("practice", 3),
    ]
