"""Slash command latency: a signed /prep request to Bolt's HTTP response.

    .venv/bin/python bench/bench_slack.py [--requests 1000]

The real Bolt AsyncApp serves HTTP on loopback with its Web API client pointed at the
test suite's fake Slack (tests/slack_fake.py); requests are signed as Slack signs them
and sent one after another by 20 users cycling through help, streak, stats,
leaderboard and quiz. The figure is what Slack waits for: the acknowledgement. The work
(and the answer through response_url) continues after it, on the same event loop, so it
competes with the next requests; the run waits for every answer before it ends.
Target: p99 under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.figures import latency  # noqa: E402
from bot.bank import QuestionBank, builtin_content_dir  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.store import Database  # noqa: E402
from tests.slack_rig import SlackRig  # noqa: E402

COMMANDS = ("help", "streak", "stats", "leaderboard", "quiz")


async def run(requests: int) -> list[float]:
    bank = QuestionBank.load([builtin_content_dir()])
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "bench.db")
        rig = await SlackRig(db, bank, SystemClock()).start()
        try:
            for u in range(20):
                rig.fake.users[f"U{u:03d}"] = {"id": f"U{u:03d}", "name": f"user{u}"}
            await rig.command("help")  # warm up: Bolt's first request runs auth.test
            await rig.fake.wait_for_responses(1)
            times = []
            for i in range(requests):
                body = rig.command_body(COMMANDS[i % len(COMMANDS)], user=f"U{i % 20:03d}")
                started = time.perf_counter()
                status, _ = await rig.send(body, "application/x-www-form-urlencoded")
                times.append(time.perf_counter() - started)
                assert status == 200, status
            # Every command was answered (quiz answers twice: the intro and the question).
            await rig.fake.wait_for_responses(1 + requests, timeout=60)
        finally:
            await rig.close()
            await db.close()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    for _ in range(args.runs):
        times = asyncio.run(run(args.requests))
        print(
            f"{args.requests} signed slash commands over loopback: {latency(times)} "
            "(target p99 < 100 ms)"
        )


if __name__ == "__main__":
    main()
