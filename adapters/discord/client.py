"""The discord.py bot: no privileged intents, the slash commands, the dynamic items.

`commands.Bot` by default; `commands.AutoShardedBot` when MLPREP_DISCORD_SHARDS asks
("auto" lets Discord choose the count). Commands are synced only on request: by
`mlprep discord sync`, or at start-up to one development guild.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from adapters.discord.commands import command_groups
from adapters.discord.frontend import DEFER_AFTER_S, Frontend
from adapters.discord.items import DYNAMIC_ITEMS
from adapters.discord.poster import INVITE_PERMISSIONS
from adapters.discord.render import NO_MENTIONS
from bot.config import Settings
from bot.replies import OOPS, Reply, error
from bot.service import PracticeService

log = logging.getLogger(__name__)

# Guilds only: channels and the bot's roles, for permission checks. Interactions arrive
# whatever the intents; members, presences and message content are never needed.
INTENTS = discord.Intents.none()
INTENTS.guilds = True

# The bot never joins voice; discord.py would warn at every start that voice libraries
# are missing.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False

GUILD_ONLY = error(
    "Schedules belong to a server, so this command works only in a server channel.",
    "Practise here with /prep quiz; set up the daily question in your server.",
)


@contextmanager
def endpoints(api_url: str | None, gateway_url: str | None) -> Iterator[None]:
    """Point discord.py at another REST base and gateway (a proxy, or a test's fake).

    Both are class attributes in discord.py, so this is process-wide; restored on exit."""
    route, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    if api_url:
        discord.http.Route.BASE = api_url
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = route
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


class _Prep:
    """What the bot adds to discord.py's Bot, shared by the plain and sharded classes."""

    frontend: Frontend
    dev_guild: int | None
    tree: app_commands.CommandTree

    def _install(self, frontend: Frontend, dev_guild: int | None) -> None:
        self.frontend, self.dev_guild = frontend, dev_guild
        for group in command_groups():
            self.tree.add_command(group)
        self.tree.error(self._on_command_error)

    async def setup_hook(self) -> None:
        """Runs at login, before the gateway connects: the dynamic items must be known
        before the first click arrives."""
        self.add_dynamic_items(*DYNAMIC_ITEMS)  # type: ignore[attr-defined]
        if self.dev_guild is not None:
            guild = discord.Object(self.dev_guild)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to development guild %s", len(synced), guild.id)

    async def on_ready(self) -> None:
        user, guilds = self.user, self.guilds  # type: ignore[attr-defined]
        log.info("Discord bot ready as %s in %d server(s)", user, len(guilds))
        if not guilds:
            log.info("Invite it to a server: %s", invite_url(self.application_id))  # type: ignore[attr-defined]

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await self.frontend.on_interaction(interaction)

    async def _on_command_error(
        self, interaction: discord.Interaction, exc: app_commands.AppCommandError
    ) -> None:
        reply: Reply
        if isinstance(exc, app_commands.NoPrivateMessage):
            reply = GUILD_ONLY
        elif isinstance(exc, app_commands.TransformerError):
            reply = error(
                f"'{str(exc.value)[:60]}' is not a valid {exc.type.name} here.",
                "Pick a value from the list Discord offers.",
            )
        elif isinstance(exc, app_commands.CheckFailure):
            reply = error("You cannot use this command here.", "Type /prep help.")
        else:
            log.error("slash command failed", exc_info=exc)
            reply = OOPS
        await self.frontend.deliver(interaction, [reply], deferred=False)


def invite_url(application_id: int | None) -> str:
    """The OAuth2 link that adds the bot with the commands scope and the permissions the
    daily question needs (nothing more)."""
    return (
        f"https://discord.com/oauth2/authorize?client_id={application_id}"
        f"&scope=bot+applications.commands&permissions={INVITE_PERMISSIONS}"
    )


class PrepBot(_Prep, commands.Bot):
    pass


class ShardedPrepBot(_Prep, commands.AutoShardedBot):
    pass


def build_bot(
    settings: Settings,
    service: PracticeService,
    *,
    defer_after: float = DEFER_AFTER_S,
    **options: Any,
) -> PrepBot | ShardedPrepBot:
    """The bot, not yet logged in. `options` go to discord.py's client (tests pass
    guild_ready_timeout)."""
    common: dict[str, Any] = {
        "command_prefix": commands.when_mentioned,
        "intents": INTENTS,
        "help_command": None,
        "allowed_mentions": NO_MENTIONS,
        **options,
    }
    bot: PrepBot | ShardedPrepBot
    if settings.discord_shards is None:
        bot = PrepBot(**common)
    else:
        count = None if settings.discord_shards == "auto" else settings.discord_shards
        bot = ShardedPrepBot(shard_count=count, **common)
    bot._install(Frontend(service, defer_after=defer_after), settings.discord_dev_guild)
    return bot
