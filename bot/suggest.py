"""Suggestions while typing (Discord autocomplete): topics, time zones, topic lists.

Ranked prefix matches first, then matches inside the name, then close spellings, so
"eval", "metrics" and "evalution" all find the evaluation topic.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from rapidfuzz import fuzz, process

from bot.bank import QuestionBank

LIMIT = 25  # Discord shows at most 25 choices
FUZZY_CUTOFF = 75


def _rank(query: str, names: dict[str, str], limit: int) -> list[str]:
    """Keys of `names` (key -> searchable text) best first."""
    q = query.strip().lower()
    if not q:
        return list(names)[:limit]
    starts = [k for k, text in names.items() if text.startswith(q) or k.startswith(q)]
    inside = [k for k, text in names.items() if q in text and k not in starts]
    found = starts + inside
    if not found:  # nothing contains the text: try close spellings
        rest = {k: text for k, text in names.items() if k not in found}
        close = process.extract(q, rest, scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF, limit=limit)
        found += [key for _text, _score, key in close]
    return found[:limit]


def topics(bank: QuestionBank, query: str, limit: int = LIMIT) -> list[tuple[str, str]]:
    """(label, topic id) pairs for a topic being typed."""
    titles = {t.id: f"{t.id} {t.title}".lower() for t in bank.topics()}
    return [(f"{bank.title(key)} ({key})", key) for key in _rank(query, titles, limit)]


def topic_list(bank: QuestionBank, query: str, limit: int = LIMIT) -> list[tuple[str, str]]:
    """Completions for a comma-separated topic list: the last item is completed, the
    ones before it kept as typed."""
    head, _, last = query.rpartition(",")
    prefix = f"{head}," if head else ""
    already = {part.strip() for part in head.split(",") if part.strip()}
    out = [("all topics", "all")] if not head and "all".startswith(last.strip().lower()) else []
    for _label, key in topics(bank, last, limit):
        if key not in already:
            out.append((prefix + key, prefix + key))
    return out[:limit]


@cache
def _zones() -> dict[str, str]:
    return {name: name.lower() for name in sorted(available_timezones())}


def timezones(query: str, limit: int = LIMIT) -> list[str]:
    """IANA zone names for a zone being typed ("berlin" -> Europe/Berlin)."""
    if not query.strip():
        common = ["UTC", "Europe/London", "Europe/Berlin", "America/New_York"]
        common += ["America/Los_Angeles", "Asia/Kolkata", "Asia/Singapore", "Australia/Sydney"]
        return common[:limit]
    return _rank(query.replace(" ", "_"), _zones(), limit)
