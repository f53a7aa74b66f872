"""Autocomplete suggestions: topics, comma-separated topic lists, time zones."""

from __future__ import annotations

from bot import suggest
from bot.bank import QuestionBank


def test_topics_by_prefix_inside_and_misspelling(bank: QuestionBank) -> None:
    ids = bank.topic_ids()
    first = ids[0]
    assert suggest.topics(bank, first[:3])[0][1] == first
    assert [value for _, value in suggest.topics(bank, "")] == ids[: suggest.LIMIT]
    title = bank.title(first).lower()
    assert suggest.topics(bank, title[2:8])[0][1] == first  # inside the title
    typo = first[:-2] + first[-1] + first[-2]  # two letters swapped
    assert first in [value for _, value in suggest.topics(bank, typo)]
    assert suggest.topics(bank, "zzzzqqqq") == []
    assert all(label.endswith(f"({value})") for label, value in suggest.topics(bank, ""))


def test_topic_list_completes_the_last_item_only(bank: QuestionBank) -> None:
    a, b = bank.topic_ids()[:2]
    got = [value for _, value in suggest.topic_list(bank, f"{a},{b[:2]}")]
    assert f"{a},{b}" in got
    assert all(v.startswith(f"{a},") and v != f"{a},{a}" for v in got)
    assert suggest.topic_list(bank, "")[0] == ("all topics", "all")


def test_timezones() -> None:
    assert suggest.timezones("berlin") == ["Europe/Berlin"]
    assert suggest.timezones("new york")[0] == "America/New_York"
    assert suggest.timezones("")[0] == "UTC"
    assert len(suggest.timezones("a")) == suggest.LIMIT
