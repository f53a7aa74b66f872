"""The real discord.py bot (adapters/discord) against the loopback fake Discord, with the
core on a test database, a manual clock and manual scheduler jobs."""

from __future__ import annotations

import asyncio
import random
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from adapters.discord.run import DiscordPlatform
from bot.bank import QuestionBank
from bot.clock import ManualClock
from bot.config import Settings
from bot.daily.engine import DailyEngine
from bot.service import PracticeService
from bot.store import Database
from tests.daily_fakes import ManualJobs
from tests.discord_fake import ADMIN_PERMS, EPHEMERAL, MEMBER_PERMS, FakeDiscord, RestCall

TOKEN = "test-bot-token"
GUILD = "200000000000000001"
CHANNEL = "300000000000000001"
OTHER_GUILD, OTHER_CHANNEL = "200000000000000002", "300000000000000009"
ADMIN, MEMBER = "400000000000000001", "400000000000000002"
CALLBACK = "POST /interactions/{id}/{token}/callback"


@dataclass(frozen=True)
class Sent:
    """One message the bot produced for an interaction (a callback, an edit of the
    deferred response, or a followup), or an acknowledgement without a message."""

    call: RestCall
    kind: str  # "callback" | "edit" | "followup"
    type: int | None  # the callback type (4 message, 5 deferred, 8 autocomplete, 9 modal)
    body: dict[str, Any]
    deferred_flags: int = 0  # an edit of a deferred response shows as the deferral said

    @property
    def ephemeral(self) -> bool:
        return bool((int(self.body.get("flags") or 0) | self.deferred_flags) & EPHEMERAL)

    @property
    def embed(self) -> dict[str, Any]:
        return (self.body.get("embeds") or [{}])[0]

    @property
    def title(self) -> str:
        return str(self.embed.get("title") or "")

    @property
    def text(self) -> str:
        """Everything a person reads in the message."""
        parts = [self.embed.get("title") or "", self.embed.get("description") or ""]
        parts += [f"{f['name']}\n{f['value']}" for f in self.embed.get("fields", [])]
        parts.append((self.embed.get("footer") or {}).get("text", ""))
        return "\n".join(p for p in parts if p)

    def components(self) -> dict[str, str]:
        return components(self.body)


def components(message: dict[str, Any]) -> dict[str, str]:
    """label (or select placeholder) -> custom_id of every component of a message."""
    out: dict[str, str] = {}
    for row in message.get("components") or []:
        for c in row.get("components", []):
            out[str(c.get("label") or c.get("placeholder"))] = c["custom_id"]
    return out


def sent_messages(calls: list[RestCall]) -> list[Sent]:
    out: list[Sent] = []
    deferred = 0
    for call in calls:
        body = call.json if isinstance(call.json, dict) else {}
        if call.route == CALLBACK:
            kind = int(body.get("type", 0))
            data = body.get("data") or {}
            if kind == 5:
                deferred = int(data.get("flags") or 0)
            out.append(Sent(call, "callback", kind, data))
        elif call.method == "PATCH":
            original = call.path.endswith("/@original")
            out.append(Sent(call, "edit", None, body, deferred if original else 0))
        elif call.method == "POST":
            out.append(Sent(call, "followup", None, body))
    return out


def shown(messages: list[Sent]) -> list[Sent]:
    """The ones a person sees: not deferrals, modals or autocomplete results."""
    return [m for m in messages if m.type not in (5, 6, 8, 9)]


