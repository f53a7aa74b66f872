"""The components the bot sends, as discord.py DynamicItems, and the answer modal.

DynamicItems are matched by custom_id pattern (registered once at start-up with
`add_dynamic_items`), so buttons on a daily post from last week still work after any
number of restarts, and nothing is kept in memory per message sent.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import ButtonStyle
from discord.ui import Button, DynamicItem, Modal, Select, TextInput

from adapters.discord import ids
from bot.domain import MAX_ANSWER_CHARS

if TYPE_CHECKING:  # frontend.py imports this module
    from adapters.discord.frontend import Frontend

MODAL_TITLE = "Your answer"
FIELD_LABEL = "Your answer"
FIELD_PLACEHOLDER = "Answer as you would in the interview"


def frontend_of(interaction: discord.Interaction) -> Frontend:
    """The Frontend the bot was built with (adapters/discord/client.py sets it)."""
    return cast("Frontend", interaction.client.frontend)  # type: ignore[attr-defined]


class ActionButton(DynamicItem[Button], template=ids.template(ids.BUTTON)):
    """A button that runs one core action: answer choice, rate, skip, daily choice."""

    def __init__(
        self, action_id: str, label: str = "Choose", style: ButtonStyle = ButtonStyle.secondary
    ) -> None:
        super().__init__(
            Button(label=label, style=style, custom_id=ids.custom_id(ids.BUTTON, action_id))
        )
        self.action_id = action_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Button, match: re.Match[str], /
    ) -> ActionButton:
        return cls(match["action"], item.label or "Choose", item.style)

    async def callback(self, interaction: discord.Interaction) -> None:
        await frontend_of(interaction).on_action(interaction, self.action_id)


class WriteButton(DynamicItem[Button], template=ids.template(ids.WRITE)):
    """Opens the written-answer modal; the modal's submission carries the same action."""

    def __init__(self, action_id: str, label: str = "Write your answer") -> None:
        super().__init__(
            Button(
                label=label,
                style=ButtonStyle.primary,
                custom_id=ids.custom_id(ids.WRITE, action_id),
            )
        )
        self.action_id = action_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Button, match: re.Match[str], /
    ) -> WriteButton:
        return cls(match["action"], item.label or "Write your answer")

    async def callback(self, interaction: discord.Interaction) -> None:
        await frontend_of(interaction).open_answer(interaction, self.action_id)


class PickSelect(DynamicItem[Select], template=ids.template(ids.PICK)):
    """A select menu for choices too many or too long for buttons; each option's value
    is an action id. The custom_id names the first option's action, which makes it
    unique per message."""

    def __init__(
        self, first_action: str, options: list[discord.SelectOption], placeholder: str
    ) -> None:
        super().__init__(
            Select(
                custom_id=ids.custom_id(ids.PICK, first_action),
                options=options,
                placeholder=placeholder,
                min_values=1,
                max_values=1,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Select, match: re.Match[str], /
    ) -> PickSelect:
        return cls(match["action"], list(item.options), item.placeholder or "Choose")

    async def callback(self, interaction: discord.Interaction) -> None:
        values = self.item.values
        action_id = values[0] if values else ""
        if not ids.ACTION_RE.match(action_id):
            action_id = "unknown"  # the core answers "from an older version"
        await frontend_of(interaction).on_action(interaction, action_id)


DYNAMIC_ITEMS = (ActionButton, WriteButton, PickSelect)


def answer_modal(action_id: str) -> Modal:
    """The written-answer modal. It is stopped before it is sent, so discord.py does not
    keep it in memory waiting for a submission that may never come (closing a modal is
    not reported); the submission is handled by custom_id in Frontend.on_interaction,
    which also works after a restart."""
    modal = Modal(title=MODAL_TITLE, custom_id=ids.custom_id(ids.ANSWER, action_id))
    modal.add_item(
        TextInput(
            custom_id=ids.ANSWER_FIELD,
            label=FIELD_LABEL,
            style=discord.TextStyle.paragraph,
            placeholder=FIELD_PLACEHOLDER,
            min_length=1,
            max_length=MAX_ANSWER_CHARS,  # 4,000: also Discord's limit
            required=True,
        )
    )
    modal.stop()
    return modal


def submitted_text(data: dict[str, Any]) -> str | None:
    """The answer field's value from a modal submission's data (action rows or labels)."""
    stack = list(data.get("components") or [])
    while stack:
        component = stack.pop(0)
        if not isinstance(component, dict):
            continue
        if component.get("custom_id") == ids.ANSWER_FIELD and "value" in component:
            return str(component.get("value") or "")
        stack.extend(component.get("components") or [])
        if isinstance(component.get("component"), dict):
            stack.append(component["component"])
    return None
