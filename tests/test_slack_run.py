"""`mlprep run` as a Slack bot: the real process, Socket Mode or HTTP, against the fake
Slack on loopback, stopped with SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl

import aiohttp

from tests.conftest import FIXTURES, REPO
from tests.slack_fake import FakeSlack
from tests.slack_rig import SIGNING_SECRET, sign

BOT_TOKEN = "xoxb-run-test-0000-secret"
APP_TOKEN = "xapp-run-test-0000-secret"


def env_for(tmp_path: Path, fake: FakeSlack, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MLPREP_", "DISCORD_", "SLACK_"))
    }
    env.update(
        MLPREP_CONTENT_DIR=str(FIXTURES / "bank"),
        MLPREP_DATABASE_PATH=str(tmp_path / "bot.db"),
        MLPREP_SLACK_API_URL=fake.base_url,
        MLPREP_LOG_LEVEL="DEBUG",  # the most talkative: tokens must still never show
        SLACK_BOT_TOKEN=BOT_TOKEN,
        PYTHONPATH=str(REPO),
        **extra,
    )
    return env


async def start(tmp_path: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        "run",
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop(proc: asyncio.subprocess.Process) -> str:
    """SIGTERM, then the process must exit cleanly; its whole output."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 20)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    return (out + err).decode(errors="replace")


async def test_socket_mode_end_to_end_and_a_clean_sigterm(tmp_path: Path):
    async with FakeSlack() as fake:
        proc = await start(tmp_path, env_for(tmp_path, fake, SLACK_APP_TOKEN=APP_TOKEN))
        try:
            await fake.wait_for_socket(timeout=30)
            body = dict(
                parse_qsl(
                    "team_id=T1&channel_id=C1&user_id=U1&user_name=ada&command=%2Fprep"
                    f"&text=help&trigger_id=t1&response_url={fake.response_url('run')}"
                )
            )
            envelope = await fake.socket_send(body, type="slash_commands")
            ack = await fake.socket_ack(envelope, timeout=10)
            assert ack["envelope_id"] == envelope
            [(name, answer)] = await fake.wait_for_responses(1, timeout=10)
            assert name == "run" and "Commands" in str(answer["blocks"])
            assert [c.token for c in fake.calls_to("apps.connections.open")] == [APP_TOKEN]
            assert fake.calls_to("auth.test")[0].token == BOT_TOKEN
        finally:
            output = await stop(proc)
    assert proc.returncode == 0, output
    assert "Slack bot running (Socket Mode)" in output and "Slack bot stopped" in output
    assert BOT_TOKEN not in output and APP_TOKEN not in output
    assert "Traceback" not in output


async def test_http_mode_serves_signed_requests_on_the_configured_port(tmp_path: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with FakeSlack() as fake:
        env = env_for(
            tmp_path,
            fake,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            MLPREP_SLACK_HOST="127.0.0.1",
            MLPREP_SLACK_PORT=str(port),
        )
        proc = await start(tmp_path, env)
        url = f"http://127.0.0.1:{port}/slack/events"
        body = (
            "team_id=T1&channel_id=C1&user_id=U1&user_name=ada&command=%2Fprep&text=streak"
            f"&trigger_id=t1&response_url={fake.response_url('http')}"
        )
        try:
            async with aiohttp.ClientSession() as http:
                deadline = time.monotonic() + 30
                while True:  # bounded: the process needs a moment to listen
                    ts = int(time.time())
                    headers = {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-Slack-Request-Timestamp": str(ts),
                        "X-Slack-Signature": sign(body, ts),
                    }
                    try:
                        async with http.post(url, data=body, headers=headers) as resp:
                            status = resp.status
                        break
                    except aiohttp.ClientConnectionError:
                        assert time.monotonic() < deadline, "the bot never listened"
                        assert proc.returncode is None, "the bot exited"
                        await asyncio.sleep(0.2)
            assert status == 200
            [(_name, answer)] = await fake.wait_for_responses(1, timeout=10)
            assert "Streak" in str(answer["blocks"])
        finally:
            output = await stop(proc)
    assert proc.returncode == 0, output
    assert f"Slack bot running (http://127.0.0.1:{port}/slack/events)" in output
    assert BOT_TOKEN not in output and SIGNING_SECRET not in output
