"""`stats` chart: a PNG of the expected size whose drawn data matches the database."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from PIL import Image

from bot import charts
from bot.clock import ManualClock
from bot.service import PracticeService
from bot.store import Database
from tests.conftest import who


def png_data(data: bytes) -> tuple[tuple[int, int], dict]:
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    return image.size, json.loads(image.text[charts.DATA_KEY])


def test_chart_data_places_days_in_the_calendar():
    today = date(2026, 3, 4)  # a Wednesday
    first = charts.calendar_start(today)
    assert first == date(2025, 12, 15) and first.weekday() == 0
    per_day = {today: 3, first: 2, first - timedelta(days=1): 9, today + timedelta(days=1): 4}
    data = charts.chart_data(
        "ada", [("SQL", 4, 1), ("Eval", 2, 2), ("Empty", 0, 0)], per_day, today
    )
    assert data.grid[2][11] == 3 and data.grid[0][0] == 2
    assert data.total_answers == 5  # the day before the calendar and tomorrow are left out
    assert [(b.title, b.accuracy) for b in data.bars] == [("SQL", 0.25), ("Eval", 1.0)]


async def answer_quiz(service: PracticeService, user: str, topic: str, pick: int) -> None:
    [question] = await service.handle_text(who(user), f"quiz {topic} 1")
    if question.text_prompt is not None:  # open question: a written answer, then a rating
        [fb] = await service.handle_action(
            who(user), question.text_prompt.action_id, "regularise with dropout"
        )
        good = next(b for b in fb.buttons if b.label == "Good")
        await service.handle_action(who(user), good.action_id)
        return
    await service.handle_action(who(user), question.buttons[pick].action_id)


async def test_stats_reply_carries_a_png_that_matches_the_data(
    service: PracticeService, db: Database, clock: ManualClock
):
    [empty] = await service.handle_text(who("ada"), "stats")
    assert empty.files == ()  # nothing to draw yet
    for day in range(3):
        for topic, pick in (("alpha", 2), ("beta", 0)):
            await answer_quiz(service, "ada", topic, pick)
        clock.advance(days=1 + day)
    await answer_quiz(service, "bo", "alpha", 2)  # someone else's answers

    [reply] = await service.handle_text(who("ada"), "stats")
    [chart] = reply.files
    assert chart.mime == "image/png" and chart.filename.endswith(".png")
    size, drawn = png_data(chart.data)
    assert size == (charts.WIDTH, charts.HEIGHT)

    # The picture shows exactly what the database holds for this person.
    rows = await db.fetchall(
        "SELECT topic, count(*), sum(correct) FROM attempts a JOIN users u ON u.id = a.user_id"
        " WHERE u.external_id = 'ada' GROUP BY topic"
    )
    expected = {service.bank.title(r[0]): (r[1], r[2] / r[1]) for r in rows}
    assert {b["title"]: (b["attempts"], b["accuracy"]) for b in drawn["bars"]} == expected
    accuracies = [b["accuracy"] for b in drawn["bars"]]
    assert accuracies == sorted(accuracies)  # weakest first
    days = await db.fetchall(
        "SELECT local_date, count(*) FROM attempts a JOIN users u ON u.id = a.user_id"
        " WHERE u.external_id = 'ada' GROUP BY local_date"
    )
    first = date.fromisoformat(drawn["first_monday"])
    for day_text, n in days:
        day = date.fromisoformat(day_text)
        assert drawn["grid"][day.weekday()][(day - first).days // 7] == n
    assert sum(map(sum, drawn["grid"])) == sum(n for _, n in days) == 6
    assert drawn["today"] == clock.now().date().isoformat()
