"""The real Bolt app served over HTTP on loopback, its Web API client pointed at the fake
Slack, and requests signed exactly as Slack signs them."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import random
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from adapters.slack.app import EVENTS_PATH, SlackBot
from adapters.slack.client import make_client
from adapters.slack.poster import SlackPoster
from bot.bank import QuestionBank
from bot.clock import ManualClock
from bot.daily.engine import DailyEngine
from bot.service import PracticeService
from bot.store import Database
from tests.daily_fakes import ManualJobs
from tests.slack_fake import FakeSlack

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T1"
ADMIN_ID, MEMBER_ID = "UADMIN", "UMEMBER"


def sign(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackRig:
    def __init__(self, db: Database, bank: QuestionBank, clock: ManualClock) -> None:
        self.db, self.bank, self.clock = db, bank, clock
        self.fake = FakeSlack()
        self._triggers = itertools.count(1)

    async def start(self) -> SlackRig:
        await self.fake.start()
        self.fake.users[ADMIN_ID] = {"id": ADMIN_ID, "name": "ada", "is_admin": True}
        self.fake.users[MEMBER_ID] = {"id": MEMBER_ID, "name": "bo", "is_admin": False}
        self.fake.channels["C1"] = {"id": "C1", "name": "study", "is_member": True}
        self.client = make_client("xoxb-test-token", self.fake.base_url)
        self.service = PracticeService(
            self.db, self.bank, self.clock, rng=random.Random(7), command_prefix="/prep "
        )
        self.jobs = ManualJobs(self.clock)
        self.engine = DailyEngine(
            self.db,
            self.bank,
            self.clock,
            {"slack": SlackPoster(self.client)},
            jobs=self.jobs,
            rng=random.Random(5),
        )
        self.service.attach_engine(self.engine)
        await self.engine.start()
        self.bot = SlackBot(self.service, self.client, signing_secret=SIGNING_SECRET)
        self.runner = web.AppRunner(self.bot.web_app())
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}{EVENTS_PATH}"
        self.http = aiohttp.ClientSession()
        return self

    async def close(self) -> None:
        await self.http.close()
        await self.runner.cleanup()
        await self.client.session.close() if self.client.session else None
        await self.fake.close()

    # --- requests as Slack sends them ------------------------------------------------

    async def send(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        ts = int(time.time()) if timestamp is None else timestamp
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature or sign(body, ts),
            **(headers or {}),
        }
        async with self.http.post(self.url, data=body.encode(), headers=sent) as resp:
            return resp.status, await resp.text()

    def trigger(self) -> str:
        return f"trigger-{next(self._triggers)}"

    def command_body(
        self, text: str, user: str = MEMBER_ID, channel: str = "C1", trigger: str | None = None
    ) -> str:
        name = self.fake.users.get(user, {}).get("name", user.lower())
        return urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": TEAM,
                "team_domain": "fake",
                "channel_id": channel,
                "channel_name": "study",
                "user_id": user,
                "user_name": name,
                "command": "/prep",
                "text": text,
                "api_app_id": "A1",
                "response_url": self.fake.response_url(f"cmd-{user}"),
                "trigger_id": trigger or self.trigger(),
            }
        )

    async def command(self, text: str, user: str = MEMBER_ID, **kw: Any) -> tuple[int, str]:
        return await self.send(
            self.command_body(text, user, **kw), "application/x-www-form-urlencoded"
        )

    async def replies(self, count: int, start: int = 0) -> list[dict[str, Any]]:
        """The response_url posts from `start` on, waiting for `count` of them."""
        got = await self.fake.wait_for_responses(start + count)
        return [body for _name, body in got[start : start + count]]

    def action_body(
        self,
        action_id: str,
        user: str = MEMBER_ID,
        channel: str = "C1",
        trigger: str | None = None,
        message_ts: str = "1.0",
    ) -> str:
        name = self.fake.users.get(user, {}).get("name", user.lower())
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "fake"},
            "user": {"id": user, "username": name, "name": name, "team_id": TEAM},
            "api_app_id": "A1",
            "trigger_id": trigger or self.trigger(),
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
            "channel": {"id": channel, "name": "study"},
            "response_url": self.fake.response_url(f"act-{user}"),
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "b",
                    "value": action_id,
                    "action_ts": "2.0",
                }
            ],
        }
        return urlencode({"payload": json.dumps(payload)})

    async def click(self, action_id: str, user: str = MEMBER_ID, **kw: Any) -> tuple[int, str]:
        return await self.send(
            self.action_body(action_id, user, **kw), "application/x-www-form-urlencoded"
        )

    async def submit(
        self, view: dict[str, Any], text: str, user: str = MEMBER_ID
    ) -> tuple[int, str]:
        name = self.fake.users.get(user, {}).get("name", user.lower())
        submitted = {
            **view,
            "id": "V1",
            "state": {"values": {"answer": {"text": {"type": "plain_text_input", "value": text}}}},
        }
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "fake"},
            "user": {"id": user, "username": name, "name": name, "team_id": TEAM},
            "api_app_id": "A1",
            "trigger_id": self.trigger(),
            "view": submitted,
        }
        return await self.send(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )

    async def event(self, event: dict[str, Any], event_id: str, **kw: Any) -> tuple[int, str]:
        body = json.dumps(
            {
                "token": "legacy-verification-token",
                "team_id": TEAM,
                "api_app_id": "A1",
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
            }
        )
        return await self.send(body, "application/json", **kw)
