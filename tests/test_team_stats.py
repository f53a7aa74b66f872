"""`stats team`: participation and strongest/weakest topics, for admins only."""

from __future__ import annotations

from dataclasses import replace

from bot import commands as cmd
from bot.clock import ManualClock
from bot.service import PracticeService
from tests.conftest import who


async def answer(service: PracticeService, user: str, quiz: str, pick: int, n: int = 1) -> None:
    for _ in range(n):
        [q] = await service.handle_text(who(user), f"quiz {quiz} 1")
        await service.handle_action(who(user), q.buttons[pick].action_id)


def test_stats_team_parses_and_needs_an_admin():
    assert cmd.parse("stats team") == cmd.StatsTeam()
    assert cmd.needs_admin(cmd.parse("stats team")) and not cmd.needs_admin(cmd.parse("stats"))
    assert isinstance(cmd.parse("stats everyone"), cmd.UsageError)


async def test_team_stats_show_participation_and_topics(
    service: PracticeService, clock: ManualClock
):
    await answer(service, "ada", "alpha hard", 2, n=6)  # alpha hard: option three is right
    clock.advance(weeks=1)
    await answer(service, "bo", "alpha hard", 0, n=2)
    await answer(service, "bo", "beta medium", 0, n=5)
    await service.handle_text(who("cy"), "quiz alpha 1")  # seen, never answered
    await service.handle_text(who("zed", team="other"), "quiz alpha hard 1")

    [refused] = await service.handle_text(who("ada"), "stats team")
    assert refused.tone == "error" and "Only admins" in refused.body

    [reply] = await service.handle_text(replace(who("ada"), is_admin=True), "stats team")
    assert reply.title == "Team stats"
    assert "2 of 3 members answered at least once; 13 answers" in reply.body
    assert "oldest first: 0 → 0 → 1 → 1." in reply.body
    fields = {f.name: f.value for f in reply.fields}
    assert fields["Strongest topics"].startswith("Alpha topic: 75% of 8")
    assert fields["Weakest topics"] == "Beta: 0% of 5"


async def test_team_stats_with_no_answers(service: PracticeService):
    [reply] = await service.handle_text(replace(who("ada"), is_admin=True), "stats team")
    assert reply.body.startswith("No answers in the last 4 weeks")
