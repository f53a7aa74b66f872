"""Fitting text into platform limits (button labels, embed fields, Block Kit sections)."""

from __future__ import annotations


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chunks(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, split at line breaks where possible, so a
    long text is sent whole rather than refused by the platform."""
    out: list[str] = []
    while len(text) > limit:
        at = text.rfind("\n", 0, limit)
        at = at if at > 0 else limit
        out.append(text[:at])
        text = text[at:].lstrip("\n")
    if text:
        out.append(text)
    return out
