"""A loopback fake of Discord's REST API and gateway for tests that run the real discord.py client.

One aiohttp server on 127.0.0.1 answers:

* the REST API under /api/v10: set `discord.http.Route.BASE = fake.base_url` (discord.py builds
  every URL from it, interaction callbacks and webhook followups included);
* the gateway WebSocket at /gateway: set `DiscordWebSocket.DEFAULT_GATEWAY` to
  `yarl.URL(fake.gateway_url)` (AutoShardedClient without shard_count asks GET /gateway/bot).
  Messages go out as TEXT frames of plain JSON: discord.py only decompresses binary frames, so
  the compress query parameter it asks for is ignored.

Set the world up (guilds, channels, users) before the client connects. Every REST request is
recorded in `calls`; failures can be programmed per (method, path regex) and are consumed in order.
`slash`, `click` and `modal_submit` build INTERACTION_CREATE payloads as Discord does, and the
fake follows each interaction through its callback and webhook followups.

The fake does not echo REST writes back as gateway events (MESSAGE_CREATE, THREAD_CREATE ...):
send those with `dispatch()` when a test needs them. Close the client *before* the fake: when the
gateway closes on it, discord.py reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import itertools
import json
import math
import mimetypes
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

from tests.fake_changes import Changes

APP_ID = "900000000000000001"  # application id == bot user id, as on Discord
BOT_USER: dict[str, Any] = {
    "id": APP_ID,
    "username": "mlprep",
    "discriminator": "0",
    "global_name": "mlprep",
    "avatar": None,
    "bot": True,
}

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADD_REACTIONS = 1 << 6
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_EXTERNAL_EMOJIS = 1 << 18
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
MEMBER_PERMS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)
ADMIN_PERMS = MEMBER_PERMS | MANAGE_GUILD
APP_PERMS = MEMBER_PERMS | CREATE_PUBLIC_THREADS  # the bot's own permissions ("app_permissions")

EPHEMERAL = 1 << 6  # message flags
LOADING = 1 << 7
HAS_THREAD = 1 << 5
DISCORD_EPOCH_MS = 1_420_070_400_000
FAKE_COMMAND_ID = "910000000000000001"  # data.id of a command that was never synced
ATTACHMENT_SIZE_LIMIT = 10_485_760
WAIT = 5.0  # default bound for every wait
# Sent with an error when fail() is given no code/message.
DEFAULT_ERRORS: dict[int, tuple[int, str]] = {
    400: (50035, "Invalid Form Body"),
    401: (0, "401: Unauthorized"),
    403: (50013, "Missing Permissions"),
    404: (10003, "Unknown Channel"),
    429: (0, "You are being rate limited."),
    500: (0, "500: Internal Server Error"),
}


@dataclass
class RestCall:
    method: str  # "POST"
    path: str  # after the API prefix, e.g. "/channels/111/messages"
    route: str  # e.g. "POST /channels/{id}/messages", "POST /interactions/{id}/{token}/callback"
    query: dict[str, str]
    json: Any  # the JSON body or the decoded payload_json part of a multipart body; None if none
    files: list[tuple[str, bytes, str]]  # (filename, content, content_type) of multipart bodies
    at: float  # time.perf_counter() when the fake received it
    status: int  # what the fake answered
    response: Any = None  # the JSON body the fake answered with (None for 204)


@dataclass(frozen=True)
class _Failure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Connection:
    index: int
    ws: web.WebSocketResponse
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # keeps READY + GUILD_CREATEs together
    seq: int = 0
    shard: tuple[int, int] | None = None
    session_id: str | None = None
    ready: bool = False

    def owns(self, guild_id: str | None) -> bool:
        if guild_id is None or self.shard is None:
            return True
        shard_id, shard_count = self.shard
        return (int(guild_id) >> 22) % shard_count == shard_id


@dataclass
class _Interaction:
    id: str
    token: str
    type: int
    guild_id: str | None
    channel_id: str | None
    source: dict[str, Any] | None = None  # the message a component or modal sits on
    callback_type: int | None = None
    original: dict[str, Any] | None = None  # the message @original refers to
    loading: bool = False  # deferred with type 5: the first followup fills the original
    message_ids: set[str] = field(default_factory=set)


Answer = tuple[int, Any]  # (status, JSON body or None for an empty 204)
Handler = Callable[[RestCall, re.Match[str]], Answer]


class FakeDiscord:
    def __init__(self, *, heartbeat_interval_ms: int = 41_250, shards: int = 1) -> None:
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.shards = shards  # what GET /gateway/bot recommends
        # world state
        self.guilds: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        # recordings
        self.calls: list[RestCall] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.heartbeats = 0
        self.connections = 0
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.modals: dict[str, dict[str, Any]] = {}  # custom_id -> the last modal a callback opened
        self._all_messages: dict[str, dict[str, Any]] = {}  # every message by id
        self._interactions: dict[str, _Interaction] = {}
        self._by_token: dict[str, _Interaction] = {}
        self._dms: dict[str, dict[str, Any]] = {}  # recipient id -> DM channel
        self._files: dict[str, bytes] = {}  # attachment id -> content
        self._failures: dict[tuple[str, str], tuple[re.Pattern[str], deque[_Failure]]] = {}
        self._conns: list[_Connection] = []
        self._ready_sent = 0
        self._changes = Changes("FakeDiscord", self._recent_calls)
        # Snowflakes near "now" so created_at looks sane; a counter keeps them unique.
        self._snowflake_base = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._ids = itertools.count(1)
        self._tokens = itertools.count(1)
        self._sessions = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port = 0
        app, webhook = r"/applications/(?P<app>\d+)", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)"
        channel, message = r"/channels/(?P<cid>\d+)", r"/messages/(?P<mid>\d+)"
        webhook_message = webhook + r"/messages/(?P<mid>@original|\d+)"
        table: list[tuple[str, str, Handler]] = [
            ("GET", r"/users/@me", self._get_me),
            ("GET", r"/users/(?P<uid>\d+)", self._get_user),
            ("POST", r"/users/@me/channels", self._create_dm),
            ("GET", r"/gateway", self._get_gateway),
            ("GET", r"/gateway/bot", self._get_gateway_bot),
            ("GET", r"(?:/oauth2)?/applications/@me", self._get_application),
            ("GET PUT", app + r"/commands", self._commands),
            ("GET PUT", app + r"/guilds/(?P<guild>\d+)/commands", self._commands),
            ("POST", r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback", self._callback),
            ("POST", webhook, self._followup),
            ("GET PATCH DELETE", webhook_message, self._webhook_message),
            ("GET", channel, self._get_channel),
            ("POST", channel + r"/typing", self._typing),
            ("POST", channel + r"/messages", self._post_message),
            ("GET PATCH DELETE", channel + message, self._channel_message),
            ("POST", channel + message + r"/threads", self._start_thread),
        ]
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = [
            (method, re.compile(pattern), handler)
            for methods, pattern, handler in table
            for method in methods.split()
        ]

    # ---- lifecycle

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", r"/api/v{version:\d+}/{tail:.*}", self._rest)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{cid}/{aid}/{name}", self._attachment)
        # A short shutdown timeout keeps close() bounded if a handler is still running.
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        for conn in self._open_connections():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.ws.close(code=1000), timeout=2.0)
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/gateway"

    # ---- the world

    def add_guild(
        self,
        guild_id: str,
        name: str = "Study group",
        *,
        channels: dict[str, str] | None = None,
        owner_id: str = "100",
    ) -> dict[str, Any]:
        """Add a guild with text channels (id -> name); its dict is what GUILD_CREATE sends."""
        now = _now()
        bot_role = {**_role(self._snowflake(), "mlprep", APP_PERMS, 1), "managed": True}
        bot_role["tags"] = {"bot_id": APP_ID}
        guild: dict[str, Any] = {
            "id": guild_id,
            "name": name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": owner_id,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "nsfw": False,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "application_id": None,
            "max_members": 500_000,
            "features": [],
            "roles": [_role(guild_id, "@everyone", MEMBER_PERMS, 0), bot_role],
            "emojis": [],
            "stickers": [],
            "channels": [],
            "threads": [],
            "members": [_member(dict(BOT_USER), roles=[bot_role["id"]], joined_at=now)],
            "member_count": 1,
            "large": False,
            "unavailable": False,
            "joined_at": now,
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
        self.guilds[guild_id] = guild
        for channel_id, channel_name in (channels or {}).items():
            self.add_channel(guild_id, channel_id, channel_name)
        return guild

    def add_channel(self, guild_id: str, channel_id: str, name: str) -> dict[str, Any]:
        """Add a text channel (type 0) to a guild added before."""
        guild = self.guilds[guild_id]
        channel = {
            "id": channel_id,
            "type": 0,
            "guild_id": guild_id,
            "name": name,
            "position": len(guild["channels"]),
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "parent_id": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        guild["channels"].append(channel)  # the same dict: later changes show in GUILD_CREATE
        self.channels[channel_id] = channel
        return channel

    def add_user(self, user_id: str, username: str) -> dict[str, Any]:
        user = {
            "id": user_id,
            "username": username,
            "discriminator": "0",
            "global_name": username,
            "avatar": None,
            "bot": False,
            "public_flags": 0,
        }
        self.users[user_id] = user
        return user

    def message(self, message_id: str) -> dict[str, Any] | None:
        """Any message the fake created: channel posts, interaction responses, followups."""
        return self._all_messages.get(message_id)

    def original_response(self, interaction_id: str) -> dict[str, Any] | None:
        """The message @original refers to for that interaction, once it was answered."""
        interaction = self._interactions.get(interaction_id)
        return interaction.original if interaction else None

    # ---- inspecting what happened

    def calls_to(self, route: str) -> list[RestCall]:
        return [c for c in self.calls if c.route == route]

    def interaction_calls(self, interaction_id: str) -> list[RestCall]:
        """The callback and the webhook calls made with that interaction's token, in order."""
        known = self._interactions.get(interaction_id)
        tokens = {known.token} if known else set()
        tokens |= {
            c.path.split("/")[3]
            for c in self.calls
            if c.path.startswith(f"/interactions/{interaction_id}/")
        }
        result = []
        for call in self.calls:
            parts = call.path.split("/")
            if call.path.startswith(f"/interactions/{interaction_id}/") or (
                len(parts) > 3 and parts[1] == "webhooks" and parts[3] in tokens
            ):
                result.append(call)
        return result

    async def wait_for_call(
        self,
        predicate: Callable[[RestCall], bool],
        *,
        timeout: float = WAIT,  # noqa: ASYNC109 - part of the agreed interface
        after: int = 0,
    ) -> RestCall:
        """The first call at index >= after that matches, waiting for it if need be."""

        def found() -> RestCall | None:
            return next((c for c in self.calls[after:] if predicate(c)), None)

        await self._changes.wait_until(lambda: found() is not None, timeout, "a matching REST call")
        call = found()
        assert call is not None
        return call

    async def wait_ready(
        self,
        *,
        count: int = 1,
        timeout: float = WAIT,  # noqa: ASYNC109 - part of the agreed interface
    ) -> None:
        """Until `count` connections in total were sent READY and all their GUILD_CREATEs."""
        await self._changes.wait_until(
            lambda: self._ready_sent >= count, timeout, f"{count} READY connection(s)"
        )

    async def wait_until(
        self,
        condition: Callable[[], bool],
        *,
        timeout: float = WAIT,  # noqa: ASYNC109 - mirrors the other waits
        what: str = "a condition",
    ) -> None:
        """Wait until condition() holds; it is checked whenever the fake records something."""
        await self._changes.wait_until(condition, timeout, what)

    # ---- programmable failures

    def fail(
        self,
        method: str,
        path_pattern: str,
        status: int,
        *,
        code: int = 0,
        message: str = "",
        times: int = 1,
        retry_after: float | None = None,
    ) -> None:
        """Answer the next `times` requests whose path fully matches path_pattern with an error.

        With retry_after, a 429 is a real rate limit that discord.py sleeps through and retries
        (it needs the Via header, or it takes the 429 for a Cloudflare ban and raises). Without
        code and message, DEFAULT_ERRORS supplies Discord's usual pair for the status. Mind that
        discord.py sleeps 1 s, 3 s ... before retrying a 500, 502, 504 or 524.
        """
        if code == 0 and not message:
            code, message = DEFAULT_ERRORS.get(status, (0, f"{status}: Error"))
        body: dict[str, Any] = {"code": code, "message": message}
        headers: dict[str, str] = {}
        if status == 429 and retry_after is not None:
            body = {"message": "You are being rate limited.", "retry_after": retry_after}
            body["global"] = False
            bucket = hashlib.sha1(f"{method} {path_pattern}".encode()).hexdigest()[:16]
            headers = {
                "Retry-After": str(max(1, math.ceil(retry_after))),
                "X-RateLimit-Bucket": bucket,
                "X-RateLimit-Scope": "user",
                "Via": "1.1 google",
            }
        key = (method.upper(), path_pattern)
        if key not in self._failures:
            self._failures[key] = (re.compile(path_pattern), deque())
        self._failures[key][1].extend([_Failure(status, body, headers)] * times)

    # ---- gateway

    async def dispatch(self, event: str, data: dict[str, Any], *, connection: int = -1) -> float:
        """Send op 0 to a client; returns time.perf_counter() just before sending.

        connection=-1 picks the latest READY connection (the shard owning data["guild_id"] if
        several are open), waiting for one if need be; other values index every connection
        accepted so far, which must still be open.
        """
        conn = await self._target(connection, data.get("guild_id"))
        async with conn.lock:
            return await self._send_dispatch(conn, event, data)

    async def drop_connections(self) -> None:
        """Close every gateway connection with 4000, which discord.py answers by resuming."""
        for conn in self._open_connections():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.ws.close(code=4000), timeout=2.0)

    # ---- interaction payloads

    def slash(
        self,
        path: list[str],
        options: dict[str, Any] | None = None,
        *,
        user_id: str,
        guild_id: str,
        channel_id: str,
        permissions: int = MEMBER_PERMS,
        focused: str | None = None,
        guild_command: bool | None = None,
    ) -> dict[str, Any]:
        """An application command (type 2), or its autocomplete (type 4) when `focused` is set.

        path is [command], [command, subcommand] or [command, group, subcommand]; options are
        the leaf's: bool -> 5, int -> 4, float -> 10, str -> 3, {"channel": id} -> 7,
        {"user": id} -> 6. Option types of a synced command win over the guess from the value.
        data.guild_id is set only for a guild command, as Discord does (discord.py looks the
        command up among that guild's and otherwise finds nothing): guild_command=None means
        "if the name was synced to that guild".
        """
        if not 1 <= len(path) <= 3:
            raise ValueError(f"path must have 1 to 3 names, not {path!r}")
        options = options or {}
        if focused is not None and focused not in options:
            raise ValueError(f"focused option {focused!r} is not among the options")
        scope, command = self._registered(path[0], guild_id)
        types = _option_types(command, path[1:]) if command else {}
        resolved: dict[str, dict[str, Any]] = {}
        leaf = [
            self._option(name, value, types.get(name), name == focused, resolved, permissions)
            for name, value in options.items()
        ]
        nested = leaf
        if len(path) == 3:
            nested = [{"type": 2, "name": path[1], "options": [_sub(path[2], leaf)]}]
        elif len(path) == 2:
            nested = [_sub(path[1], leaf)]
        data: dict[str, Any] = {
            "id": command["id"] if command else FAKE_COMMAND_ID,
            "name": path[0],
            "type": 1,
        }
        if nested:
            data["options"] = nested
        if resolved:
            data["resolved"] = resolved
        if guild_command or (guild_command is None and scope is not None):
            data["guild_id"] = guild_id
        return self._interaction(
            4 if focused else 2,
            data,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            permissions=permissions,
        )

    def click(
        self,
        custom_id: str,
        *,
        message: dict[str, Any],
        user_id: str,
        guild_id: str,
        channel_id: str,
        component_type: int = 2,
        values: list[str] | None = None,
        permissions: int = MEMBER_PERMS,
    ) -> dict[str, Any]:
        """A component interaction (type 3) on `message`, which must carry that component."""
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        return self._interaction(
            3,
            data,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            permissions=permissions,
            message=message,
        )

    def modal_submit(
        self,
        custom_id: str,
        fields: dict[str, str | list[str]],
        *,
        user_id: str,
        guild_id: str,
        channel_id: str,
        permissions: int = MEMBER_PERMS,
        message: dict[str, Any] | None = None,
        labels: bool | None = None,
    ) -> dict[str, Any]:
        """A modal submission (type 5); fields maps a component custom_id to its value.

        discord.py 2.7 reads both shapes: action rows (type 1) around the inputs, which is how it
        sends a TextInput added straight to a Modal, and Label (type 18) wrappers. labels=None
        mirrors the modal a callback opened with this custom_id (rows if there was none).
        """
        opened = self.modals.get(custom_id)
        if labels is None and opened is not None:
            components = _mirror_modal(opened, fields)
        else:
            components = [_submitted(cid, value, bool(labels)) for cid, value in fields.items()]
        return self._interaction(
            5,
            {"custom_id": custom_id, "components": components},
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            permissions=permissions,
            message=message,
        )

    async def send_interaction(self, payload: dict[str, Any]) -> float:
        if payload["id"] not in self._interactions:  # hand-built payloads are followed too
            self._track(payload)
        return await self.dispatch("INTERACTION_CREATE", payload)

    # ---- internals: waiting

    def _recent_calls(self) -> str:
        recent = "\n  ".join(f"{c.method} {c.path} -> {c.status}" for c in self.calls[-10:])
        return f"last REST calls:\n  {recent or '(none)'}"

    # ---- internals: ids and payload pieces

    def _snowflake(self) -> str:
        return str(self._snowflake_base + next(self._ids))

    def _user(self, user_id: str) -> dict[str, Any]:
        if user_id in self.users:
            return dict(self.users[user_id])
        return {**BOT_USER, "id": user_id, "username": f"user{user_id}", "bot": False}

    def _registered(self, name: str, guild_id: str | None) -> tuple[str | None, dict | None]:
        for scope in ([guild_id] if guild_id is not None else []) + [None]:
            for command in self.commands.get(scope, []):
                if command["name"] == name and command.get("type", 1) == 1:
                    return scope, command
        return None, None

    def _option(
        self,
        name: str,
        value: Any,
        registered_type: int | None,
        focused: bool,
        resolved: dict[str, dict[str, Any]],
        permissions: int,
    ) -> dict[str, Any]:
        if isinstance(value, dict) and "channel" in value:
            channel_id = str(value["channel"])
            channel = self.channels.get(channel_id) or {"id": channel_id, "type": 0, "name": "?"}
            entry = {**copy.deepcopy(channel), "permissions": str(permissions)}
            resolved.setdefault("channels", {})[channel_id] = entry
            option_type, value = 7, channel_id
        elif isinstance(value, dict) and "user" in value:
            user_id = str(value["user"])
            resolved.setdefault("users", {})[user_id] = self._user(user_id)
            member = _member(None, joined_at=_now())
            resolved.setdefault("members", {})[user_id] = member
            option_type, value = 6, user_id
        elif isinstance(value, bool):  # before int: bool is an int
            option_type = 5
        elif isinstance(value, int):
            option_type = 4
        elif isinstance(value, float):
            option_type = 10
        else:
            option_type = 3
        option = {"type": registered_type or option_type, "name": name, "value": value}
        if focused:
            option["focused"] = True
        return option

    def _interaction(
        self,
        itype: int,
        data: dict[str, Any],
        *,
        user_id: str,
        guild_id: str | None,
        channel_id: str,
        permissions: int,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        channel = copy.deepcopy(self.channels.get(channel_id)) or {
            "id": channel_id,
            "type": 0 if guild_id else 1,
            "name": "unknown",
            "position": 0,
        }
        if guild_id is not None:
            channel.setdefault("guild_id", guild_id)
        channel["permissions"] = str(permissions)
        payload: dict[str, Any] = {
            "id": self._snowflake(),
            "application_id": APP_ID,
            "type": itype,
            "data": data,
            "token": f"tok-{next(self._tokens)}",
            "version": 1,
            "channel_id": channel_id,
            "channel": channel,
            "app_permissions": str(APP_PERMS),
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if guild_id is not None:
            member = _member(self._user(user_id), joined_at=_now())
            member["permissions"] = str(permissions)
            payload |= {
                "guild_id": guild_id,
                "guild": {"id": guild_id, "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "member": member,
                "authorizing_integration_owners": {"0": guild_id},
                "context": 0,
            }
        else:  # a DM with the bot
            payload |= {
                "user": self._user(user_id),
                "authorizing_integration_owners": {"1": user_id},
                "context": 1,
            }
        if message is not None:
            payload["message"] = message
        self._track(payload)
        return payload

    def _track(self, payload: dict[str, Any]) -> None:
        message = payload.get("message")
        interaction = _Interaction(
            id=str(payload["id"]),
            token=payload["token"],
            type=payload["type"],
            guild_id=payload.get("guild_id"),
            channel_id=payload.get("channel_id"),
            source=message,
        )
        self._interactions[interaction.id] = interaction
        self._by_token[interaction.token] = interaction

    # ---- internals: messages

    def _new_message(
        self,
        channel_id: str,
        guild_id: str | None,
        body: dict[str, Any],
        files: list[tuple[str, bytes, str]],
        *,
        webhook: bool = False,
        flags: int | None = None,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "id": self._snowflake(),
            "channel_id": channel_id,
            "author": dict(BOT_USER),
            "content": body.get("content") or "",
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self._attachments(channel_id, files, body.get("attachments")),
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": (body.get("flags") or 0) if flags is None else flags,
        }
        if guild_id is not None:
            message["guild_id"] = guild_id
        if webhook:  # interaction responses and followups come from the app's webhook
            message["webhook_id"] = APP_ID
            message["application_id"] = APP_ID
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        reference = body.get("message_reference")
        if isinstance(reference, dict) and reference.get("message_id"):
            message["type"] = 19  # a reply
            message["message_reference"] = {"channel_id": channel_id, **reference}
            message["referenced_message"] = self._all_messages.get(str(reference["message_id"]))
        self._all_messages[message["id"]] = message
        return message

    def _attachments(
        self,
        channel_id: str,
        files: list[tuple[str, bytes, str]],
        described: Any,
    ) -> list[dict[str, Any]]:
        # payload_json "attachments" describes new files by their index ({"id": 0, ...}).
        meta = {str(a.get("id")): a for a in described or [] if isinstance(a, dict)}
        result = []
        for index, (filename, content, content_type) in enumerate(files):
            attachment_id = self._snowflake()
            self._files[attachment_id] = content
            url = f"http://127.0.0.1:{self._port}/attachments/{channel_id}/{attachment_id}/"
            url += filename
            guessed = mimetypes.guess_type(filename)[0]
            entry = {
                "id": attachment_id,
                "filename": filename,
                "size": len(content),
                "url": url,
                "proxy_url": url,
                "content_type": guessed or content_type,
            }
            if meta.get(str(index), {}).get("description"):
                entry["description"] = meta[str(index)]["description"]
            result.append(entry)
        return result

    def _edit(
        self,
        message: dict[str, Any],
        body: Any,
        files: list[tuple[str, bytes, str]],
        *,
        edited: bool = True,
    ) -> None:
        body = body if isinstance(body, dict) else {}
        if "content" in body:
            message["content"] = body["content"] or ""
        for key in ("embeds", "components"):
            if key in body:
                message[key] = body[key] or []
        if body.get("flags") is not None:  # ephemeral is fixed at creation
            message["flags"] = (message["flags"] & EPHEMERAL) | (body["flags"] & ~EPHEMERAL)
        message["flags"] &= ~LOADING
        if "attachments" in body or files:
            kept = message["attachments"]
            if "attachments" in body:
                keep = {str(a.get("id")) for a in body["attachments"] or [] if isinstance(a, dict)}
                kept = [a for a in kept if a["id"] in keep]
            added = self._attachments(message["channel_id"], files, body.get("attachments"))
            message["attachments"] = kept + added
        if edited:
            message["edited_timestamp"] = _now()

    # ---- HTTP

    async def _rest(self, request: web.Request) -> web.Response:
        at = time.perf_counter()
        path = "/" + request.match_info["tail"]
        body, files = await _read_body(request)
        call = RestCall(
            method=request.method,
            path=path,
            route=f"{request.method} {_template(path)}",
            query=dict(request.query),
            json=body,
            files=files,
            at=at,
            status=0,
        )
        status, answer, headers = self._answer(call, request.headers.get("Authorization", ""))
        # A snapshot: the live message dicts change with later edits.
        call.status, call.response = status, copy.deepcopy(answer)
        self.calls.append(call)
        self._changes.notify()
        if answer is None:
            return web.Response(status=status, headers=headers)
        # Exactly "application/json": discord.py reads the body as text if a charset is appended.
        headers = {"Content-Type": "application/json", **headers}
        return web.Response(status=status, body=json.dumps(answer).encode(), headers=headers)

    def _answer(self, call: RestCall, authorization: str) -> tuple[int, Any, dict[str, str]]:
        if authorization == "Bot bad-token":
            return 401, {"code": 0, "message": "401: Unauthorized"}, {}
        for (method, _), (pattern, queue) in self._failures.items():
            if queue and method == call.method and pattern.fullmatch(call.path):
                failure = queue.popleft()
                return failure.status, failure.body, failure.headers
        for method, pattern, handler in self._routes:
            if method == call.method and (match := pattern.fullmatch(call.path)):
                status, answer = handler(call, match)
                return status, answer, {}
        return 404, {"code": 0, "message": "404: Not Found"}, {}

    async def _attachment(self, request: web.Request) -> web.Response:
        content = self._files.get(request.match_info["aid"])
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content, content_type="application/octet-stream")

    # ---- REST endpoints

    def _get_me(self, call: RestCall, m: re.Match[str]) -> Answer:
        return 200, {**BOT_USER, "verified": True, "mfa_enabled": False, "flags": 0}

    def _get_user(self, call: RestCall, m: re.Match[str]) -> Answer:
        if m["uid"] == APP_ID:
            return 200, dict(BOT_USER)
        user = self.users.get(m["uid"])
        return (200, user) if user else _error(404, 10013, "Unknown User")

    def _get_gateway(self, call: RestCall, m: re.Match[str]) -> Answer:
        return 200, {"url": self.gateway_url}

    def _get_gateway_bot(self, call: RestCall, m: re.Match[str]) -> Answer:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return 200, {"url": self.gateway_url, "shards": self.shards, "session_start_limit": limit}

    def _get_application(self, call: RestCall, m: re.Match[str]) -> Answer:
        owner = {**BOT_USER, "id": "100", "username": "owner", "global_name": "owner", "bot": False}
        return 200, {
            "id": APP_ID,
            "name": BOT_USER["username"],
            "icon": None,
            "description": "",
            "summary": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": owner,
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "bot": dict(BOT_USER),
        }

    def _commands(self, call: RestCall, m: re.Match[str]) -> Answer:
        guild_id = m.groupdict().get("guild")
        if m["app"] != APP_ID:
            return _error(404, 10002, "Unknown Application")
        if call.method == "GET":
            return 200, self.commands.get(guild_id, [])
        if not isinstance(call.json, list):
            return _error(400, 50035, "Invalid Form Body")
        # An overwrite keeps the id of a command with the same name and type, as Discord does.
        old = {(c["name"], c.get("type", 1)): c["id"] for c in self.commands.get(guild_id, [])}
        stored = []
        for sent in call.json:
            command = {"type": 1, "description": "", "default_member_permissions": None, **sent}
            command["id"] = old.get((command["name"], command["type"])) or self._snowflake()
            command["application_id"] = APP_ID
            command["version"] = self._snowflake()
            command.setdefault("nsfw", False)
            if guild_id is not None:
                command["guild_id"] = guild_id
            stored.append(command)
        self.commands[guild_id] = stored
        return 200, stored

    def _callback(self, call: RestCall, m: re.Match[str]) -> Answer:
        interaction = self._interactions.get(m["iid"])
        if interaction is None or interaction.token != m["token"]:
            # Not built by this fake: answer anyway, learning the token from the path.
            interaction = _Interaction(m["iid"], m["token"], 2, None, None)
            self._interactions[interaction.id] = interaction
            self._by_token[interaction.token] = interaction
        if interaction.callback_type is not None:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        body = call.json if isinstance(call.json, dict) else {}
        kind = body.get("type")
        data = body.get("data") or {}
        flags = data.get("flags") or 0
        message: dict[str, Any] | None = None
        if kind in (4, 5):
            message = self._new_message(
                interaction.channel_id or "0",
                interaction.guild_id,
                data,
                call.files,
                webhook=True,
                flags=(flags & ~LOADING) | (LOADING if kind == 5 else 0),
            )
            interaction.original, interaction.loading = message, kind == 5
            interaction.message_ids.add(message["id"])
        elif kind in (6, 7):
            message = self._source_message(interaction)
            if message is None:
                return _error(400, 50035, "Invalid Form Body: this interaction has no message")
            if kind == 7:
                self._edit(message, data, call.files)
            interaction.original = message
        elif kind == 9:
            self.modals[data.get("custom_id", "")] = data
        elif kind not in (1, 8, 10, 12):
            return _error(400, 50035, "Invalid Form Body")
        interaction.callback_type = kind
        if call.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        info: dict[str, Any] = {
            "id": interaction.id,
            "type": interaction.type,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(message and message["flags"] & EPHEMERAL),
        }
        resource: dict[str, Any] = {"type": kind}
        if message is not None and kind in (4, 5, 7):
            info["response_message_id"] = message["id"]
        if message is not None and kind in (4, 7):
            resource["message"] = message
        return 200, {"interaction": info, "resource": resource}

    def _source_message(self, interaction: _Interaction) -> dict[str, Any] | None:
        source = interaction.source
        if source is None:
            return None
        stored = self._all_messages.get(str(source.get("id")))
        if stored is None:  # a message the test made up: keep a copy so edits stick
            stored = copy.deepcopy(source)
            self._all_messages[str(stored["id"])] = stored
        return stored

    def _webhook_interaction(self, m: re.Match[str]) -> _Interaction | None:
        interaction = self._by_token.get(m["token"])
        if m["app"] != APP_ID or interaction is None or interaction.callback_type is None:
            return None  # Discord only accepts the token once the interaction was answered
        return interaction

    def _followup(self, call: RestCall, m: re.Match[str]) -> Answer:
        interaction = self._webhook_interaction(m)
        if interaction is None:
            return _error(404, 10015, "Unknown Webhook")
        body = call.json if isinstance(call.json, dict) else {}
        original = interaction.original
        if interaction.loading and original is not None:
            # The first followup after a "thinking" defer replaces the loading message.
            self._edit(original, body, call.files, edited=False)
            interaction.loading = False
            message = original
        else:
            message = self._new_message(
                interaction.channel_id or "0",
                interaction.guild_id,
                body,
                call.files,
                webhook=True,
            )
            interaction.message_ids.add(message["id"])
        if call.query.get("wait") not in ("1", "true", "True"):
            return 204, None
        return 200, message

    def _webhook_message(self, call: RestCall, m: re.Match[str]) -> Answer:
        interaction = self._webhook_interaction(m)
        if interaction is None:
            return _error(404, 10015, "Unknown Webhook")
        if m["mid"] == "@original":
            message = interaction.original
        elif m["mid"] in interaction.message_ids:
            message = self._all_messages.get(m["mid"])
        else:
            message = None
        if message is None:
            return _error(404, 10008, "Unknown Message")
        if call.method == "PATCH":
            self._edit(message, call.json, call.files, edited=not interaction.loading)
            if message is interaction.original:
                interaction.loading = False
        elif call.method == "DELETE":
            self._forget(message)
            interaction.message_ids.discard(message["id"])
            if message is interaction.original:
                interaction.original = None
            return 204, None
        return 200, message

    def _get_channel(self, call: RestCall, m: re.Match[str]) -> Answer:
        channel = self.channels.get(m["cid"])
        return (200, channel) if channel else _error(404, 10003, "Unknown Channel")

    def _typing(self, call: RestCall, m: re.Match[str]) -> Answer:
        return (204, None) if m["cid"] in self.channels else _error(404, 10003, "Unknown Channel")

    def _post_message(self, call: RestCall, m: re.Match[str]) -> Answer:
        channel = self.channels.get(m["cid"])
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        body = call.json if isinstance(call.json, dict) else {}
        keys = ("content", "embeds", "components", "sticker_ids", "poll")
        if not call.files and not any(body.get(key) for key in keys):
            return _error(400, 50006, "Cannot send an empty message")
        message = self._new_message(m["cid"], channel.get("guild_id"), body, call.files)
        self.messages.setdefault(m["cid"], []).append(message)
        channel["last_message_id"] = message["id"]
        if channel["type"] in (10, 11, 12):
            channel["message_count"] += 1
            channel["total_message_sent"] += 1
        return 200, message

    def _channel_message(self, call: RestCall, m: re.Match[str]) -> Answer:
        message = self._all_messages.get(m["mid"])
        if message is None or message["channel_id"] != m["cid"]:
            return _error(404, 10008, "Unknown Message")
        if call.method == "PATCH":
            self._edit(message, call.json, call.files)
        elif call.method == "DELETE":
            self._forget(message)
            return 204, None
        return 200, message

    def _forget(self, message: dict[str, Any]) -> None:
        self._all_messages.pop(message["id"], None)
        posted = self.messages.get(message["channel_id"], [])
        posted[:] = [p for p in posted if p["id"] != message["id"]]

    def _start_thread(self, call: RestCall, m: re.Match[str]) -> Answer:
        parent = self.channels.get(m["cid"])
        if parent is None:
            return _error(404, 10003, "Unknown Channel")
        message = self._all_messages.get(m["mid"])
        if message is None or message["channel_id"] != m["cid"]:
            return _error(404, 10008, "Unknown Message")
        if m["mid"] in self.channels:
            return _error(400, 160004, "A thread has already been created for this message")
        body = call.json if isinstance(call.json, dict) else {}
        now = _now()
        thread = {
            "id": m["mid"],  # a thread started from a message takes the message's id
            "type": 11,
            "guild_id": parent.get("guild_id"),
            "parent_id": m["cid"],
            "name": body.get("name") or "thread",
            "owner_id": APP_ID,
            "last_message_id": None,
            "rate_limit_per_user": body.get("rate_limit_per_user") or 0,
            "flags": 0,
            "member_count": 1,
            "message_count": 0,
            "total_message_sent": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration") or 1440,
                "archive_timestamp": now,
                "locked": False,
                "create_timestamp": now,
            },
        }
        self.channels[thread["id"]] = thread
        guild = self.guilds.get(parent.get("guild_id") or "")
        if guild is not None:
            guild["threads"].append(thread)
        message["flags"] |= HAS_THREAD
        message["thread"] = thread
        return 200, thread

    def _create_dm(self, call: RestCall, m: re.Match[str]) -> Answer:
        body = call.json if isinstance(call.json, dict) else {}
        if body.get("recipient_id") is None:
            return _error(400, 50035, "Invalid Form Body")
        recipient = str(body["recipient_id"])
        if recipient not in self._dms:
            channel = {
                "id": self._snowflake(),
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [self._user(recipient)],
            }
            self._dms[recipient] = channel
            self.channels[channel["id"]] = channel
        return 200, self._dms[recipient]

    # ---- gateway internals

    def _open_connections(self) -> list[_Connection]:
        return [c for c in self._conns if not c.ws.closed]

    def _pick(self, guild_id: str | None) -> _Connection | None:
        ready = [c for c in self._open_connections() if c.ready]
        owners = [c for c in ready if c.owns(guild_id)]
        return (owners or ready or [None])[-1]

    async def _target(self, connection: int, guild_id: str | None) -> _Connection:
        if connection != -1:
            conn = self._conns[connection]
            if conn.ws.closed:
                raise ConnectionError(f"gateway connection {connection} is closed")
            return conn
        await self._changes.wait_until(
            lambda: self._pick(guild_id) is not None, WAIT, "a READY gateway connection"
        )
        conn = self._pick(guild_id)
        assert conn is not None
        return conn

    async def _send_dispatch(self, conn: _Connection, event: str, data: dict[str, Any]) -> float:
        conn.seq += 1
        frame = json.dumps({"op": 0, "t": event, "s": conn.seq, "d": data})
        at = time.perf_counter()
        await conn.ws.send_str(frame)
        return at

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, timeout=2.0)
        await ws.prepare(request)
        conn = _Connection(index=len(self._conns), ws=ws)
        self._conns.append(conn)
        self.connections += 1
        self._changes.notify()
        try:
            hello = {"heartbeat_interval": self.heartbeat_interval_ms}
            await ws.send_str(json.dumps({"op": 10, "d": hello, "s": None, "t": None}))
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    with contextlib.suppress(ConnectionResetError):
                        await self._on_gateway_message(conn, json.loads(message.data))
        finally:
            self._changes.notify()
        return ws

    async def _on_gateway_message(self, conn: _Connection, message: dict[str, Any]) -> None:
        op, data = message.get("op"), message.get("d")
        if op == 1:  # HEARTBEAT
            await conn.ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
            self.heartbeats += 1
            self._changes.notify()
        elif op == 2:  # IDENTIFY
            self.identifies.append(data)
            self._changes.notify()
            async with conn.lock:
                await self._ready(conn, data)
        elif op == 6:  # RESUME: refuse, so the client identifies afresh (simple and legal)
            self.resumes.append(data)
            self._changes.notify()
            await conn.ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
        elif op == 8:  # REQUEST_GUILD_MEMBERS (only with the members intent)
            async with conn.lock:
                await self._members_chunk(conn, data)

    async def _ready(self, conn: _Connection, identify: dict[str, Any]) -> None:
        shard_id, shard_count = identify.get("shard") or (0, 1)
        conn.shard = (shard_id, shard_count)
        conn.session_id = f"session-{next(self._sessions)}"
        guilds = [g for g in self.guilds.values() if conn.owns(g["id"])]
        ready = {
            "v": 10,
            "user": {**BOT_USER, "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": g["id"], "unavailable": True} for g in guilds],
            "session_id": conn.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "shard": [shard_id, shard_count],
            "application": {"id": APP_ID, "flags": 0},
            "private_channels": [],
            "relationships": [],
            "user_settings": {},
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
        }
        await self._send_dispatch(conn, "READY", ready)
        for guild in guilds:
            await self._send_dispatch(conn, "GUILD_CREATE", guild)
        conn.ready = True
        self._ready_sent += 1
        self._changes.notify()

    async def _members_chunk(self, conn: _Connection, request: dict[str, Any]) -> None:
        guild_id = str(request.get("guild_id"))
        guild = self.guilds.get(guild_id)
        chunk: dict[str, Any] = {
            "guild_id": guild_id,
            "members": guild["members"] if guild else [],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if request.get("nonce"):
            chunk["nonce"] = request["nonce"]
        await self._send_dispatch(conn, "GUILD_MEMBERS_CHUNK", chunk)


# ---- module helpers


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _error(status: int, code: int, message: str) -> Answer:
    return status, {"code": code, "message": message}


def _template(path: str) -> str:
    """'/webhooks/9/tok-1/messages/@original' -> '/webhooks/{id}/{token}/messages/@original'."""
    parts = path.split("/")
    out = []
    for i, part in enumerate(parts):
        if i >= 2 and parts[i - 2] in ("interactions", "webhooks"):
            out.append("{token}")
        elif part.isdigit():
            out.append("{id}")
        else:
            out.append(part)
    return "/".join(out)


async def _read_body(request: web.Request) -> tuple[Any, list[tuple[str, bytes, str]]]:
    if not request.body_exists:
        return None, []
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        files: list[tuple[str, bytes, str]] = []
        async for part in await request.multipart():
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                payload = json.loads(await part.text())
            elif part.filename is not None:
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                files.append((part.filename, bytes(await part.read()), content_type))
        return payload, files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        return raw.decode(errors="replace"), []


def _role(role_id: str, name: str, permissions: int, position: int) -> dict[str, Any]:
    return {
        "id": role_id,
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def _member(
    user: dict[str, Any] | None, *, joined_at: str, roles: list[str] | None = None
) -> dict[str, Any]:
    member: dict[str, Any] = {
        "roles": roles or [],
        "joined_at": joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "nick": None,
        "avatar": None,
        "communication_disabled_until": None,
    }
    if user is not None:  # resolved members leave the user out
        member["user"] = user
    return member


def _sub(name: str, options: list[dict[str, Any]]) -> dict[str, Any]:
    sub: dict[str, Any] = {"type": 1, "name": name}
    if options:
        sub["options"] = options
    return sub


def _option_types(command: dict[str, Any], names: list[str]) -> dict[str, int]:
    """The option types of the synced subcommand at `names` below `command`."""
    options = command.get("options") or []
    for name in names:
        found = next((o for o in options if o.get("name") == name and o.get("type") in (1, 2)), {})
        options = found.get("options") or []
    return {o["name"]: o["type"] for o in options if o.get("type") not in (1, 2)}


def _submitted(
    custom_id: str, value: str | list[str], label: bool, kind: int | None = None
) -> dict[str, Any]:
    component: dict[str, Any] = {"custom_id": custom_id}
    if isinstance(value, list):
        component |= {"type": kind or 3, "values": value}
    else:
        component |= {"type": kind or 4, "value": value}
    if label:
        return {"type": 18, "component": component}
    return {"type": 1, "components": [component]}


def _mirror_modal(modal: dict[str, Any], fields: dict[str, str | list[str]]) -> list[dict]:
    """Submission components in the shape of the modal the bot opened."""
    components = []
    left = dict(fields)
    for top in modal.get("components") or []:
        inner = [top["component"]] if top.get("type") == 18 else top.get("components") or []
        for item in inner:
            custom_id = item.get("custom_id")
            if custom_id in left:
                components.append(
                    _submitted(custom_id, left.pop(custom_id), top.get("type") == 18, item["type"])
                )
    components += [_submitted(cid, value, False) for cid, value in left.items()]
    return components
