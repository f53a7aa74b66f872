"""A loopback fake of Slack for tests that run the real slack_sdk / slack_bolt clients.

One aiohttp server on 127.0.0.1 answers three things:

* the Web API at /api/<method>: point `AsyncWebClient(base_url=fake.base_url)` at it;
* response_url webhooks at /respond/<name> (see `response_url()`);
* the Socket Mode WebSocket at /socket, handed out by apps.connections.open.

Every Web API call is recorded in `calls`; failures can be programmed per method and are
consumed in order. Close a Socket Mode client *before* closing the fake: when the fake drops
the socket, slack_sdk's client reconnects and then retries apps.connections.open forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fake_changes import Changes

# Parameters that slack_sdk may send as JSON-encoded strings (form posts) or as objects (JSON).
JSON_PARAMS = ("blocks", "view", "attachments", "files")
SOCKET_WAIT = 5.0  # how long socket_send waits for a client to connect


@dataclass
class Call:
    method: str  # e.g. "chat.postMessage"
    params: dict[str, Any]  # query, form and JSON body merged; JSON_PARAMS decoded
    token: str | None  # from "Authorization: Bearer ..." or a token param
    at: float = field(default_factory=time.monotonic)  # when the fake received it


Handler = Callable[[Call], dict[str, Any]]


@dataclass(frozen=True)
class _Failure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.responses: list[tuple[str, dict[str, Any]]] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.socket_connections = 0
        self.socket_received: list[dict[str, Any]] = []  # every JSON message a client sent
        # Web API methods by name; tests may add or replace entries.
        self.handlers: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "views.open": self._view_response,
            "views.publish": self._view_response,
            "users.info": self._users_info,
            "conversations.info": self._conversations_info,
            "conversations.open": self._conversations_open,
            "apps.connections.open": self._apps_connections_open,
            "files.getUploadURLExternal": self._files_upload_url,
            "files.completeUploadExternal": self._files_complete,
        }
        # file id -> (filename, bytes uploaded to its upload URL); completed uploads
        # as (file id, title, channel id)
        self.uploads: dict[str, tuple[str, bytes]] = {}
        self.shared_files: list[tuple[str, str, str]] = []
        self._file_ids = itertools.count(1)
        self._failures: defaultdict[str, deque[_Failure]] = defaultdict(deque)
        self._acks: dict[str, dict[str, Any]] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._changes = Changes("FakeSlack")
        self._ts = itertools.count(1)
        self._view_ids = itertools.count(1)
        self._envelope_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port = 0

    # ---- lifecycle

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/upload/{file_id}", self._upload)
        # A short shutdown timeout keeps close() bounded if a handler is still running.
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]

    async def close(self) -> None:
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), timeout=2.0)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/api/"

    @property
    def socket_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/socket"

    def response_url(self, name: str = "r") -> str:
        return f"http://127.0.0.1:{self._port}/respond/{name}"

    # ---- inspecting what happened

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the agreed interface
    ) -> list[Call]:
        await self._changes.wait_until(
            lambda: len(self.calls_to(method)) >= count, timeout, f"{count} {method} call(s)"
        )
        return self.calls_to(method)

    async def wait_for_responses(
        self,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the agreed interface
    ) -> list[tuple[str, dict[str, Any]]]:
        await self._changes.wait_until(
            lambda: len(self.responses) >= count, timeout, f"{count} response_url post(s)"
        )
        return list(self.responses)

    # ---- programmable failures

    def fail_next(self, method: str, error: str, times: int = 1) -> None:
        self._queue(method, times, _Failure(200, {"ok": False, "error": error}))

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        body = {"ok": False, "error": "ratelimited"}
        self._queue(method, times, _Failure(429, body, {"Retry-After": str(retry_after)}))

    def server_error_next(self, method: str, status: int = 500, times: int = 1) -> None:
        self._queue(method, times, _Failure(status, {"ok": False, "error": "internal_error"}))

    def _queue(self, method: str, times: int, failure: _Failure) -> None:
        self._failures[method].extend([failure] * times)

    # ---- Socket Mode

    async def wait_for_socket(
        self,
        count: int = 1,
        timeout: float = SOCKET_WAIT,  # noqa: ASYNC109 - part of the agreed interface
    ) -> None:
        """Wait until `count` connections were accepted and one of them is still open."""
        await self._changes.wait_until(
            lambda: self.socket_connections >= count and self._open_socket() is not None,
            timeout,
            f"{count} Socket Mode connection(s)",
        )

    async def socket_send(
        self,
        payload: dict[str, Any],
        type: str = "slash_commands",
        accepts_response_payload: bool = True,
    ) -> str:
        await self.wait_for_socket()
        envelope_id = f"env-{next(self._envelope_ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        await self._send_json(envelope)
        return envelope_id

    async def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does before it recycles a connection."""
        await self.wait_for_socket()
        await self._send_json({"type": "disconnect", "reason": reason, "debug_info": {}})

    async def socket_ack(
        self,
        envelope_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the agreed interface
    ) -> dict[str, Any]:
        await self._changes.wait_until(
            lambda: envelope_id in self._acks, timeout, f"the ack of envelope {envelope_id}"
        )
        return self._acks[envelope_id]

    def _open_socket(self) -> web.WebSocketResponse | None:
        open_sockets = [ws for ws in self._sockets if not ws.closed]
        return open_sockets[-1] if open_sockets else None

    async def _send_json(self, message: dict[str, Any]) -> None:
        ws = self._open_socket()
        if ws is None:
            raise ConnectionError("no open Socket Mode connection")
        await ws.send_json(message)

    # ---- HTTP handlers

    async def _api(self, request: web.Request) -> web.Response:
        call = await _read_call(request)
        self.calls.append(call)
        self._changes.notify()
        failures = self._failures[call.method]
        if failures:
            failure = failures.popleft()
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        handler = self.handlers.get(call.method)
        body = handler(call) if handler else {"ok": False, "error": "unknown_method"}
        return web.json_response(body)

    async def _respond(self, request: web.Request) -> web.Response:
        body = json.loads(await request.text() or "{}")
        self.responses.append((request.match_info["name"], body))
        self._changes.notify()
        return web.Response(text="ok")  # what Slack's response_url answers

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        # autoping echoes the client's pings; slack_sdk reads "sdk-ping-pong:<time>" back from
        # the pong to decide the connection is alive (it reconnects after 4 silent intervals).
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        self.socket_connections += 1
        self._changes.notify()
        try:
            await ws.send_json(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "fake-slack", "approximate_connection_time": 3600},
                    "connection_info": {"app_id": "A1"},
                }
            )
            # Keep reading: pongs are only sent while someone is receiving.
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._on_client_message(message.data)
        finally:
            self._sockets.remove(ws)
            self._changes.notify()
        return ws

    def _on_client_message(self, data: str) -> None:
        with contextlib.suppress(ValueError):
            message = json.loads(data)
            if isinstance(message, dict):
                self.socket_received.append(message)
                if "envelope_id" in message:
                    self._acks[message["envelope_id"]] = message
                self._changes.notify()

    # ---- Web API methods

    def _next_ts(self) -> str:
        micros = 1_700_000_000_000_100 + next(self._ts)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _auth_test(self, call: Call) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake.slack.com/",
            "team": "Fake",
            "user": "mlprep",
            "team_id": "T1",
            "user_id": "UBOT",
            "bot_id": "B1",
        }

    def _chat_post_message(self, call: Call) -> dict[str, Any]:
        p = call.params
        ts = self._next_ts()
        message = {"type": "message", "user": "UBOT", "bot_id": "B1", "ts": ts}
        message |= {"text": p.get("text", ""), "blocks": p.get("blocks", [])}
        if "thread_ts" in p:
            message["thread_ts"] = p["thread_ts"]
        return {"ok": True, "channel": p.get("channel"), "ts": ts, "message": message}

    def _chat_post_ephemeral(self, call: Call) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, call: Call) -> dict[str, Any]:
        return {"ok": True, "channel": call.params.get("channel"), "ts": call.params.get("ts")}

    def _view_response(self, call: Call) -> dict[str, Any]:
        view = call.params.get("view")
        view = view if isinstance(view, dict) else {}
        return {"ok": True, "view": {"id": f"V{next(self._view_ids)}", **view}}

    def _users_info(self, call: Call) -> dict[str, Any]:
        user = self.users.get(call.params.get("user", ""))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _conversations_info(self, call: Call) -> dict[str, Any]:
        channel = self.channels.get(call.params.get("channel", ""))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": channel}

    def _conversations_open(self, call: Call) -> dict[str, Any]:
        users = call.params.get("users")
        if isinstance(users, list):  # a JSON body may carry a list instead of "U1,U2"
            users = ",".join(users)
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        return {"ok": True, "channel": {"id": "D" + users.split(",")[0]}}

    def _files_upload_url(self, call: Call) -> dict[str, Any]:
        if not call.params.get("filename") or not call.params.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._file_ids)}"
        self.uploads[file_id] = (str(call.params["filename"]), b"")
        url = f"http://127.0.0.1:{self._port}/upload/{file_id}"
        return {"ok": True, "upload_url": url, "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if file_id not in self.uploads:
            return web.Response(status=404, text="no such upload")
        data = await request.read()
        self.uploads[file_id] = (self.uploads[file_id][0], data)
        self._changes.notify()
        return web.Response(text=f"OK - {len(data)}")

    def _files_complete(self, call: Call) -> dict[str, Any]:
        files = call.params.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        channel = str(call.params.get("channel_id") or "")
        for f in files:
            if f.get("id") not in self.uploads or not self.uploads[f["id"]][1]:
                return {"ok": False, "error": "file_not_found"}
            self.shared_files.append((f["id"], str(f.get("title", "")), channel))
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    def _apps_connections_open(self, call: Call) -> dict[str, Any]:
        return {"ok": True, "url": self.socket_url}


async def _read_call(request: web.Request) -> Call:
    params: dict[str, Any] = dict(request.query)
    if request.body_exists:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        else:  # form-encoded or multipart (file uploads)
            form = await request.post()
            for key, value in form.items():
                params[key] = value.file.read() if isinstance(value, web.FileField) else value
    header = request.headers.get("Authorization", "")
    param_token = params.pop("token", None)
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
    for key in JSON_PARAMS:
        value = params.get(key)
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return Call(request.match_info["method"], params, token or param_token)
