"""The Slack fake, driven through the real slack_sdk clients."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.slack_fake import FakeSlack

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Q1* What is bias?"}}]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as slack:
        yield slack


def web_client(fake: FakeSlack, **kwargs: Any) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=fake.base_url, **kwargs)


async def test_post_message_is_recorded_with_decoded_blocks(fake: FakeSlack) -> None:
    client = web_client(fake)
    first = await client.chat_postMessage(channel="C1", text="Q1", blocks=BLOCKS, thread_ts="1.2")
    # A form-encoded post carries blocks as a JSON string; the fake decodes it too.
    second = await client.api_call(
        "chat.postMessage", data={"channel": "C1", "blocks": json.dumps(BLOCKS)}
    )

    calls = await fake.wait_for("chat.postMessage", count=2)
    assert [c.method for c in fake.calls] == ["chat.postMessage", "chat.postMessage"]
    assert all(c.token == "xoxb-test" for c in calls)
    assert [c.params["blocks"] for c in calls] == [BLOCKS, BLOCKS]
    assert calls[0].params["thread_ts"] == "1.2"
    assert first["channel"] == "C1"
    assert first["message"]["blocks"] == BLOCKS
    assert first["message"]["thread_ts"] == "1.2"
    assert float(first["ts"]) < float(second["ts"])
    assert first["ts"] < second["ts"]


async def test_rate_limit_is_retried_after_retry_after(fake: FakeSlack) -> None:
    fake.rate_limit_next("chat.postMessage", retry_after=1)
    client = web_client(fake, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)])

    response = await client.chat_postMessage(channel="C1", text="hi")

    assert response["ok"] is True
    first, second = fake.calls_to("chat.postMessage")
    assert second.at - first.at >= 0.95


async def test_programmed_failures_and_lookups(fake: FakeSlack) -> None:
    client = web_client(fake)
    fake.fail_next("chat.postMessage", "not_in_channel")
    fake.users["U1"] = {"id": "U1", "name": "ada"}

    with pytest.raises(SlackApiError) as failed:
        await client.chat_postMessage(channel="C1", text="hi")
    assert failed.value.response["error"] == "not_in_channel"
    assert (await client.chat_postMessage(channel="C1", text="hi"))["ok"] is True  # consumed

    with pytest.raises(SlackApiError) as missing:
        await client.users_info(user="U404")
    assert missing.value.response["error"] == "user_not_found"
    assert (await client.users_info(user="U1"))["user"]["name"] == "ada"

    fake.server_error_next("conversations.open", status=503)
    with pytest.raises(SlackApiError) as down:
        await client.conversations_open(users=["U1"])
    assert down.value.response.status_code == 503
    assert (await client.conversations_open(users=["U1"]))["channel"]["id"] == "DU1"

    assert len(fake.calls) == 6  # failed calls are recorded too
    with pytest.raises(TimeoutError):
        await fake.wait_for("views.open", timeout=0.05)


async def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.response_url("x"), json={"text": "right!"}) as res,
    ):
        assert res.status == 200
    # Bolt's respond() posts through slack_sdk's webhook client.
    sent = await AsyncWebhookClient(fake.response_url("y")).send(text="again")
    assert (sent.status_code, sent.body) == (200, "ok")

    responses = await fake.wait_for_responses(2)
    assert responses[0] == ("x", {"text": "right!"})
    assert responses[1][0] == "y"
    assert responses[1][1]["text"] == "again"


async def test_socket_mode_envelope_is_acked(fake: FakeSlack) -> None:
    client = SocketModeClient(
        app_token="xapp-test", web_client=AsyncWebClient(base_url=fake.base_url)
    )
    seen: list[dict[str, Any]] = []

    async def record(_: AsyncBaseSocketModeClient, message: dict, raw: str | None) -> None:
        seen.append(message)

    async def ack(sm: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        payload = {"text": f"got {request.payload['command']}"}
        await sm.send_socket_mode_response(SocketModeResponse(request.envelope_id, payload))

    client.message_listeners.append(record)
    client.socket_mode_request_listeners.append(ack)
    try:
        await client.connect()
        envelope_id = await fake.socket_send({"command": "/mlprep", "text": "quiz"})
        acked = await fake.socket_ack(envelope_id)

        assert acked == {"envelope_id": envelope_id, "payload": {"text": "got /mlprep"}}
        assert fake.socket_connections == 1
        [opened] = fake.calls_to("apps.connections.open")
        assert opened.token == "xapp-test"
        assert seen[0]["type"] == "hello"
    finally:
        await client.close()


async def test_socket_mode_client_stays_connected(fake: FakeSlack) -> None:
    # slack_sdk reconnects when its "sdk-ping-pong" pings get no pong for 4 intervals; a short
    # interval shows in 1.5 s what the default 5 s interval would show in 30 s.
    interval = 0.25
    client = SocketModeClient(
        app_token="xapp-test",
        web_client=AsyncWebClient(base_url=fake.base_url),
        ping_interval=interval,
    )
    try:
        await client.connect()
        await fake.wait_for_socket()
        await asyncio.sleep(6 * interval)

        assert await client.is_connected()
        assert client.last_ping_pong_time is not None
        assert time.time() - client.last_ping_pong_time < 2 * interval
        assert fake.socket_connections == 1
        assert len(fake.calls_to("apps.connections.open")) == 1
    finally:
        await client.close()
