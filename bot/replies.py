"""Platform-neutral replies: adapters render these as embeds, Block Kit or terminal text.

Text is plain (no markdown) so each adapter can escape and style it for its platform.
Action ids are short, stable strings so buttons keep working after a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Style = Literal["primary", "secondary", "success", "danger"]

# The shape of every action id the core hands out: a short kind, then up to four numeric
# or slug parts ("qa:12:0:2", "da:812:2", "dr:812:3"). Adapters route by this pattern,
# not by a list of kinds, so a new kind of button works everywhere at once.
ACTION_ID = r"[a-z]{1,8}(?::[0-9A-Za-z_-]{1,24}){0,4}"


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    style: Style = "secondary"


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class TextPrompt:
    """Ask for a written answer: a modal on Discord and Slack, the next line in the console."""

    action_id: str
    label: str
    placeholder: str = ""
    max_length: int = 4000


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply: attached on Discord, uploaded to a DM on Slack, written
    to a file in the console."""

    filename: str
    data: bytes
    mime: str  # "image/png", "application/json"
    description: str = ""


@dataclass(frozen=True)
class Reply:
    body: str
    title: str | None = None
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()
    text_prompt: TextPrompt | None = None
    footer: str | None = None
    ephemeral: bool = True
    tone: Literal["info", "success", "error", "question"] = "info"
    image_url: str | None = None
    preformatted: bool = False  # the body is aligned columns: show it in a fixed-width font
    files: tuple[Attachment, ...] = ()


def error(message: str, hint: str | None = None) -> Reply:
    """A friendly error: what was wrong, and what to type instead."""
    return Reply(body=message if hint is None else f"{message}\n{hint}", tone="error")


# What a platform adapter shows when the core raised: the user's data is safe (every
# write is a transaction), so say so and suggest a retry.
OOPS = error(
    "Something went wrong on the bot's side; nothing you did was lost.",
    "Try again in a moment. If it keeps happening, tell the person who runs the bot.",
)
