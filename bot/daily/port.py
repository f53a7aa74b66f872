"""The posting port: what the scheduler needs from a platform, implemented by each adapter.

The core never imports discord or slack; it hands a Reply to a Poster and gets back an
opaque message reference, which it stores and later passes to `reply` for the reveal.
"""

from __future__ import annotations

from typing import Protocol

from bot.replies import Reply


class PostFailed(Exception):
    """The platform said no, so nothing was posted.

    permanent: the bot can no longer post there (removed from the channel, channel
    deleted or archived, missing permission); the schedule is paused instead of retried.
    Any other exception from a Poster means the outcome is unknown (for example a
    timeout after the request was sent): the post is reported, never sent twice.
    """

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Poster(Protocol):
    async def check_channel(self, team_id: str, channel_id: str) -> None:
        """Raise PostFailed(permanent=True) with a readable reason if the bot cannot post
        in the channel; called when an admin sets a schedule."""
        ...

    async def post(self, team_id: str, channel_id: str, reply: Reply) -> str:
        """Post to the channel; return the platform's reference to the new message."""
        ...

    async def reply(self, team_id: str, channel_id: str, message_ref: str, reply: Reply) -> str:
        """Post as a reply or in a thread under `message_ref`; return the new reference."""
        ...

    async def notify(self, team_id: str, user_id: str, reply: Reply) -> None:
        """Tell one person privately (a DM): used to warn a schedule's admin."""
        ...
