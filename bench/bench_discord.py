"""Interaction latency: an INTERACTION_CREATE on the gateway to the bot's callback at REST.

    .venv/bin/python bench/bench_discord.py [--interactions 1000] [--runs 3]

The real discord.py client (adapters/discord) is logged in to the test suite's loopback
fake Discord (tests/discord_fake.py) with the built-in question bank on a fresh SQLite
file. 20 members send, one after another, a mix of what people do: /prep help, topics,
streak, stats, leaderboard, quiz, and a click on the quiz question's first answer
button. Each figure is from the moment the fake gateway sends the interaction to the
moment the fake REST API receives the bot's interaction callback (the first response
Discord waits for; deferred commands count their deferral). Target: p99 under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.figures import latency  # noqa: E402
from bot.bank import QuestionBank, builtin_content_dir  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.store import Database  # noqa: E402
from tests.discord_rig import CALLBACK, DiscordRig, Sent, sent_messages, shown  # noqa: E402

COMMANDS = ("prep help", "prep topics", "prep streak", "prep stats", "prep leaderboard")
MEMBERS = [f"4100000000000000{u:02d}" for u in range(20)]


def question_of(rig: DiscordRig, iid: str) -> Sent | None:
    messages = sent_messages(rig.fake.interaction_calls(iid))
    return next((m for m in messages if m.title.startswith("Question")), None)


async def callback_time(rig: DiscordRig, payload: dict, quiz: bool = False) -> tuple[float, float]:
    """Seconds from the gateway send to the callback's arrival, and to the first message
    a person sees (the same unless deferred); waits for the whole answer, so the next
    interaction does not overlap with this one's work."""
    iid = str(payload["id"])
    sent_at = await rig.fake.send_interaction(payload)

    def callback():
        return next((c for c in rig.fake.interaction_calls(iid) if c.route == CALLBACK), None)

    await rig.fake.wait_until(lambda: callback() is not None, timeout=10)
    found = callback()
    assert found is not None and found.status == 200, found
    if quiz:  # the question may follow a note ("you had a quiz open ...")
        await rig.fake.wait_until(lambda: question_of(rig, iid) is not None, timeout=10)
    if found.json.get("type") == 5:  # deferred: wait for the answer too
        await rig.fake.wait_until(
            lambda: any(m.kind == "edit" for m in sent_messages(rig.fake.interaction_calls(iid))),
            timeout=10,
        )
    seen = shown(sent_messages(rig.fake.interaction_calls(iid)))
    answered = seen[0].call.at if seen else found.at  # a modal is its own answer
    return found.at - sent_at, answered - sent_at


async def run(interactions: int) -> list[tuple[float, float]]:
    bank = QuestionBank.load([builtin_content_dir()])
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "bench.db")
        rig = await DiscordRig(db, bank, SystemClock()).start()
        try:
            for i, member in enumerate(MEMBERS):
                rig.fake.add_user(member, f"member{i}")
            await rig.command("prep help")  # warm up
            times: list[tuple[float, float]] = []
            i = 0
            while len(times) < interactions:
                member = MEMBERS[i % len(MEMBERS)]
                step = i % (len(COMMANDS) + 1)
                i += 1
                if step < len(COMMANDS):
                    times.append(await callback_time(rig, rig.slash(COMMANDS[step], user=member)))
                    continue
                quiz = rig.slash("prep quiz", {"count": 1}, user=member)
                times.append(await callback_time(rig, quiz, quiz=True))
                question = question_of(rig, str(quiz["id"]))
                if question is not None and len(times) < interactions:
                    first = next(iter(rig.components_of(question).values()))
                    times.append(
                        await callback_time(rig, rig.click_payload(question, first, user=member))
                    )
        finally:
            await rig.close()
            await db.close()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--interactions", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    for _ in range(args.runs):
        pairs = asyncio.run(run(args.interactions))
        callbacks, answers = [c for c, _ in pairs], [a for _, a in pairs]
        figures = [f"callback {latency(callbacks)}", f"answer {latency(answers)}"]
        print(
            f"{len(pairs)} interactions over the loopback gateway: "
            + "; ".join(figures)
            + " (target: callback p99 < 100 ms)"
        )


if __name__ == "__main__":
    main()
