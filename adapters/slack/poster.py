"""The Slack side of the daily-question posting port (bot/daily/port.py)."""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import message
from bot.daily.port import PostFailed
from bot.replies import Reply

log = logging.getLogger(__name__)

# Errors that will not go away by trying again: the schedule is paused and its admin told.
_LOST_ACCESS = {
    "not_in_channel": "the bot is not a member of the channel (invite it with /invite)",
    "channel_not_found": "the channel was deleted or the bot cannot see it",
    "is_archived": "the channel is archived",
    "restricted_action": "the workspace does not let the bot post there",
    "not_authed": "the bot token is missing",
    "invalid_auth": "the bot token is not valid",
    "token_revoked": "the bot token was revoked",
    "account_inactive": "the bot was deactivated",
    "missing_scope": "the app lacks the chat:write scope (reinstall it from manifest.yml)",
}


def _failure(exc: SlackApiError) -> PostFailed:
    code = str(exc.response.get("error", "unknown_error"))
    if code in _LOST_ACCESS:
        return PostFailed(_LOST_ACCESS[code], permanent=True)
    return PostFailed(f"Slack answered {code}", permanent=False)


class SlackPoster:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def check_channel(self, team_id: str, channel_id: str) -> None:
        try:
            found = await self.client.conversations_info(channel=channel_id)
        except SlackApiError as exc:
            failure = _failure(exc)
            if failure.permanent and exc.response.get("error") != "missing_scope":
                raise failure from None
            log.info("cannot check channel %s: %s", channel_id, failure.reason)
            return  # cannot tell: the first post will
        channel = found.get("channel") or {}
        if channel.get("is_archived"):
            raise PostFailed(_LOST_ACCESS["is_archived"], permanent=True)
        if channel.get("is_member") is False:
            raise PostFailed(_LOST_ACCESS["not_in_channel"], permanent=True)

    async def _post(self, channel: str, reply: Reply, thread_ts: str | None = None) -> str:
        try:
            sent = await self.client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
                **message(reply),
            )
        except SlackApiError as exc:
            raise _failure(exc) from None
        except aiohttp.ClientConnectorError as exc:  # never reached Slack: safe to retry
            raise PostFailed(f"cannot reach Slack: {exc}", permanent=False) from None
        return str(sent["ts"])

    async def post(self, team_id: str, channel_id: str, reply: Reply) -> str:
        return await self._post(channel_id, reply)

    async def reply(self, team_id: str, channel_id: str, message_ref: str, reply: Reply) -> str:
        """The reveal goes in the thread of the daily post."""
        return await self._post(channel_id, reply, thread_ts=message_ref)

    async def notify(self, team_id: str, user_id: str, reply: Reply) -> None:
        """A direct message to a schedule's admin."""
        try:
            opened = await self.client.conversations_open(users=user_id)
        except SlackApiError as exc:
            raise _failure(exc) from None
        await self._post(str(opened["channel"]["id"]), reply)
