"""The slash commands: /prep (everyone) and /prep-schedule (Manage Server).

Typed options are turned back into the console's text command and parsed by the one
shared parser (bot/commands.py), so every platform validates alike and errors read the
same. Admin schedule commands are a top-level command of their own because Discord
applies default_member_permissions only to top-level commands; the core checks Manage
Server again at run time (Who.is_admin), since server admins can override defaults.
"""

from __future__ import annotations

import shlex
from typing import Any, Literal, cast

import discord
from discord import app_commands

from adapters.discord.items import frontend_of
from bot import suggest
from bot.commands import USAGE
from bot.domain import DEFAULT_QUIZ, MAX_ANSWER_CHARS, MAX_QUIZ, MIN_QUIZ

Choice = app_commands.Choice
CommandName = Literal[
    "quiz", "practice", "mock", "answer", "rate", "skip", "stop", "leaderboard", "streak",
    "stats", "me", "topics", "daily", "schedule", "help",
]  # fmt: skip
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun", "off"]


def text_command(*words: object) -> str:
    """The console command for these words; None and "" are left out, each kept whole."""
    return " ".join(shlex.quote(str(w)) for w in words if w is not None and w != "")


class TextChannelRef(app_commands.Transformer):
    """A text or announcement channel, as the mention the text parser reads. Built from
    the interaction's resolved data, so it needs no channel cache."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news]

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> str:
        return f"<#{value.id}>"


def _channel(channel: str | None) -> str:
    return channel or "here"


# --- autocomplete ---------------------------------------------------------------------


async def topic_choices(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
    bank = frontend_of(interaction).service.bank
    return [Choice(name=label[:100], value=value) for label, value in suggest.topics(bank, current)]


async def topic_list_choices(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
    bank = frontend_of(interaction).service.bank
    return [
        Choice(name=label[:100], value=value[:100])
        for label, value in suggest.topic_list(bank, current)
    ]


async def timezone_choices(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
    return [Choice(name=zone, value=zone) for zone in suggest.timezones(current)]


# --- /prep ------------------------------------------------------------------------------


def _describe(name: str) -> str:
    return USAGE[name][1][:100]


@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
@app_commands.allowed_installs(guilds=True, users=False)
class Prep(app_commands.Group, name="prep", description="Practise for ML engineer interviews"):
    @app_commands.command(description=_describe("quiz"))
    @app_commands.describe(
        topic="a topic, e.g. evaluation (all topics if empty)",
        difficulty="only questions of this difficulty",
        count=f"how many questions ({MIN_QUIZ}-{MAX_QUIZ}, default {DEFAULT_QUIZ})",
    )
    @app_commands.autocomplete(topic=topic_choices)
    async def quiz(
        self,
        interaction: discord.Interaction,
        topic: app_commands.Range[str, 1, 60] | None = None,
        difficulty: Literal["easy", "medium", "hard"] | None = None,
        count: app_commands.Range[int, MIN_QUIZ, MAX_QUIZ] = DEFAULT_QUIZ,
    ) -> None:
        await frontend_of(interaction).command(
            interaction, text_command("quiz", topic, difficulty, count)
        )

    @app_commands.command(description=_describe("practice"))
    @app_commands.describe(topic="only this topic (all topics if empty)")
    @app_commands.autocomplete(topic=topic_choices)
    async def practice(
        self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 60] | None = None
    ) -> None:
        await frontend_of(interaction).command(interaction, text_command("practice", topic))

    @app_commands.command(description=_describe("mock"))
    @app_commands.describe(
        round="the kind of round (mixed if empty), or resume/abandon/history of your rounds"
    )
    async def mock(
        self,
        interaction: discord.Interaction,
        round: Literal[
            "mixed", "technical", "system-design", "behavioral", "resume", "abandon", "history"
        ] = "mixed",
    ) -> None:
        await frontend_of(interaction).command(interaction, text_command("mock", round), slow=True)

    @app_commands.command(description=_describe("answer"))
    @app_commands.describe(text="your answer, as you would say it in the interview")
    async def answer(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, MAX_ANSWER_CHARS],
    ) -> None:
        await frontend_of(interaction).command(interaction, f"answer {text}")

    @app_commands.command(description=_describe("rate"))
    @app_commands.describe(rating="how well you knew it")
    async def rate(
        self,
        interaction: discord.Interaction,
        rating: Literal["again", "hard", "good", "easy"],
    ) -> None:
        await frontend_of(interaction).command(interaction, text_command("rate", rating))

    @app_commands.command(description=_describe("skip"))
    async def skip(self, interaction: discord.Interaction) -> None:
        await frontend_of(interaction).command(interaction, "skip")

    @app_commands.command(description=_describe("stop"))
    async def stop(self, interaction: discord.Interaction) -> None:
        await frontend_of(interaction).command(interaction, "stop")

    @app_commands.command(description=_describe("leaderboard"))
    @app_commands.describe(period="which standings (this week by default)")
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        period: Literal["week", "month", "all"] = "week",
    ) -> None:
        await frontend_of(interaction).command(
            interaction, text_command("leaderboard", period), slow=True, public=True
        )

    @app_commands.command(description=_describe("streak"))
    async def streak(self, interaction: discord.Interaction) -> None:
        await frontend_of(interaction).command(interaction, "streak")

    @app_commands.command(description=_describe("stats"))
    @app_commands.describe(scope="yours (default), or the team's (Manage Server)")
    async def stats(
        self, interaction: discord.Interaction, scope: Literal["me", "team"] = "me"
    ) -> None:
        text = "stats team" if scope == "team" else "stats"
        await frontend_of(interaction).command(interaction, text, slow=True)

    @app_commands.command(description=_describe("me"))
    @app_commands.describe(action="export: your data as a JSON file; delete: erase it (asks first)")
    async def me(
        self, interaction: discord.Interaction, action: Literal["export", "delete"]
    ) -> None:
        await frontend_of(interaction).command(interaction, text_command("me", action), slow=True)

    @app_commands.command(description=_describe("topics"))
    async def topics(self, interaction: discord.Interaction) -> None:
        await frontend_of(interaction).command(interaction, "topics")

    @app_commands.command(description="this channel's daily question; answer it in writing")
    @app_commands.describe(answer="your written answer to today's question (leave empty to see it)")
    async def daily(
        self,
        interaction: discord.Interaction,
        answer: app_commands.Range[str, 1, MAX_ANSWER_CHARS] | None = None,
    ) -> None:
        text = f"daily answer {answer}" if answer else "daily"
        await frontend_of(interaction).command(interaction, text)

    @app_commands.command(description="every channel's daily-question schedule and next post")
    async def schedule(self, interaction: discord.Interaction) -> None:
        await frontend_of(interaction).command(interaction, "schedule show", slow=True)

    @app_commands.command(description=_describe("help"))
    @app_commands.describe(command="help on one command")
    async def help(
        self, interaction: discord.Interaction, command: CommandName | None = None
    ) -> None:
        await frontend_of(interaction).command(interaction, text_command("help", command))


# --- /prep-schedule ---------------------------------------------------------------------

ChannelOption = app_commands.Transform[str, TextChannelRef] | None
CHANNEL_HELP = "the channel (this one if empty)"


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class PrepSchedule(
    app_commands.Group,
    name="prep-schedule",
    description="Set up the daily question (Manage Server)",
):
    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """guild_only() only hides the command from DMs; refuse one that arrives anyway."""
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        return True

    @app_commands.command(description="post a daily question in a channel at a local time")
    @app_commands.describe(
        time="24-hour local time, e.g. 09:00",
        timezone="an IANA time zone, e.g. Europe/Berlin",
        channel=CHANNEL_HELP,
        days="e.g. daily, weekdays, mon-fri, mon,wed,fri (every day if empty)",
        topics="comma-separated topic ids, or all",
        difficulty="mixed: easy early in the week, hard late",
    )
    @app_commands.autocomplete(timezone=timezone_choices, topics=topic_list_choices)
    async def set(
        self,
        interaction: discord.Interaction,
        time: app_commands.Range[str, 1, 10],
        timezone: app_commands.Range[str, 1, 64],
        channel: ChannelOption = None,
        days: app_commands.Range[str, 1, 60] | None = None,
        topics: app_commands.Range[str, 1, 300] | None = None,
        difficulty: Literal["easy", "medium", "hard", "mixed"] | None = None,
    ) -> None:
        text = text_command(
            "schedule", "set", _channel(channel), time, timezone, days, topics, difficulty
        )
        await frontend_of(interaction).command(interaction, text, slow=True)

    @app_commands.command(description="every channel's schedule and its next post")
    async def show(self, interaction: discord.Interaction) -> None:
        await frontend_of(interaction).command(interaction, "schedule show", slow=True)

    @app_commands.command(description="stop the daily question (history is kept)")
    @app_commands.describe(channel=CHANNEL_HELP)
    async def off(self, interaction: discord.Interaction, channel: ChannelOption = None) -> None:
        text = text_command("schedule", "off", _channel(channel))
        await frontend_of(interaction).command(interaction, text, slow=True)

    @app_commands.command(description="restart a schedule the bot paused")
    @app_commands.describe(channel=CHANNEL_HELP)
    async def resume(self, interaction: discord.Interaction, channel: ChannelOption = None) -> None:
        text = text_command("schedule", "resume", _channel(channel))
        await frontend_of(interaction).command(interaction, text, slow=True)

    @app_commands.command(description="when the answer is revealed")
    @app_commands.describe(
        hours="hours after posting (empty: when the next question posts, at most 24 h)",
        channel=CHANNEL_HELP,
    )
    async def reveal(
        self,
        interaction: discord.Interaction,
        hours: app_commands.Range[int, 1, 168] | None = None,
        channel: ChannelOption = None,
    ) -> None:
        text = text_command("schedule", "reveal", _channel(channel), hours or "next")
        await frontend_of(interaction).command(interaction, text, slow=True)

    @app_commands.command(description="a weekly recap: top 5, longest streaks, participation")
    @app_commands.describe(
        weekday="the day of the recap, or off",
        time="24-hour local time, e.g. 17:00",
        channel=CHANNEL_HELP,
    )
    async def recap(
        self,
        interaction: discord.Interaction,
        weekday: Weekday,
        time: app_commands.Range[str, 1, 10] | None = None,
        channel: ChannelOption = None,
    ) -> None:
        words = ("off",) if weekday == "off" else (weekday, time)
        text = text_command("schedule", "recap", _channel(channel), *words)
        await frontend_of(interaction).command(interaction, text, slow=True)


def command_groups() -> list[app_commands.Group]:
    return [cast(app_commands.Group, Prep()), cast(app_commands.Group, PrepSchedule())]
