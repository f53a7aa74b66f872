"""Block Kit rendering stays inside Slack's limits, whatever the reply holds."""

from __future__ import annotations

from adapters.slack.blocks import (
    BUTTON_MAX,
    HEADER_MAX,
    TEXT_MAX,
    check_answer,
    fallback_text,
    reply_blocks,
)
from bot.replies import Button, Field, Reply


def test_long_text_is_split_and_long_labels_are_cut_but_shown_in_full():
    long_choice = "An option whose wording runs on and on " * 8
    reply = Reply(
        "\n".join(f"line {i} " + "x" * 90 for i in range(80)),  # ~7,700 characters
        title="T" * 400,
        fields=(Field("Model answer", "y" * 4500),),
        buttons=(Button(long_choice, "qa:1:0:0", "primary"), Button("Skip", "qs:1:0")),
        footer="f" * 5000,
    )
    blocks = reply_blocks(reply)
    [head] = [b for b in blocks if b["type"] == "header"]
    assert len(head["text"]["text"]) <= HEADER_MAX
    chunks = [
        e["text"]
        for b in blocks
        if b["type"] == "rich_text"
        for section in b["elements"]
        for e in section["elements"]
        if e["type"] == "text"
    ]
    assert all(len(c) <= TEXT_MAX for c in chunks)
    assert "".join(chunks).count("line ") == 80  # nothing lost in the split
    assert sum(c.count("y") for c in chunks) == 4500
    assert any(long_choice in c for c in chunks)  # the whole choice, above the buttons
    [actions] = [b for b in blocks if b["type"] == "actions"]
    labels = [e["text"]["text"] for e in actions["elements"]]
    assert all(len(label) <= BUTTON_MAX for label in labels) and labels[1] == "Skip"
    assert actions["elements"][0]["style"] == "primary" and "style" not in actions["elements"][1]
    assert len(blocks) <= 50


def test_the_fallback_text_is_escaped():
    text = fallback_text(Reply("<!channel> & <@U1> <https://x|y>", title="Hi"))
    assert text == "Hi: &lt;!channel&gt; &amp; &lt;@U1&gt; &lt;https://x|y&gt;"


def test_answer_checks():
    assert check_answer(" \n\t") is not None
    assert check_answer("z" * 3001) is not None and "3,001" in check_answer("z" * 3001)
    assert check_answer("z" * 3000) is None
