"""custom_id formats for the components and modals the bot sends.

Each carries the core's action id (e.g. "da:812:2": daily post 812, choice C), so a
click needs no memory of the message: after a restart the same custom_id still
reaches the same core action. Discord allows 100 characters; action ids are far shorter.
"""

from __future__ import annotations

import re

from bot.replies import ACTION_ID as ACTION

ACTION_RE = re.compile(f"^{ACTION}$")

BUTTON = "prep:"  # a button that runs the action
WRITE = "prep-write:"  # a button that opens the written-answer modal for the action
PICK = "prep-pick:"  # a select menu whose option values are action ids
ANSWER = "prep-answer:"  # the written-answer modal
ANSWER_FIELD = "answer"  # the modal's text input

MAX_CUSTOM_ID = 100


def custom_id(prefix: str, action_id: str) -> str:
    value = prefix + action_id
    if len(value) > MAX_CUSTOM_ID or not ACTION_RE.match(action_id):
        raise ValueError(f"action id {action_id!r} cannot be a Discord custom_id")
    return value


def template(prefix: str) -> str:
    """The DynamicItem template for one prefix: the action id is the named group."""
    return re.escape(prefix) + f"(?P<action>{ACTION})"


def action_of(prefix: str, value: str) -> str | None:
    """The action id inside a custom_id with this prefix, or None if it is not one."""
    if not value.startswith(prefix):
        return None
    action = value[len(prefix) :]
    return action if ACTION_RE.match(action) else None
