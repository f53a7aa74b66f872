"""A written answer as typed, checked before it is graded: the quiz and the daily
question take answers through here, so they refuse and store them alike."""

from __future__ import annotations

import re

from bot.domain import MAX_ANSWER_CHARS
from bot.replies import Reply, error

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Keep what the person wrote; only lone surrogates (not storable as UTF-8) become U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


def checked_answer(text: str | None, *, empty_hint: str, long_hint: str) -> str | Reply:
    """The answer ready to grade and store, or the error to show instead."""
    if not text or not text.strip():
        return error("Your answer is empty.", empty_hint)
    if len(text) > MAX_ANSWER_CHARS:
        return error(
            f"Your answer is {len(text):,} characters; the limit is {MAX_ANSWER_CHARS:,}.",
            long_hint,
        )
    return clean_text(text)
