"""Run the Discord bot (for adapters/serve.py) and sync its commands (`mlprep discord sync`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import aiohttp
import discord

from adapters.discord.client import PrepBot, ShardedPrepBot, build_bot, endpoints
from adapters.discord.poster import DiscordPoster
from adapters.serve import PlatformStopped
from bot.config import ConfigurationError, Settings
from bot.service import PracticeService

log = logging.getLogger(__name__)

BAD_TOKEN = (
    "Configuration error: DISCORD_TOKEN: Discord refused it; copy the bot token from the "
    "Developer Portal (your application > Bot > Reset Token)."
)


async def login(bot: PrepBot | ShardedPrepBot, settings: Settings) -> None:
    """Log in over REST (checks the token, fetches the application, runs setup_hook)."""
    assert settings.discord_token is not None
    try:
        await bot.login(settings.discord_token.get_secret_value())
    except discord.LoginFailure:
        raise ConfigurationError(BAD_TOKEN) from None
    except (aiohttp.ClientError, OSError, TimeoutError, discord.HTTPException) as exc:
        raise ConfigurationError(
            f"Cannot reach Discord's API at {discord.http.Route.BASE} ({type(exc).__name__}). "
            "Check the network, or MLPREP_DISCORD_API_URL."
        ) from None


class DiscordPlatform:
    name = "discord"

    def __init__(self, settings: Settings, service: PracticeService, **options: Any) -> None:
        self.settings = settings
        self.service = service
        self.options = options  # for build_bot (tests: guild_ready_timeout, defer_after)
        self.bot: PrepBot | ShardedPrepBot | None = None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[DiscordPoster]:
        async with AsyncExitStack() as stack:
            stack.enter_context(
                endpoints(self.settings.discord_api_url, self.settings.discord_gateway_url)
            )
            self.bot = build_bot(self.settings, self.service, **self.options)
            stack.push_async_callback(self.bot.close)
            await login(self.bot, self.settings)
            yield DiscordPoster(self.bot)

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[asyncio.Future[None]]:
        assert self.bot is not None, "session() first"
        bot = self.bot
        connection = asyncio.ensure_future(bot.connect(reconnect=True))
        ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        connection.add_done_callback(lambda task: _report_end(task, ended))
        shards = f", {bot.shard_count or 'auto'} shards" if isinstance(bot, ShardedPrepBot) else ""
        log.info("Discord bot connecting%s; stop with Ctrl-C or SIGTERM", shards)
        try:
            yield ended
        finally:
            await bot.close()
            try:
                await asyncio.wait_for(connection, timeout=10)
            except (asyncio.CancelledError, TimeoutError, Exception):  # closing: only its end
                connection.cancel()
            await _finish_events()
            log.info("Discord bot stopped")


EVENTS_GRACE = 2.0  # seconds the last event handlers get to finish at shutdown


async def _finish_events() -> None:
    """Let the event handlers discord.py scheduled while closing (its tasks are named
    "discord.py: <event>") run, instead of leaving them unstarted when the loop ends."""
    pending = [
        t for t in asyncio.all_tasks() if t.get_name().startswith("discord.py: ") and not t.done()
    ]
    if pending:
        await asyncio.wait(pending, timeout=EVENTS_GRACE)


def _report_end(task: asyncio.Future[None], ended: asyncio.Future[None]) -> None:
    """discord.py reconnects by itself; its connect() ends only when closed or when
    reconnecting cannot help (a revoked token, a refused intent)."""
    if ended.done():
        return
    exc = None if task.cancelled() else task.exception()
    if exc is None:
        ended.set_result(None)
    elif isinstance(exc, discord.LoginFailure):
        ended.set_exception(ConfigurationError(BAD_TOKEN))
    elif isinstance(exc, discord.PrivilegedIntentsRequired):  # never asked for: report it
        ended.set_exception(PlatformStopped("Discord refused a privileged intent."))
    else:
        ended.set_exception(PlatformStopped(f"The Discord connection ended: {exc!r}"))


async def sync_commands(settings: Settings, service: PracticeService, guild: int | None) -> int:
    """Register the slash commands with Discord: globally (can take up to an hour to show
    everywhere), or in one guild (at once). Returns how many top-level commands."""
    with endpoints(settings.discord_api_url, settings.discord_gateway_url):
        bot = build_bot(settings.model_copy(update={"discord_dev_guild": None}), service)
        async with bot:
            await login(bot, settings)
            if guild is None:
                synced = await bot.tree.sync()
            else:
                target = discord.Object(guild)
                bot.tree.copy_global_to(guild=target)
                synced = await bot.tree.sync(guild=target)
    return len(synced)
