"""Schedule parsing and daily question choice (pure logic)."""

from __future__ import annotations

import random
from datetime import date, time, timedelta

import pytest

from bot.bank import QuestionBank, builtin_content_dir
from bot.daily.chooser import NothingEligible, advance, choose, eligible, pick_daily
from bot.daily.spec import (
    WEEKDAYS,
    SpecError,
    parse_reveal_hours,
    parse_schedule,
    parse_time,
    parse_weekdays,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09:30", time(9, 30)), ("9:05", time(9, 5)), ("00:00", time(0, 0)), ("23.59", time(23, 59))],
)
def test_times(text: str, expected: time):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "9", "noon", "9:5", "-1:00", ""])
def test_bad_times_say_what_to_type(text: str):
    with pytest.raises(SpecError, match="use 24-hour HH:MM, for example 09:30"):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon-fri", WEEKDAYS[:5]),
        ("MON,wed,Fri", ("mon", "wed", "fri")),
        ("fri-mon", ("mon", "fri", "sat", "sun")),
        ("daily", WEEKDAYS),
        ("weekends", ("sat", "sun")),
        ("tuesday,thursday", ("tue", "thu")),
        ("wed", ("wed",)),
    ],
)
def test_weekdays(text: str, expected: tuple[str, ...]):
    assert parse_weekdays(text) == expected


@pytest.mark.parametrize("text", ["mon-frx", "funday", "mon;tue", ","])
def test_bad_weekdays_list_the_day_names(text: str):
    with pytest.raises(SpecError, match=r"mon-fri"):
        parse_weekdays(text)


def test_schedule_with_optional_parts_in_any_order():
    spec = parse_schedule(
        ["#ml-study", "09:00", "Europe/Berlin", "mixed", "sql,evaluation", "mon-fri"]
    )
    assert spec.channel_id == "#ml-study" and spec.hhmm == "09:00"
    assert spec.timezone == "Europe/Berlin" and spec.weekdays == WEEKDAYS[:5]
    assert spec.topics == ("sql", "evaluation") and spec.difficulty == "mixed"
    plain = parse_schedule(["console", "7:30", "UTC"])
    assert plain.weekdays == WEEKDAYS and plain.topics == () and plain.difficulty is None
    assert parse_schedule(["c", "07:30", "UTC", "all"]).topics == ()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["#c", "09:00"], "Give the channel, a time and a time zone"),
        (["#c", "9am", "UTC"], "is not a time of day"),
        (["#c", "09:00", "Mars/Olympus"], "Mars/Olympus"),
        (["#c", "09:00", "UTC", "easy", "hard"], "gives the difficulty a second time"),
        (["#c", "09:00", "UTC", "mon", "fri"], "gives the days a second time"),
    ],
)
def test_schedule_errors(args: list[str], message: str):
    with pytest.raises(SpecError, match=message):
        parse_schedule(args)


def test_reveal_hours():
    assert parse_reveal_hours("24") == 24 and parse_reveal_hours("6h") == 6
    for bad in ("0", "169", "soon"):
        with pytest.raises(SpecError, match="from 1 to 168"):
            parse_reveal_hours(bad)


# --- choosing the question -----------------------------------------------------------


@pytest.fixture(scope="module")
def builtin() -> QuestionBank:
    return QuestionBank.load([builtin_content_dir()])


def test_no_repeat_until_exhausted_then_least_recently_used(builtin: QuestionBank):
    pool = eligible(builtin, ["sql"], None)
    rng = random.Random(3)
    rotation: list[str] = []
    first_cycle = []
    for _ in range(len(pool)):
        q = choose(pool, rotation, rng)
        first_cycle.append(q.id)
        rotation = advance(rotation, q.id)
    assert sorted(first_cycle) == sorted(q.id for q in pool)  # every one once
    # The second cycle repeats the first one's order: always the least recently used.
    second = []
    for _ in range(len(pool)):
        q = choose(pool, rotation, rng)
        second.append(q.id)
        rotation = advance(rotation, q.id)
    assert second == first_cycle


def test_a_question_added_to_the_bank_comes_before_any_repeat(builtin: QuestionBank):
    pool = eligible(builtin, ["sql"], None)
    rotation = [q.id for q in pool[1:]]  # every question but the first has been used
    assert choose(pool, rotation, random.Random(1)).id == pool[0].id


def test_filters_are_respected(builtin: QuestionBank):
    rng = random.Random(5)
    rotation: list[str] = []
    for _ in range(30):
        q = pick_daily(
            builtin,
            topics=["sql", "evaluation"],
            difficulty="hard",
            local_day=date(2026, 3, 4),
            rotation=rotation,
            rng=rng,
        )
        assert q.topic in {"sql", "evaluation"} and q.difficulty.value == "hard"
        rotation = advance(rotation, q.id)


def test_mixed_rotates_difficulty_across_the_week(builtin: QuestionBank):
    monday = date(2026, 3, 2)
    got = [
        pick_daily(
            builtin,
            topics=[],
            difficulty="mixed",
            local_day=monday + timedelta(days=i),
            rotation=[],
            rng=random.Random(i),
        ).difficulty.value
        for i in range(7)
    ]
    assert got == ["easy", "easy", "medium", "medium", "hard", "hard", "hard"]
    # A topic without hard questions still gets a question on Friday.
    interview = pick_daily(
        builtin,
        topics=["interview-craft"],
        difficulty="mixed",
        local_day=monday + timedelta(days=4),
        rotation=[],
        rng=random.Random(1),
    )
    assert interview.topic == "interview-craft"


def test_filters_matching_nothing_raise(builtin: QuestionBank):
    with pytest.raises(NothingEligible):
        pick_daily(
            builtin,
            topics=["interview-craft"],
            difficulty="hard",
            local_day=date(2026, 3, 2),
            rotation=[],
            rng=random.Random(1),
        )
