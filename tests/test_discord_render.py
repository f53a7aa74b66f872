"""The core's replies as Discord embeds and components: limits, escaping, select menus."""

from __future__ import annotations

import discord
import pytest

from adapters.discord import ids
from adapters.discord.items import ActionButton, PickSelect, WriteButton, submitted_text
from adapters.discord.render import EMBED_TOTAL, FIELD_VALUE_MAX, prose, render
from bot.replies import Button, Field, Reply, TextPrompt


def _embed_size(embed: discord.Embed) -> int:
    return (
        len(embed.title or "")
        + len(embed.description or "")
        + sum(len(f.name or "") + len(f.value or "") for f in embed.fields)
        + len(embed.footer.text or "")
    )


def test_markdown_and_mentions_shown_literally() -> None:
    text = "Use learning_rate * 2; **not bold** <@123> @everyone\n# not a heading"
    shown = prose(text)
    assert "learning\\_rate \\* 2" in shown and "\\*\\*not bold\\*\\*" in shown
    assert "\\# not a heading" in shown
    out = render(Reply(text, title="Q"))[0]
    assert out.kwargs()["allowed_mentions"].to_dict() == {"parse": []}
    assert out.embed.description == shown


def test_channel_ids_become_channel_links_and_schedule_commands_use_discord_names() -> None:
    shown = prose("Posting in #123456789012345678. Usage: /prep schedule set <channel> 09:00")
    assert "<#123456789012345678>" in shown
    assert "/prep-schedule set" in shown
    assert prose("Anyone: /prep schedule show") == "Anyone: /prep schedule"


def test_buttons_carry_the_core_action_ids() -> None:
    reply = Reply(
        "Which metric?",
        buttons=(Button("AUC", "qa:5:0:0", "primary"), Button("Skip", "qs:5:0")),
        text_prompt=None,
    )
    view = render(reply)[0].view
    assert view is not None
    items = list(view.children)
    assert [type(i) for i in items] == [ActionButton, ActionButton]
    assert [i.custom_id for i in items] == ["prep:qa:5:0:0", "prep:qs:5:0"]
    assert view.timeout is None and view.is_persistent()


def test_written_prompt_becomes_a_write_button_first() -> None:
    reply = Reply("Explain", text_prompt=TextPrompt("dw:77", "Your answer"))
    items = list(render(reply)[0].view.children)
    assert isinstance(items[0], WriteButton) and items[0].custom_id == "prep-write:dw:77"


def test_long_choices_use_a_select_menu_with_the_full_text() -> None:
    long = "a " * 150  # 300 characters: too long for a button or one option
    choices = tuple(Button(f"{c}. {long}", f"da:9:{i}", "primary") for i, c in enumerate("ABCD"))
    out = render(Reply("Pick", buttons=choices))[0]
    items = list(out.view.children)
    assert len(items) == 1 and isinstance(items[0], PickSelect)
    select = items[0].item
    assert [o.value for o in select.options] == ["da:9:0", "da:9:1", "da:9:2", "da:9:3"]
    assert all(len(o.label) <= 100 and len(o.description or "") <= 100 for o in select.options)
    assert select.custom_id == "prep-pick:da:9:0"
    assert any(f.name == "Choices" for f in out.embed.fields)  # nothing lost


def test_more_than_five_choices_use_a_select_and_keep_other_buttons() -> None:
    choices = tuple(Button(f"Option {i}", f"qa:1:0:{i}", "primary") for i in range(6))
    reply = Reply("Pick", buttons=(*choices, Button("Skip", "qs:1:0")))
    items = list(render(reply)[0].view.children)
    assert isinstance(items[0], PickSelect) and len(items[0].item.options) == 6
    assert isinstance(items[1], ActionButton) and items[1].custom_id == "prep:qs:1:0"


def test_a_long_reply_is_split_within_discord_limits_view_on_the_last() -> None:
    fields = tuple(Field(f"Part {i}", "x" * 3000) for i in range(4))
    reply = Reply(
        "y" * 5000, title="Long", fields=fields, footer="foot", buttons=(Button("Ok", "qs:1:1"),)
    )
    outs = render(reply)
    assert len(outs) >= 3
    for out in outs:
        assert _embed_size(out.embed) <= EMBED_TOTAL
        assert len(out.embed.description or "") <= 4096
        assert all(len(f.value) <= FIELD_VALUE_MAX for f in out.embed.fields)
    assert outs[0].embed.title == "Long" and all(o.embed.title is None for o in outs[1:])
    assert outs[-1].embed.footer.text == "foot" and outs[-1].view is not None
    assert all(o.view is None for o in outs[:-1])
    text = "".join((o.embed.description or "") for o in outs)
    assert text.count("y") == 5000
    values = "".join(f.value for o in outs for f in o.embed.fields)
    assert values.count("x") == 12000


def test_preformatted_table_in_a_code_block_that_cannot_be_closed_early() -> None:
    out = render(Reply(" 1. 30 pts  ada```evil", preformatted=True, ephemeral=False))[0]
    assert out.embed.description.startswith("```\n") and out.embed.description.endswith("\n```")
    assert out.embed.description.count("```") == 2
    assert out.ephemeral is False


def test_custom_ids_refuse_what_discord_would_reject() -> None:
    assert ids.action_of(ids.BUTTON, "prep:da:1:2") == "da:1:2"
    assert ids.action_of(ids.BUTTON, "prep:da:1:2 x") is None
    assert ids.action_of(ids.ANSWER, "prep:da:1:2") is None
    with pytest.raises(ValueError):
        ids.custom_id(ids.BUTTON, "da:" + "1" * 120)


def test_modal_text_found_in_action_rows_and_labels() -> None:
    rows = {
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "answer", "value": "hi"}]}
        ]
    }
    labels = {
        "components": [{"type": 18, "component": {"type": 4, "custom_id": "answer", "value": "yo"}}]
    }
    assert submitted_text(rows) == "hi" and submitted_text(labels) == "yo"
    assert submitted_text({"components": []}) is None
