"""The core's Reply as Discord messages: an embed (or a few, when long) and a view.

All text goes into embeds with markdown escaped, so a display name or an answer can
never format, and every send uses AllowedMentions.none(), so nothing can ping anyone.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import discord

from adapters.discord.items import ActionButton, PickSelect, WriteButton
from bot.replies import Attachment, Button, Reply
from bot.textfit import chunks, cut

TITLE_MAX, DESCRIPTION_MAX, FIELD_NAME_MAX, FIELD_VALUE_MAX = 256, 4096, 256, 1024
FOOTER_MAX, FIELDS_MAX, EMBED_TOTAL = 2048, 25, 6000
BUTTON_LABEL_MAX, OPTION_MAX, ROW_BUTTONS, ITEMS_MAX = 80, 100, 5, 25

NO_MENTIONS = discord.AllowedMentions.none()
COLOURS = {
    "info": discord.Colour.blurple(),
    "success": discord.Colour.green(),
    "error": discord.Colour.red(),
    "question": discord.Colour.gold(),
}
STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}
# The console's command words as Discord spells them: admin schedule commands live in
# their own top-level command (Discord applies default permissions only at the top).
COMMAND_NAMES = (
    ("/prep schedule show", "/prep schedule"),
    ("/prep schedule ", "/prep-schedule "),
)
# The core names channels by id ("#123456789012345678"); on Discord <#id> shows the
# channel's name (channel links never notify anyone).
_CHANNEL_ID = re.compile(r"(?<![\w<])#(\d{15,21})\b")
_HEADING = re.compile(r"(?m)^(#{1,3}|-#) ")


def _names(text: str) -> str:
    for old, new in COMMAND_NAMES:
        text = text.replace(old, new)
    return text


def prose(text: str) -> str:
    """Plain text as Discord markdown that shows exactly that text."""
    text = discord.utils.escape_markdown(_names(text))
    text = _HEADING.sub(lambda m: "\\" + m.group(0), text)
    return _CHANNEL_ID.sub(r"<#\1>", text)


def _code_blocks(text: str, limit: int) -> list[str]:
    text = text.replace("```", "`\u200b``")  # cannot close the block early
    return [f"```\n{chunk}\n```" for chunk in chunks(text, limit - 8)]


@dataclass(frozen=True)
class Outgoing:
    """One Discord message."""

    embed: discord.Embed
    view: discord.ui.View | None
    ephemeral: bool
    files: tuple[Attachment, ...] = ()

    def kwargs(self, edit: bool = False) -> dict[str, object]:
        """Arguments for send_message/followup.send, or with `edit` for
        edit_original_response (which takes files as 'attachments')."""
        sent: dict[str, object] = {"embed": self.embed, "allowed_mentions": NO_MENTIONS}
        if self.view is not None:
            sent["view"] = self.view
        if self.files:
            # A discord.File is read once, so each send gets new ones.
            made = [
                discord.File(io.BytesIO(f.data), filename=f.filename, description=f.description)
                for f in self.files
            ]
            sent["attachments" if edit else "files"] = made
        return sent


def _use_select(reply: Reply) -> bool:
    choices = [b for b in reply.buttons if b.style == "primary"]
    too_long = any(len(b.label) > BUTTON_LABEL_MAX for b in choices)
    return bool(choices) and (too_long or len(reply.buttons) > ROW_BUTTONS)


def _option(button: Button) -> discord.SelectOption:
    label = button.label
    rest = label[OPTION_MAX - 1 :] if len(label) > OPTION_MAX else ""
    return discord.SelectOption(
        label=cut(label, OPTION_MAX),
        value=button.action_id,
        description=cut("…" + rest, OPTION_MAX) if rest else None,
    )


def view_for(reply: Reply) -> discord.ui.View | None:
    items: list[discord.ui.Item] = []
    if reply.text_prompt is not None:
        items.append(WriteButton(reply.text_prompt.action_id))
    buttons = list(reply.buttons)
    if _use_select(reply):
        choices = [b for b in buttons if b.style == "primary"][:ITEMS_MAX]
        buttons = [b for b in buttons if b.style != "primary"]
        items.append(
            PickSelect(choices[0].action_id, [_option(b) for b in choices], "Choose your answer")
        )
    for b in buttons:
        items.append(ActionButton(b.action_id, cut(b.label, BUTTON_LABEL_MAX), STYLES[b.style]))
    if not items:
        return None
    view = discord.ui.View(timeout=None)
    weight = 0
    for item in items:
        size = ROW_BUTTONS if isinstance(item, PickSelect) else 1
        if weight + size > ITEMS_MAX:
            break  # five rows of five: Discord's limit
        view.add_item(item)
        weight += size
    return view


def render(reply: Reply) -> list[Outgoing]:
    """Usually one message; a reply longer than one embed allows becomes several, the
    view on the last."""
    if reply.preformatted:
        descriptions = _code_blocks(_names(reply.body), DESCRIPTION_MAX)
    else:
        descriptions = chunks(prose(reply.body), DESCRIPTION_MAX)
    fields: list[tuple[str, str]] = []
    if _use_select(reply) and any(len(b.label) > 2 * OPTION_MAX - 2 for b in reply.buttons):
        full = "\n".join(f"- {prose(b.label)}" for b in reply.buttons if b.style == "primary")
        fields += [("Choices", chunk) for chunk in chunks(full, FIELD_VALUE_MAX)]
    for f in reply.fields:
        name = cut(prose(f.name), FIELD_NAME_MAX)
        for i, chunk in enumerate(chunks(prose(f.value), FIELD_VALUE_MAX)):
            fields.append((name if i == 0 else cut(f"{name} (continued)", FIELD_NAME_MAX), chunk))
    colour = COLOURS.get(reply.tone, COLOURS["info"])
    title = cut(prose(reply.title), TITLE_MAX) if reply.title else None
    footer = cut(_names(reply.footer), FOOTER_MAX) if reply.footer else None
    reserve = len(title or "") + len(footer or "")

    embeds: list[discord.Embed] = []
    used = 0

    def start(description: str | None) -> discord.Embed:
        nonlocal used
        embed = discord.Embed(
            title=title if not embeds else None, description=description, colour=colour
        )
        embeds.append(embed)
        used = reserve + len(description or "")
        return embed

    for description in descriptions or [""]:
        embed = start(description or None)
    for name, value in fields:
        size = len(name) + len(value)
        if len(embed.fields) >= FIELDS_MAX or used + size > EMBED_TOTAL:
            embed = start(None)
        embed.add_field(name=name, value=value, inline=False)
        used += size
    if footer:
        embeds[-1].set_footer(text=footer)
    if reply.image_url:
        embeds[-1].set_image(url=reply.image_url)
    view = view_for(reply)
    last = len(embeds) - 1
    return [
        Outgoing(
            embed,
            view if i == last else None,
            reply.ephemeral,
            reply.files if i == last else (),
        )
        for i, embed in enumerate(embeds)
    ]
