"""Run the Slack bot: Socket Mode (no public URL) or HTTP (Events API), with the
daily-question scheduler posting through the Web API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

from adapters.slack.app import EVENTS_PATH, SlackBot
from adapters.slack.client import make_client
from adapters.slack.poster import SlackPoster
from bot.config import ConfigurationError, Settings
from bot.service import PracticeService

log = logging.getLogger(__name__)


def slack_mode(settings: Settings) -> str:
    """socket when an app-level token is set, http when a signing secret is; or as set."""
    if settings.slack_mode == "socket" or (
        settings.slack_mode is None and settings.slack_app_token is not None
    ):
        if settings.slack_app_token is None:
            raise ConfigurationError(
                "Configuration error: Socket Mode needs SLACK_APP_TOKEN (an xapp- token from "
                "Basic Information > App-Level Tokens, scope connections:write)."
            )
        return "socket"
    if settings.slack_signing_secret is None:
        raise ConfigurationError(
            "Configuration error: set SLACK_APP_TOKEN for Socket Mode, or SLACK_SIGNING_SECRET "
            "(Basic Information > App Credentials) for HTTP mode."
        )
    return "http"


def build_bot(settings: Settings, service: PracticeService) -> SlackBot:
    assert settings.slack_bot_token is not None
    client = make_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    secret = settings.slack_signing_secret
    return SlackBot(
        service,
        client,
        signing_secret=secret.get_secret_value() if secret else None,
        admins=settings.slack_admins,
    )


@asynccontextmanager
async def serving(bot: SlackBot, settings: Settings, mode: str) -> AsyncIterator[str]:
    """Connect (Socket Mode) or listen (HTTP) until the block exits; yields where."""
    if mode == "socket":
        assert settings.slack_app_token is not None
        handler = AsyncSocketModeHandler(
            bot.app, settings.slack_app_token.get_secret_value(), web_client=bot.client
        )
        await handler.connect_async()
        try:
            yield "Socket Mode"
        finally:
            await handler.close_async()
        return
    runner = web.AppRunner(bot.web_app(), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.slack_host, settings.slack_port)
        await site.start()
        port = runner.addresses[0][1] if runner.addresses else settings.slack_port  # port 0
        yield f"http://{settings.slack_host}:{port}{EVENTS_PATH}"
    finally:
        await runner.cleanup()


async def check_token(bot: SlackBot) -> str:
    """auth.test before anything else: a wrong token or an unreachable API is one clear
    line at start-up, not a stream of failures later. The bot's user id."""
    try:
        found = await bot.client.auth_test()
    except SlackApiError as exc:
        raise ConfigurationError(
            f"Configuration error: SLACK_BOT_TOKEN: Slack refused it "
            f"({exc.response.get('error')}); copy the Bot User OAuth Token (xoxb-...) "
            "from OAuth & Permissions."
        ) from None
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise ConfigurationError(
            f"Cannot reach the Slack Web API at {bot.client.base_url} "
            f"({type(exc).__name__}). Check the network, or MLPREP_SLACK_API_URL."
        ) from None
    return str(found.get("user_id") or "")


class SlackPlatform:
    """Slack for adapters/serve.py: auth.test at login, then Socket Mode or HTTP."""

    name = "slack"

    def __init__(self, settings: Settings, service: PracticeService) -> None:
        self.settings = settings
        self.mode = slack_mode(settings)
        self.bot = build_bot(settings, service)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[SlackPoster]:
        await check_token(self.bot)
        try:
            yield SlackPoster(self.bot.client)
        finally:
            if self.bot.client.session is not None:
                await self.bot.client.session.close()

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[asyncio.Future[None]]:
        async with serving(self.bot, self.settings, self.mode) as where:
            log.info("Slack bot running (%s); stop with Ctrl-C or SIGTERM", where)
            yield asyncio.get_running_loop().create_future()  # Slack runs until stopped
        log.info("Slack bot stopped")
