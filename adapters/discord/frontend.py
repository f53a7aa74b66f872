"""Between discord.py interactions and the core: who is asking, answering in time,
sending the replies.

Discord wants a first response within 3 seconds. Commands known to be slow defer at
once; everything else gets DEFER_AFTER_S to finish and is deferred only if it has not,
so a quick answer arrives as one message and a slow one never times out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp
import discord

from adapters.discord import ids
from adapters.discord.items import answer_modal, submitted_text
from adapters.discord.render import Outgoing, render
from bot.deliveries import Deliveries
from bot.domain import Who
from bot.replies import OOPS, Reply
from bot.service import PracticeService

log = logging.getLogger(__name__)

DEFER_AFTER_S = 1.5
DONE = Reply("Done.")


def who_is(interaction: discord.Interaction) -> Who:
    """The person, team and channel of an interaction. A DM is its own team, so practice
    there never mixes with a server's leaderboard."""
    user = interaction.user
    guild_id = interaction.guild_id
    perms = interaction.permissions  # the member's permissions in this channel
    return Who(
        "discord",
        str(guild_id) if guild_id else f"dm-{user.id}",
        str(user.id),
        display_name=user.display_name,
        channel_id=str(interaction.channel_id) if interaction.channel_id else None,
        is_admin=bool(guild_id) and perms.manage_guild,
    )


class Frontend:
    def __init__(self, service: PracticeService, *, defer_after: float = DEFER_AFTER_S) -> None:
        self.service = service
        self.defer_after = defer_after
        self.deliveries = Deliveries()

    # --- entry points ---------------------------------------------------------------

    async def command(
        self,
        interaction: discord.Interaction,
        text: str,
        *,
        slow: bool = False,
        public: bool = False,
    ) -> None:
        """A slash command as the console's text command. `public`: the first reply is
        meant for the channel (decides how a deferred response is shown)."""
        who = who_is(interaction)
        await self._answer(
            interaction, lambda: self.service.handle_text(who, text), slow=slow, public=public
        )

    async def on_action(self, interaction: discord.Interaction, action_id: str) -> None:
        who = who_is(interaction)
        await self._answer(interaction, lambda: self.service.handle_action(who, action_id))

    async def open_answer(self, interaction: discord.Interaction, action_id: str) -> None:
        """The modal must be the first response to the click: open it before any work."""
        if not self.deliveries.first_time(str(interaction.id)):
            return
        try:
            await interaction.response.send_modal(answer_modal(action_id))
        except discord.HTTPException as exc:
            log.warning("could not open the answer modal: %s", exc)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Modal submissions, matched by custom_id (components go through DynamicItems)."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data = dict(interaction.data or {})
        action_id = ids.action_of(ids.ANSWER, str(data.get("custom_id") or ""))
        if action_id is None:
            return
        text = submitted_text(data) or ""
        who = who_is(interaction)
        await self._answer(interaction, lambda: self.service.handle_action(who, action_id, text))

    # --- answering --------------------------------------------------------------------

    async def _answer(
        self,
        interaction: discord.Interaction,
        work: Callable[[], Awaitable[list[Reply]]],
        *,
        slow: bool = False,
        public: bool = False,
    ) -> None:
        if not self.deliveries.first_time(str(interaction.id)):
            log.info("ignored a repeated interaction %s", interaction.id)
            return
        task = asyncio.ensure_future(self._safely(work))
        deferred = False
        try:
            if not slow:
                await asyncio.wait({task}, timeout=self.defer_after)
            if slow or not task.done():
                deferred = await self._defer(interaction, public)
            replies = await task
        finally:
            if not task.done():  # cancelled while waiting: do not leave the work orphaned
                task.cancel()
        await self.deliver(interaction, replies or [DONE], deferred)

    @staticmethod
    async def _safely(work: Callable[[], Awaitable[list[Reply]]]) -> list[Reply]:
        try:
            return await work()
        except Exception:
            log.exception("handling a Discord interaction failed")
            return [OOPS]

    @staticmethod
    async def _defer(interaction: discord.Interaction, public: bool) -> bool:
        try:
            await interaction.response.defer(ephemeral=not public, thinking=True)
            return True
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not defer interaction %s: %s", interaction.id, exc)
            return interaction.response.is_done()

    async def deliver(
        self, interaction: discord.Interaction, replies: list[Reply], deferred: bool
    ) -> None:
        """Send replies as the interaction's response, then followups; a failure to reach
        Discord is logged, never raised (there is nobody left to tell)."""
        messages: list[Outgoing] = [out for reply in replies for out in render(reply)]
        for i, out in enumerate(messages):
            try:
                if i == 0 and deferred:  # replaces "thinking…"; its visibility was set then
                    await interaction.edit_original_response(**out.kwargs(edit=True))
                elif i == 0 and not interaction.response.is_done():
                    await interaction.response.send_message(ephemeral=out.ephemeral, **out.kwargs())
                else:
                    await interaction.followup.send(ephemeral=out.ephemeral, **out.kwargs())
            except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
                log.warning("could not answer interaction %s: %s", interaction.id, exc)
                if i == 0:
                    return  # the token is unusable: followups would fail the same way
