"""`mlprep run` and `mlprep discord sync` as real processes against the fake Discord
(and the fake Slack, for both platforms in one process), stopped with SIGTERM."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from urllib.parse import parse_qsl

from tests.discord_fake import FakeDiscord
from tests.discord_rig import CHANNEL, GUILD, MEMBER, sent_messages
from tests.slack_fake import FakeSlack
from tests.test_slack_run import APP_TOKEN, BOT_TOKEN, start, stop
from tests.test_slack_run import env_for as slack_env

DISCORD_TOKEN = "discord-run-test-secret-token"


def env_for(
    tmp_path: Path, fake: FakeDiscord, slack: FakeSlack | None = None, **extra: str
) -> dict[str, str]:
    """The Slack run test's environment (fixture bank, DEBUG logs, no inherited tokens),
    Slack's token only when a fake Slack is given, and Discord pointed at the fake."""
    env = slack_env(tmp_path, slack or FakeSlack())
    if slack is None:
        del env["SLACK_BOT_TOKEN"], env["MLPREP_SLACK_API_URL"]
    env |= {
        "DISCORD_TOKEN": DISCORD_TOKEN,
        "MLPREP_DISCORD_API_URL": fake.base_url,
        "MLPREP_DISCORD_GATEWAY_URL": fake.gateway_url,
        **extra,
    }
    return env


def world(fake: FakeDiscord) -> None:
    fake.add_guild(GUILD, channels={CHANNEL: "study"})
    fake.add_user(MEMBER, "bo")


async def ask_help(fake: FakeDiscord) -> str:
    payload = fake.slash(["prep", "help"], user_id=MEMBER, guild_id=GUILD, channel_id=CHANNEL)
    await fake.send_interaction(payload)
    await fake.wait_until(lambda: bool(fake.interaction_calls(payload["id"])), timeout=10)
    [answer] = sent_messages(fake.interaction_calls(payload["id"]))
    assert answer.type == 4
    return answer.text


async def test_the_discord_bot_answers_and_stops_cleanly_on_sigterm(tmp_path: Path):
    async with FakeDiscord() as fake:
        world(fake)
        proc = await start(tmp_path, env_for(tmp_path, fake))
        try:
            await fake.wait_ready(timeout=30)
            assert "/prep quiz" in await ask_help(fake)
            assert fake.identifies[0]["token"] == DISCORD_TOKEN
            assert not any(c.method == "PUT" for c in fake.calls)  # no sync on start
        finally:
            output = await stop(proc)
    assert proc.returncode == 0, output
    assert "Discord bot connecting" in output and "Discord bot stopped" in output
    assert DISCORD_TOKEN not in output
    assert "Traceback" not in output


async def test_discord_and_slack_together_in_one_process(tmp_path: Path):
    async with FakeDiscord() as fake, FakeSlack() as slack:
        world(fake)
        env = env_for(tmp_path, fake, slack, SLACK_APP_TOKEN=APP_TOKEN)
        proc = await start(tmp_path, env)
        try:
            await fake.wait_ready(timeout=30)
            await slack.wait_for_socket(timeout=30)
            assert "/prep quiz" in await ask_help(fake)
            body = dict(
                parse_qsl(
                    "team_id=T1&channel_id=C1&user_id=U1&user_name=ada&command=%2Fprep"
                    f"&text=help&trigger_id=t1&response_url={slack.response_url('run')}"
                )
            )
            await slack.socket_send(body, type="slash_commands")
            [(_name, answer)] = await slack.wait_for_responses(1, timeout=10)
            assert "Commands" in str(answer["blocks"])
        finally:
            output = await stop(proc)
    assert proc.returncode == 0, output
    assert "Discord bot stopped" in output and "Slack bot stopped" in output
    for secret in (DISCORD_TOKEN, BOT_TOKEN, APP_TOKEN):
        assert secret not in output


async def test_a_bad_token_is_one_clear_line_and_exit_code_2(tmp_path: Path):
    async with FakeDiscord() as fake:
        proc = await start(tmp_path, env_for(tmp_path, fake, DISCORD_TOKEN="bad-token"))
        out, err = await asyncio.wait_for(proc.communicate(), 30)  # exits by itself
    output = (out + err).decode()
    assert proc.returncode == 2, output
    assert "DISCORD_TOKEN: Discord refused it" in output
    assert "Traceback" not in output and fake.connections == 0


async def test_the_sync_command_line(tmp_path: Path):
    async with FakeDiscord() as fake:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.cli", "discord", "sync", "--guild", GUILD,
            cwd=tmp_path, env=env_for(tmp_path, fake), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        out, _ = await asyncio.wait_for(proc.communicate(), 30)
    output = out.decode()
    assert proc.returncode == 0, output
    assert f"Synced 2 slash commands (/prep, /prep-schedule) to guild {GUILD}" in output
    assert {c["name"] for c in fake.commands[GUILD]} == {"prep", "prep-schedule"}
    assert fake.connections == 0  # REST only: no gateway session for a sync
