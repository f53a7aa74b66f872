"""The Discord fake, driven through the real discord.py client."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from tests.discord_fake import APP_ID, EPHEMERAL, FakeDiscord, RestCall

GUILD = "300000000000000001"
CHANNEL = "300000000000000002"
USER = "300000000000000003"
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content
CALLBACK = "POST /interactions/{id}/{token}/callback"
FOLLOWUP = "POST /webhooks/{id}/{token}"
TOPICS = ["regularization", "gradient descent", "bias-variance"]


# ---- a tiny bot: /prep with subcommands, a dynamic button and two modals


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    # Added straight to the modal: discord.py wraps it in an action row.
    text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="What could be better?", custom_id="feedback-text"
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        interaction.client.seen["feedback"] = self.text.value  # type: ignore[attr-defined]
        await interaction.response.send_message(f"Thanks: {self.text.value}", ephemeral=True)


class LabelledModal(discord.ui.Modal, title="Notes"):
    # Wrapped in a Label (type 18), the newer modal layout.
    notes: discord.ui.Label[LabelledModal] = discord.ui.Label(
        text="Notes", component=discord.ui.TextInput(custom_id="notes-text")
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.notes.component, discord.ui.TextInput)
        value = self.notes.component.value
        interaction.client.seen["notes"] = value  # type: ignore[attr-defined]
        await interaction.response.send_message(f"Noted: {value}")


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button], template=r"prep:answer:(?P<q>\d+)"):
    def __init__(self, question: int) -> None:
        super().__init__(discord.ui.Button(label="Answer", custom_id=f"prep:answer:{question}"))
        self.question = question

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> AnswerButton:
        return cls(int(match["q"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content=f"Q{self.question}: answered", view=None)


class Prep(app_commands.Group):
    def __init__(self) -> None:
        super().__init__(name="prep", description="Interview practice")

    @app_commands.command(description="Check the bot answers")
    async def ping(self, interaction: discord.Interaction, word: str) -> None:
        await interaction.response.send_message(f"pong {word}")

    @app_commands.command(description="A slow answer")
    async def slow(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        await interaction.followup.send("done thinking", ephemeral=True)

    @app_commands.command(description="Pick a topic")
    async def topic(self, interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"topic {name}")

    @topic.autocomplete("name")
    async def topic_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in TOPICS if current in t]

    @app_commands.command(description="Post a question")
    async def quiz(self, interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(AnswerButton(7))
        await interaction.response.send_message("Q7: what is bias?", view=view)

    schedule = app_commands.Group(name="schedule", description="The daily question")

    @schedule.command(name="set", description="Where and when")
    async def schedule_set(
        self, interaction: discord.Interaction, channel: discord.TextChannel, hour: int
    ) -> None:
        await interaction.response.send_message(f"daily in #{channel.name} at {hour}:00")

    @app_commands.command(description="Give feedback")
    async def feedback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal())

    @app_commands.command(description="Take notes")
    async def notes(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(LabelledModal())


def make_bot(cls: type[commands.Bot] = commands.Bot, **kwargs: Any) -> commands.Bot:
    intents = discord.Intents.default()
    intents.message_content = False
    bot = cls(
        command_prefix=commands.when_mentioned,
        intents=intents,
        guild_ready_timeout=0.05,
        **kwargs,
    )
    bot.seen = {}  # type: ignore[attr-defined]  # what the callbacks observed
    bot.tree.add_command(Prep())
    bot.add_dynamic_items(AnswerButton)

    async def identify_now(shard_id: int | None, *, initial: bool = False) -> None:
        pass  # the default sleeps 5 s before every re-IDENTIFY

    bot.before_identify_hook = identify_now  # type: ignore[method-assign]
    return bot


def point_at(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", fake.base_url)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))


@contextlib.asynccontextmanager
async def running(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, bot: commands.Bot | None = None
) -> AsyncIterator[commands.Bot]:
    point_at(fake, monkeypatch)
    bot = bot or make_bot()
    task = asyncio.create_task(bot.start("test-token"))
    try:
        # Fail fast if start() dies instead of waiting out the timeout.
        ready = asyncio.ensure_future(fake.wait_ready())
        await asyncio.wait({ready, task}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            ready.cancel()
            task.result()
        await ready
        await asyncio.wait_for(bot.wait_until_ready(), timeout=5)
        yield bot
    finally:
        await bot.close()
        await asyncio.wait_for(task, timeout=5)


def world(fake: FakeDiscord) -> None:
    fake.add_guild(GUILD, channels={CHANNEL: "prep"})
    fake.add_user(USER, "ada")


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as discord_fake:
        world(discord_fake)
        yield discord_fake


def where() -> dict[str, str]:
    return {"user_id": USER, "guild_id": GUILD, "channel_id": CHANNEL}


def callback_of(interaction_id: str) -> Any:
    return lambda c: c.route == CALLBACK and c.path.startswith(f"/interactions/{interaction_id}/")


async def interact(fake: FakeDiscord, payload: dict[str, Any]) -> RestCall:
    """Send an interaction and return the callback that answered it."""
    await fake.send_interaction(payload)
    return await fake.wait_for_call(callback_of(payload["id"]))


# ---- connecting


async def test_login_identify_and_ready(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(fake, monkeypatch) as bot:
        assert bot.user is not None and bot.user.id == int(APP_ID)
        assert bot.application_id == int(APP_ID)
        guild = bot.get_guild(int(GUILD))
        assert guild is not None and guild.name == "Study group"
        assert guild.me is not None and guild.me.guild_permissions.send_messages
        channel = bot.get_channel(int(CHANNEL))
        assert isinstance(channel, discord.TextChannel) and channel.name == "prep"

        [identify] = fake.identifies
        assert identify["token"] == "test-token"
        assert identify["intents"] == bot.intents.value
        assert identify["intents"] & PRIVILEGED_INTENTS == 0
        assert identify["properties"]["browser"] == "discord.py"
        assert "shard" not in identify
        assert [c.route for c in fake.calls] == ["GET /users/@me", "GET /oauth2/applications/@me"]
        assert fake.connections == 1


async def test_heartbeats_are_acked(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeDiscord(heartbeat_interval_ms=50) as fake:
        world(fake)
        async with running(fake, monkeypatch) as bot:
            await fake.wait_until(lambda: fake.heartbeats >= 2, what="2 heartbeats")
            assert bot.latency < 1.0  # finite: an ACK came back


async def test_bad_token_fails_login(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    point_at(fake, monkeypatch)
    bot = make_bot()
    try:
        with pytest.raises(discord.LoginFailure):
            await asyncio.wait_for(bot.start("bad-token"), timeout=5)
    finally:
        await bot.close()
    [call] = fake.calls
    assert (call.route, call.status) == ("GET /users/@me", 401)
    assert fake.connections == 0


async def test_auto_sharded_bot_asks_gateway_bot(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = make_bot(commands.AutoShardedBot, shard_count=None)
    async with running(fake, monkeypatch, bot):
        assert len(fake.calls_to("GET /gateway/bot")) == 1
        assert [i["shard"] for i in fake.identifies] == [[0, 1]]
        assert bot.shard_count == 1
        assert bot.get_guild(int(GUILD)) is not None


async def test_dropped_connection_resumes_then_identifies(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(fake, monkeypatch):
        await fake.drop_connections()
        await fake.wait_ready(count=2)
        [resume] = fake.resumes
        assert resume["token"] == "test-token" and resume["session_id"] == "session-1"
        assert len(fake.identifies) == 2
        assert fake.connections == 3  # the refused RESUME, then a fresh IDENTIFY

        callback = await interact(fake, fake.slash(["prep", "ping"], {"word": "again"}, **where()))
        assert callback.json["data"]["content"] == "pong again"


# ---- application commands


async def test_sync_stores_commands(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(fake, monkeypatch) as bot:
        synced = await bot.tree.sync()
        [stored] = fake.commands[None]
        assert stored["name"] == "prep" and stored["application_id"] == APP_ID
        assert synced[0].id == int(stored["id"])
        assert [o["name"] for o in stored["options"]] == [c.name for c in Prep().commands]
        assert (await bot.tree.fetch_commands())[0].id == synced[0].id

        # Synced to a guild, a command comes back with data.guild_id and still resolves.
        guild = discord.Object(int(GUILD))
        bot.tree.copy_global_to(guild=guild)
        await bot.tree.sync(guild=guild)
        assert [c["guild_id"] for c in fake.commands[GUILD]] == [GUILD]
        payload = fake.slash(["prep", "ping"], {"word": "g"}, **where())
        assert payload["data"]["guild_id"] == GUILD
        assert payload["data"]["id"] == fake.commands[GUILD][0]["id"]
        callback = await interact(fake, payload)
        assert callback.json["data"]["content"] == "pong g"


async def test_slash_command_answered(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(fake, monkeypatch):
        payload = fake.slash(["prep", "ping"], {"word": "hi"}, **where())
        assert payload["data"]["options"] == [
            {"type": 1, "name": "ping", "options": [{"type": 3, "name": "word", "value": "hi"}]}
        ]
        callback = await interact(fake, payload)

        assert callback.status == 200 and callback.query == {"with_response": "1"}
        assert callback.json == {"type": 4, "data": callback.json["data"]}
        assert callback.json["data"]["content"] == "pong hi"
        original = fake.original_response(payload["id"])
        assert original is not None and original["content"] == "pong hi"
        assert callback.response["interaction"]["response_message_id"] == original["id"]

        # Discord refuses a second answer to the same interaction.
        async with aiohttp.ClientSession() as session:
            url = f"{fake.base_url}/interactions/{payload['id']}/{payload['token']}/callback"
            async with session.post(url, json={"type": 4, "data": {"content": "x"}}) as again:
                assert again.status == 400
                assert (await again.json())["code"] == 40060


async def test_group_subcommand_with_channel_option(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(fake, monkeypatch):
        options = {"channel": {"channel": CHANNEL}, "hour": 9}
        payload = fake.slash(["prep", "schedule", "set"], options, **where())
        [group] = payload["data"]["options"]
        assert (group["type"], group["options"][0]["type"]) == (2, 1)
        assert [o["type"] for o in group["options"][0]["options"]] == [7, 4]
        assert payload["data"]["resolved"]["channels"][CHANNEL]["name"] == "prep"
        callback = await interact(fake, payload)
        assert callback.json["data"]["content"] == "daily in #prep at 9:00"


async def test_defer_then_followup(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(fake, monkeypatch):
        payload = fake.slash(["prep", "slow"], **where())
        await fake.send_interaction(payload)
        await fake.wait_for_call(lambda c: c.route == FOLLOWUP)

        defer, followup = fake.interaction_calls(payload["id"])
        assert (defer.route, defer.json) == (CALLBACK, {"type": 5, "data": {"flags": 64}})
        assert defer.response["interaction"]["response_message_loading"] is True
        assert followup.route == FOLLOWUP and followup.query["wait"] == "1"
        assert followup.json["content"] == "done thinking"
        assert defer.at < followup.at
        # The first followup after a thinking defer fills the loading message.
        original = fake.original_response(payload["id"])
        assert original is not None and original["content"] == "done thinking"
        assert original["flags"] == EPHEMERAL
        assert followup.response["id"] == original["id"]


async def test_autocomplete(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(fake, monkeypatch):
        payload = fake.slash(["prep", "topic"], {"name": "gra"}, focused="name", **where())
        assert payload["type"] == 4
        callback = await interact(fake, payload)
        assert callback.json["type"] == 8
        assert [c["value"] for c in callback.json["data"]["choices"]] == ["gradient descent"]


async def test_button_reaches_dynamic_item(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(fake, monkeypatch):
        quiz = fake.slash(["prep", "quiz"], **where())
        await interact(fake, quiz)
        message = fake.original_response(quiz["id"])
        assert message is not None
        [row] = message["components"]
        assert row["components"][0]["custom_id"] == "prep:answer:7"

        click = fake.click("prep:answer:7", message=message, **where())
        callback = await interact(fake, click)
        assert callback.json["type"] == 7
        assert callback.json["data"]["content"] == "Q7: answered"
        assert callback.response["resource"]["message"]["id"] == message["id"]
        stored = fake.message(message["id"])
        assert stored is not None
        assert (stored["content"], stored["components"]) == ("Q7: answered", [])


@pytest.mark.parametrize(
    ("command", "field", "key", "reply"),
    [
        ("feedback", "feedback-text", "feedback", "Thanks: "),
        ("notes", "notes-text", "notes", "Noted: "),
    ],
    ids=["action-row", "label"],
)
async def test_modal_submitted(
    fake: FakeDiscord,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    field: str,
    key: str,
    reply: str,
) -> None:
    async with running(fake, monkeypatch) as bot:
        opened = await interact(fake, fake.slash(["prep", command], **where()))
        assert opened.json["type"] == 9
        custom_id = opened.json["data"]["custom_id"]

        submit = fake.modal_submit(custom_id, {field: "more graphs"}, **where())
        # The submission mirrors the modal: action rows for a bare TextInput, labels otherwise.
        wrapper = submit["data"]["components"][0]["type"]
        assert wrapper == (18 if command == "notes" else 1)
        callback = await interact(fake, submit)
        assert callback.json["data"]["content"] == reply + "more graphs"
        assert bot.seen[key] == "more graphs"  # type: ignore[attr-defined]


# ---- channels


async def test_channel_send_and_upload(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(fake, monkeypatch) as bot:
        channel = bot.get_channel(int(CHANNEL))
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("hello", embed=discord.Embed(title="Q1"))
        upload = await channel.send("notes", file=discord.File(io.BytesIO(b"abc"), "notes.txt"))

        first, second = fake.messages[CHANNEL]
        assert (sent.id, sent.content, sent.embeds[0].title) == (int(first["id"]), "hello", "Q1")
        assert sent.author.id == int(APP_ID) and sent.guild is not None
        [call] = [c for c in fake.calls_to("POST /channels/{id}/messages") if c.files]
        assert call.files == [("notes.txt", b"abc", "application/octet-stream")]
        assert call.json["content"] == "notes"
        assert second["attachments"][0]["filename"] == "notes.txt"
        assert await upload.attachments[0].read() == b"abc"

        edited = await sent.edit(content="hello again")
        assert edited.edited_at is not None and first["content"] == "hello again"


async def test_forbidden_and_unknown_channel(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(fake, monkeypatch) as bot:
        channel = bot.get_channel(int(CHANNEL))
        assert isinstance(channel, discord.TextChannel)
        fake.fail("POST", rf"/channels/{CHANNEL}/messages", 403)
        with pytest.raises(discord.Forbidden) as forbidden:
            await channel.send("hi")
        assert forbidden.value.code == 50013
        assert CHANNEL not in fake.messages
        await channel.send("hi")  # the failure was consumed

        with pytest.raises(discord.NotFound) as missing:
            await bot.get_partial_messageable(404).send("hi")
        assert missing.value.code == 10003
        assert [c.status for c in fake.calls_to("POST /channels/{id}/messages")] == [403, 200, 404]


async def test_rate_limit_is_retried(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(fake, monkeypatch) as bot:
        channel = bot.get_channel(int(CHANNEL))
        assert isinstance(channel, discord.TextChannel)
        fake.fail("POST", r"/channels/\d+/messages", 429, retry_after=0.05)
        await channel.send("patient")

        limited, sent = fake.calls_to("POST /channels/{id}/messages")
        assert (limited.status, sent.status) == (429, 200)
        assert sent.at - limited.at >= 0.045  # slept retry_after (give or take clock jitter)
        assert [m["content"] for m in fake.messages[CHANNEL]] == ["patient"]


async def test_thread_from_message(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(fake, monkeypatch) as bot:
        channel = bot.get_channel(int(CHANNEL))
        assert isinstance(channel, discord.TextChannel)
        message = await channel.send("Q3: what is dropout?")
        thread = await message.create_thread(name="Q3 discussion")

        assert isinstance(thread, discord.Thread)
        assert (thread.name, thread.parent_id, thread.id) == (
            "Q3 discussion",
            channel.id,
            message.id,
        )
        assert fake.channels[str(thread.id)]["type"] == 11
        await thread.send("my answer")
        assert [m["content"] for m in fake.messages[str(thread.id)]] == ["my answer"]


async def test_dm_channel(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(fake, monkeypatch) as bot:
        dm = await bot.create_dm(discord.Object(int(USER)))
        assert isinstance(dm, discord.DMChannel)
        assert dm.recipient is not None and dm.recipient.name == "ada"
        await dm.send("your daily question")
        assert [m["content"] for m in fake.messages[str(dm.id)]] == ["your daily question"]
        assert "guild_id" not in fake.messages[str(dm.id)][0]

        again = await bot.http.start_private_message(int(USER))
        assert again["id"] == str(dm.id)  # one DM channel per recipient
        assert len(fake.calls_to("POST /users/@me/channels")) == 2


async def test_unexpected_call_is_recorded(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(fake, monkeypatch) as bot:
        with pytest.raises(discord.NotFound):
            await bot.fetch_guild(int(GUILD))
        [call] = fake.calls_to("GET /guilds/{id}")
        assert call.status == 404 and call.response == {"code": 0, "message": "404: Not Found"}
        with pytest.raises(TimeoutError, match="GET /guilds/"):
            await fake.wait_for_call(lambda c: c.method == "DELETE", timeout=0.05)
