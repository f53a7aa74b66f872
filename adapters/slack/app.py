"""The Bolt app: /prep, buttons, the written-answer modal, App Home.

Every listener acknowledges first (Slack wants an answer within 3 s) and then does the
work, answering through response_url or the Web API. Logic that could serve Discord
too lives in bot/; this module only translates between Slack payloads and the core.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any

from aiohttp import web
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import (
    ANSWER_BLOCK,
    MODAL_CALLBACK,
    OPEN_PREFIX,
    answer_modal,
    check_answer,
    home_view,
    message,
    modal_metadata,
    submitted_text,
)
from bot import commands as cmd
from bot.deliveries import SEEN_MAX, Deliveries
from bot.domain import Who
from bot.replies import ACTION_ID, OOPS, Reply
from bot.service import PracticeService

log = logging.getLogger(__name__)

COMMAND = "/prep"
EVENTS_PATH = "/slack/events"
EVENTS = ("app_home_opened",)
# What the Web API calls need; manifest.yml must grant every one (tests/test_slack_manifest.py).
SCOPES = frozenset(
    {
        "commands",
        "chat:write",
        "im:write",
        "files:write",
        "users:read",
        "channels:read",
        "groups:read",
    }
)
CORE_ACTIONS = re.compile(f"^{ACTION_ID}$")
OPEN_ACTIONS = re.compile("^" + re.escape(OPEN_PREFIX))
ADMIN_TTL_S = 300.0

Respond = Callable[..., Awaitable[Any]]


class Admins:
    """Who may change schedules: workspace admins and owners (users.info, cached for a
    few minutes), plus the user ids in MLPREP_SLACK_ADMINS."""

    def __init__(
        self, client: AsyncWebClient, extra: Iterable[str] = (), ttl: float = ADMIN_TTL_S
    ) -> None:
        self.client = client
        self.extra = {u.upper() for u in extra}
        self.ttl = ttl
        self._cache: dict[str, tuple[bool, float]] = {}

    async def is_admin(self, user_id: str) -> bool:
        if user_id.upper() in self.extra:
            return True
        hit = self._cache.get(user_id)
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        try:
            found = await self.client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("users.info for %s failed: %s", user_id, exc.response.get("error"))
            return False
        user = found.get("user") or {}
        admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        if len(self._cache) > SEEN_MAX:
            self._cache.clear()
        self._cache[user_id] = (admin, time.monotonic() + self.ttl)
        return admin


def _user_name(user: dict[str, Any]) -> str:
    return str(user.get("username") or user.get("name") or user.get("id") or "")


class SlackBot:
    def __init__(
        self,
        service: PracticeService,
        client: AsyncWebClient,
        *,
        signing_secret: str | None = None,
        admins: Iterable[str] = (),
    ) -> None:
        self.service = service
        self.client = client
        self.admins = Admins(client, admins)
        self.deliveries = Deliveries()
        # Without a signing secret (Socket Mode) HTTP requests all fail verification.
        self.app = AsyncApp(client=client, signing_secret=signing_secret or "")
        self.app.use(self._once)
        self.app.command(COMMAND)(self.on_command)
        self.app.action(OPEN_ACTIONS)(self.on_open_answer)
        self.app.action(CORE_ACTIONS)(self.on_action)
        self.app.view(MODAL_CALLBACK)(self.on_answer_submitted)
        self.app.event(EVENTS[0])(self.on_home_opened)

    def web_app(self) -> web.Application:
        """HTTP mode: Bolt's aiohttp app, which verifies Slack's signature on every request."""
        return self.app.web_app(path=EVENTS_PATH)

    async def _once(self, body: dict[str, Any], resp: BoltResponse, next: Callable) -> Any:
        key = body.get("event_id") or body.get("trigger_id")
        if isinstance(key, str) and not self.deliveries.first_time(key):
            log.info("ignored a repeated Slack delivery %s", key)
            return BoltResponse(status=200, body="")
        await next()
        return resp

    # --- listeners --------------------------------------------------------------------

    async def on_command(self, ack: Callable, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        text = str(body.get("text") or "")
        who: Who | None = None
        try:
            parsed = cmd.parse(text)
            user_id = str(body["user_id"])
            is_admin = cmd.needs_admin(parsed) and await self.admins.is_admin(user_id)
            who = Who(
                "slack",
                str(body["team_id"]),
                user_id,
                display_name=str(body.get("user_name") or ""),
                channel_id=body.get("channel_id"),
                is_admin=is_admin,
            )
            replies = await self.service.handle_text(who, text)
        except Exception:
            log.exception("/prep %s failed", text[:40])
            replies = [OOPS]
        await self._respond(respond, replies, who)

    async def on_action(self, ack: Callable, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        action_id = ""
        who: Who | None = None
        try:
            action_id = str(body["actions"][0]["action_id"])
            who = self._who(body)
            replies = await self.service.handle_action(who, action_id)
        except Exception:
            log.exception("action %s failed", action_id[:40])
            replies = [OOPS]
        await self._respond(respond, replies, who)

    async def on_open_answer(self, ack: Callable, body: dict[str, Any]) -> None:
        """Open the modal at once: its trigger_id expires 3 s after the click."""
        await ack()
        try:
            action_id = str(body["actions"][0]["action_id"]).removeprefix(OPEN_PREFIX)
            view = answer_modal(
                action_id, "Your answer (up to 3,000 characters)", self._channel_of(body)
            )
            await self.client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as exc:
            log.warning("views.open failed: %s", exc.response.get("error"))
        except Exception:
            log.exception("opening the answer modal failed")

    async def on_answer_submitted(self, ack: Callable, body: dict[str, Any]) -> None:
        view = body["view"]
        text = submitted_text(view)
        problem = check_answer(text)
        if problem is not None:  # shown under the field; the modal stays open
            await ack(response_action="errors", errors={ANSWER_BLOCK: problem})
            return
        await ack()
        action_id, channel = modal_metadata(view)
        who = self._who(body, channel)
        try:
            replies = await self.service.handle_action(who, action_id, text)
        except Exception:
            log.exception("written answer to %s failed", action_id[:40])
            replies = [OOPS]
        await self._tell_privately(who, replies)

    async def on_home_opened(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab") != "home":
            return
        who = Who("slack", str(body.get("team_id") or ""), str(event["user"]))
        try:
            home = await self.service.home(who)
            view = home_view(home, self.service.bank.title)
            await self.client.views_publish(user_id=who.user_id, view=view)
        except Exception:
            log.exception("App Home for %s failed", who.user_id)

    # --- helpers ----------------------------------------------------------------------

    @staticmethod
    def _channel_of(body: dict[str, Any]) -> str | None:
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id"
        )
        return str(channel) if channel else None

    def _who(self, body: dict[str, Any], channel: str | None = None) -> Who:
        user = body.get("user") or {}
        team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
        return Who(
            "slack",
            str(team),
            str(user["id"]),
            display_name=_user_name(user),
            channel_id=channel or self._channel_of(body),
        )

    async def _respond(self, respond: Respond, replies: list[Reply], who: Who | None) -> None:
        for reply in replies:
            if reply.files and who is not None:
                reply = await self._send_files(who, reply)
            try:
                await respond(
                    **message(reply),
                    response_type="ephemeral" if reply.ephemeral else "in_channel",
                    replace_original=False,
                )
            except Exception:
                log.exception("could not answer through response_url")

    async def _dm(self, user_id: str) -> str:
        """The id of the bot's direct-message channel with a person."""
        opened = await self.client.conversations_open(users=user_id)
        return str(opened["channel"]["id"])

    async def _send_files(self, who: Who, reply: Reply) -> Reply:
        """Files go to the person's DM with the bot (a slash command's reply is ephemeral
        and cannot carry one); the reply says where they went, or that they could not."""
        names = ", ".join(f.filename for f in reply.files)
        try:
            dm = await self._dm(who.user_id)
            for f in reply.files:
                await self.client.files_upload_v2(
                    channel=dm,
                    content=f.data,
                    filename=f.filename,
                    title=f.description or f.filename,
                )
            note = f"Sent to you in a direct message: {names}."
        except SlackApiError as exc:
            log.warning("could not send %s: %s", names, exc.response.get("error"))
            note = f"Could not send {names} (Slack said: {exc.response.get('error')})."
        footer = f"{reply.footer}\n{note}" if reply.footer else note
        return replace(reply, footer=footer)

    async def _tell_privately(self, who: Who, replies: list[Reply]) -> None:
        """After a modal there is no response_url: an ephemeral message in the channel the
        answer came from, or a direct message when that fails."""
        for reply in replies:
            try:
                if who.channel_id:
                    await self.client.chat_postEphemeral(
                        channel=who.channel_id, user=who.user_id, **message(reply)
                    )
                    continue
            except SlackApiError as exc:
                log.info("ephemeral reply failed (%s); sending a DM", exc.response.get("error"))
            try:
                await self.client.chat_postMessage(
                    channel=await self._dm(who.user_id), **message(reply)
                )
            except SlackApiError as exc:
                log.warning("could not reach %s: %s", who.user_id, exc.response.get("error"))
