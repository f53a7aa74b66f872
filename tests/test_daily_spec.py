"""Schedule parsing and daily question choice (pure logic)."""

from __future__ import annotations

import random
from datetime import date, time, timedelta

import pytest

from bot.bank import QuestionBank, builtin_content_dir
from bot.bank.schema import Difficulty
from bot.daily.chooser import Deck, NothingEligible, _eligible, deal, eligible, pick_daily
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


def _deal_days(bank, days: int, **filters) -> tuple[list[str], Deck]:
    rng, dealt, deck = random.Random(3), [], Deck()
    for i in range(days):
        q, deck, _changed = pick_daily(
            bank,
            topics=filters.get("topics", ()),
            difficulty=filters.get("difficulty"),
            local_day=date(2026, 3, 2) + timedelta(days=i),
            deck=deck,
            rng=rng,
        )
        dealt.append(q.id)
    return dealt, deck


def test_no_repeat_until_exhausted_then_least_recently_used(builtin: QuestionBank):
    pool = eligible(builtin, ["sql"], None)
    dealt, _deck = _deal_days(builtin, 2 * len(pool), topics=["sql"])
    first, second = dealt[: len(pool)], dealt[len(pool) :]
    assert sorted(first) == sorted(q.id for q in pool)  # every one once
    assert second == first  # then always the least recently used


def test_a_plain_day_moves_only_the_position(builtin: QuestionBank):
    pool = _eligible(builtin, ("sql",), None)
    q, deck, changed = deal(pool, Deck(), random.Random(1))
    assert changed and len(deck.ids) == len(pool.questions) and deck.pos == 1
    q2, deck2, changed2 = deal(pool, deck, random.Random(1))
    assert not changed2 and deck2.ids == deck.ids and deck2.pos == 2 and q2.id != q.id


def test_a_question_added_to_the_bank_comes_before_any_repeat(builtin: QuestionBank):
    pool = _eligible(builtin, ("sql",), None)
    ids = [q.id for q in pool.questions]
    # Every question but the first has been dealt, some of them twice.
    deck = Deck(tuple(ids[1:]), 3)
    q, after, changed = deal(pool, deck, random.Random(1))
    assert q.id == ids[0] and changed
    # The least recently used come next, in their order: ids[1:][3:] then ids[1:][:3].
    rest = [deal(pool, after, random.Random(1))[0].id]
    assert rest == [ids[1:][3]]


def test_an_ineligible_question_keeps_its_place(builtin: QuestionBank):
    sql = _eligible(builtin, ("sql",), None)
    ids = [q.id for q in sql.questions]
    easy = _eligible(builtin, ("sql",), Difficulty.EASY)
    # The deck's next question is not easy: the oldest easy one is dealt instead and
    # moves to the most recent end; the others keep their order.
    order = sorted(ids, key=lambda i: i in easy.ids)  # the easy ones last
    q, deck, changed = deal(easy, Deck(tuple(order), 0), random.Random(1))
    assert q.id == order[len(order) - len(easy.questions)] and changed
    assert deck.ids == (*(i for i in order if i != q.id), q.id) and deck.pos == 0


def test_filters_are_respected(builtin: QuestionBank):
    dealt, _deck = _deal_days(builtin, 30, topics=["sql", "evaluation"], difficulty="hard")
    for qid in dealt:
        q = builtin.get(qid)
        assert q.topic in {"sql", "evaluation"} and q.difficulty.value == "hard"


def test_mixed_rotates_difficulty_across_the_week(builtin: QuestionBank):
    dealt, _deck = _deal_days(builtin, 21, difficulty="mixed")
    got = [builtin.get(q).difficulty.value for q in dealt[:7]]
    assert got == ["easy", "easy", "medium", "medium", "hard", "hard", "hard"]
    assert len(set(dealt)) == 21  # no repeats while each difficulty has unused questions
    # A topic without hard questions still gets a question on Friday.
    friday, _ = _deal_days(builtin, 5, topics=["interview-craft"], difficulty="mixed")
    assert builtin.get(friday[4]).topic == "interview-craft"


def test_filters_matching_nothing_raise(builtin: QuestionBank):
    with pytest.raises(NothingEligible):
        _deal_days(builtin, 1, topics=["interview-craft"], difficulty="hard")