class DiscordRig:
    def __init__(self, db: Database, bank: QuestionBank, clock: ManualClock) -> None:
        self.db, self.bank, self.clock = db, bank, clock
        self.fake = FakeDiscord()
        self.stack: AsyncExitStack | None = None
        self.connections = 0

    def settings(self, **extra: Any) -> Settings:
        return Settings(
            _env_file=None,  # type: ignore[call-arg]
            DISCORD_TOKEN=TOKEN,
            discord_api_url=self.fake.base_url,
            discord_gateway_url=self.fake.gateway_url,
            **extra,
        )

    async def start(self, *, defer_after: float = 1.5, **settings: Any) -> DiscordRig:
        await self.fake.start()
        self.fake.add_guild(GUILD, channels={CHANNEL: "study"})
        self.fake.add_guild(OTHER_GUILD, "Elsewhere", channels={OTHER_CHANNEL: "general"})
        self.fake.add_user(ADMIN, "ada")
        self.fake.add_user(MEMBER, "bo")
        await self.boot(defer_after=defer_after, **settings)
        return self

    async def boot(self, *, defer_after: float = 1.5, **settings: Any) -> None:
        """Start the bot as a new process would: a new service, engine and client on the
        same database and the same fake Discord."""
        self.service = PracticeService(
            self.db, self.bank, self.clock, rng=random.Random(7), command_prefix="/prep "
        )
        self.platform = DiscordPlatform(
            self.settings(**settings),
            self.service,
            guild_ready_timeout=0.05,
            defer_after=defer_after,
        )
        self.stack = AsyncExitStack()
        poster = await self.stack.enter_async_context(self.platform.session())
        self.jobs = ManualJobs(self.clock)
        self.engine = DailyEngine(
            self.db,
            self.bank,
            self.clock,
            {"discord": poster},
            jobs=self.jobs,
            rng=random.Random(5),
        )
        self.service.attach_engine(self.engine)
        await self.engine.start()
        await self.stack.enter_async_context(self.platform.serving())
        self.connections += 1
        await self.fake.wait_ready(count=self.connections)
        # discord.py dispatches its own ready a moment after the gateway's READY; a test
        # that ended before it would leave that event's handler unstarted at shutdown.
        assert self.platform.bot is not None
        await asyncio.wait_for(self.platform.bot.wait_until_ready(), timeout=5)

    async def shutdown(self) -> None:
        if self.stack is not None:
            stack, self.stack = self.stack, None
            await stack.aclose()

    async def restart(self, **settings: Any) -> None:
        await self.shutdown()
        await self.boot(**settings)

    async def close(self) -> None:
        await self.shutdown()
        await self.fake.close()

    # --- interactions ----------------------------------------------------------------

    async def run(self, payload: dict[str, Any], shown_count: int = 1) -> list[Sent]:
        """Send an interaction; wait until the bot has shown `shown_count` messages for it
        (or answered at all, for 0); everything it sent for it, in order."""
        await self.fake.send_interaction(payload)
        iid = str(payload["id"])

        def done() -> bool:
            sent = sent_messages(self.fake.interaction_calls(iid))
            return bool(sent) and len(shown(sent)) >= shown_count

        await self.fake.wait_until(done, what=f"{shown_count} message(s) for {iid}")
        return sent_messages(self.fake.interaction_calls(iid))

    def slash(
        self, path: str, options: dict[str, Any] | None = None, *, user: str = MEMBER, **kw: Any
    ) -> dict[str, Any]:
        """A slash command payload, e.g. slash("prep quiz", {"topic": "alpha"})."""
        kw.setdefault("permissions", ADMIN_PERMS if user == ADMIN else MEMBER_PERMS)
        kw.setdefault("guild_id", GUILD)
        kw.setdefault("channel_id", CHANNEL)
        return self.fake.slash(path.split(), options, user_id=user, **kw)

    async def command(
        self, path: str, options: dict[str, Any] | None = None, *, shown_count: int = 1, **kw: Any
    ) -> list[Sent]:
        return shown(await self.run(self.slash(path, options, **kw), shown_count))

    def click_payload(
        self, message: Sent | dict[str, Any], custom_id: str, *, user: str = MEMBER, **kw: Any
    ) -> dict[str, Any]:
        """A click on a component of a message the bot sent (as the fake stored it); on a
        select menu, picking `values` (its first option unless given)."""
        stored = self._stored(message)
        component = next(
            c
            for row in stored.get("components") or []
            for c in row.get("components", [])
            if c.get("custom_id") == custom_id
        )
        if component["type"] == 3:
            kw.setdefault("component_type", 3)
            kw.setdefault("values", [component["options"][0]["value"]])
        return self.fake.click(
            custom_id,
            message=stored,
            user_id=user,
            guild_id=kw.pop("guild_id", GUILD),
            channel_id=kw.pop("channel_id", stored.get("channel_id", CHANNEL)),
            **kw,
        )

    async def click(
        self, message: Sent | dict[str, Any], label: str, *, shown_count: int = 1, **kw: Any
    ) -> list[Sent]:
        custom_id = self.components_of(message)[label]
        return shown(await self.run(self.click_payload(message, custom_id, **kw), shown_count))

    def components_of(self, message: Sent | dict[str, Any]) -> dict[str, str]:
        return components(self._stored(message))

    def _stored(self, message: Sent | dict[str, Any]) -> dict[str, Any]:
        if isinstance(message, dict):
            return message
        response = message.call.response or {}
        if message.kind == "callback":
            stored = ((response.get("resource") or {}).get("message")) or {}
        else:
            stored = response
        assert stored.get("id"), f"no stored message for {message.kind}"
        return stored
