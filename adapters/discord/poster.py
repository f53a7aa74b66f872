"""The Discord side of the daily-question posting port (bot/daily/port.py).

Message references are message ids; the reveal replies to the daily post (a reply
needs only Send Messages, where a thread would also need Create Public Threads).
Rate limits are discord.py's business: it waits and retries on 429 by itself.
"""

from __future__ import annotations

import logging

import aiohttp
import discord

from adapters.discord.render import render
from bot.daily.port import PostFailed
from bot.replies import Reply

log = logging.getLogger(__name__)

# Read Message History: Discord requires it to reply to a message (the reveal).
NEEDED = ("view_channel", "send_messages", "embed_links", "read_message_history")
_NEEDED_NAMES = "View Channel, Send Messages, Embed Links and Read Message History"
INVITE_PERMISSIONS = 1024 | 2048 | 16384 | 65536  # the four above, for the invite URL


def _failure(exc: discord.HTTPException) -> PostFailed:
    if isinstance(exc, discord.Forbidden):
        return PostFailed(
            f"the bot lacks permission to post there (it needs {_NEEDED_NAMES}; "
            f"Discord said: {exc.text or 'Missing Permissions'})",
            permanent=True,
        )
    if isinstance(exc, discord.NotFound):
        return PostFailed("the channel was deleted or the bot cannot see it", permanent=True)
    return PostFailed(f"Discord answered {exc.status} {exc.text}".strip(), permanent=False)


class DiscordPoster:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def _channel(self, channel_id: str) -> discord.abc.GuildChannel | discord.Thread:
        if not channel_id.isdigit():
            raise PostFailed(f"'{channel_id}' is not a Discord channel id", permanent=True)
        channel = self.client.get_channel(int(channel_id))
        if channel is None:
            try:
                channel = await self.client.fetch_channel(int(channel_id))
            except discord.HTTPException as exc:
                raise _failure(exc) from None
        if not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
            raise PostFailed("that is not a server channel", permanent=True)
        return channel

    async def check_channel(self, team_id: str, channel_id: str) -> None:
        channel = await self._channel(channel_id)
        if str(channel.guild.id) != team_id:
            raise PostFailed("that channel belongs to another server", permanent=True)
        if not isinstance(channel, discord.abc.Messageable):
            raise PostFailed("the bot cannot post in that kind of channel", permanent=True)
        me = getattr(channel.guild, "me", None)  # a fetched channel's guild may be a stub
        if me is None:
            return  # not cached yet: the first post will tell
        perms = channel.permissions_for(me)
        missing = [name for name in NEEDED if not getattr(perms, name)]
        if missing:
            names = ", ".join(n.replace("_", " ").title() for n in missing)
            raise PostFailed(f"the bot lacks {names} in that channel", permanent=True)

    async def _send(
        self, channel_id: str, reply: Reply, reference: discord.MessageReference | None = None
    ) -> str:
        target = self.client.get_partial_messageable(int(channel_id))
        first: discord.Message | None = None
        try:
            for out in render(reply):
                sent = await target.send(
                    reference=reference if first is None else None,  # type: ignore[arg-type]
                    **out.kwargs(),  # type: ignore[arg-type]
                )
                first = first or sent
        except discord.HTTPException as exc:
            if first is not None:  # part of a long reply went out: report it as posted
                log.warning("the rest of a post to %s failed: %s", channel_id, exc)
                return str(first.id)
            raise _failure(exc) from None
        except aiohttp.ClientConnectorError as exc:  # never reached Discord: safe to retry
            raise PostFailed(f"cannot reach Discord: {exc}", permanent=False) from None
        assert first is not None
        return str(first.id)

    async def post(self, team_id: str, channel_id: str, reply: Reply) -> str:
        if not channel_id.isdigit():
            raise PostFailed(f"'{channel_id}' is not a Discord channel id", permanent=True)
        return await self._send(channel_id, reply)

    async def reply(self, team_id: str, channel_id: str, message_ref: str, reply: Reply) -> str:
        """The reveal, as a reply to the daily post (still sent if the post was deleted)."""
        reference = discord.MessageReference(
            message_id=int(message_ref), channel_id=int(channel_id), fail_if_not_exists=False
        )
        return await self._send(channel_id, reply, reference)

    async def notify(self, team_id: str, user_id: str, reply: Reply) -> None:
        """A direct message to a schedule's admin."""
        try:
            dm = await self.client.create_dm(discord.Object(int(user_id)))
            for out in render(reply):
                await dm.send(**out.kwargs())  # type: ignore[arg-type]
        except discord.HTTPException as exc:
            raise _failure(exc) from None
