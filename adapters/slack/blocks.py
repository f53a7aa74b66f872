"""Block Kit for the core's replies, the written-answer modal and the App Home tab.

User-supplied text (display names, answers, unknown topic names echoed in errors)
must never become a mention, a link or formatting. Every text we send goes into
plain_text objects or rich_text "text" elements, which Slack shows literally; the
notification fallback `text` is the only mrkdwn, and it is escaped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.home import Home
from bot.replies import Button, Reply, TextPrompt
from bot.textfit import chunks, cut

Block = dict[str, Any]

HEADER_MAX = 150
TEXT_MAX = 3000  # section and rich-text chunk size
BUTTON_MAX = 75
CONTEXT_MAX = 2000
FALLBACK_MAX = 3000
MODAL_TITLE = "Your answer"
ANSWER_MAX = 3000  # Slack's limit for a plain_text_input
OPEN_PREFIX = "open|"  # action id of the button that opens the written-answer modal
MODAL_CALLBACK = "prep-answer"
ANSWER_BLOCK, ANSWER_INPUT = "answer", "text"


def escape(text: str) -> str:
    """mrkdwn's three control characters; with them escaped, no <@U..>, <!here> or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str, limit: int = TEXT_MAX) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, limit), "emoji": True}


def _text(text: str, bold: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "text", "text": text}
    if bold:
        element["style"] = {"bold": True}
    return element


def _rich(elements: list[dict[str, Any]], preformatted: bool = False) -> Block:
    kind = "rich_text_preformatted" if preformatted else "rich_text_section"
    return {"type": "rich_text", "elements": [{"type": kind, "elements": elements}]}


def _button(b: Button) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(b.label, BUTTON_MAX),
        "action_id": b.action_id,
        "value": b.action_id,
    }
    if b.style in ("primary", "danger"):  # Slack has no other button styles
        element["style"] = b.style
    return element


def _prompt_button(prompt: TextPrompt) -> dict[str, Any]:
    return {
        "type": "button",
        "text": plain("Write your answer"),
        "action_id": OPEN_PREFIX + prompt.action_id,
        "value": prompt.action_id,
        "style": "primary",
    }


def reply_blocks(reply: Reply) -> list[Block]:
    blocks: list[Block] = []
    if reply.title:
        blocks.append({"type": "header", "text": plain(reply.title, HEADER_MAX)})
    for chunk in chunks(reply.body, TEXT_MAX):
        blocks.append(_rich([_text(chunk)], preformatted=reply.preformatted))
    for field in reply.fields:
        for i, chunk in enumerate(chunks(field.value, TEXT_MAX)):
            lead = [_text(field.name, bold=True), _text("\n")] if i == 0 else []
            blocks.append(_rich([*lead, _text(chunk)]))
    if any(len(b.label) > BUTTON_MAX for b in reply.buttons):
        # The buttons only fit the start of long choices: list them in full above.
        blocks.append(_rich([_text("\n".join(b.label for b in reply.buttons))]))
    elements = [_button(b) for b in reply.buttons]
    if reply.text_prompt is not None:
        elements.append(_prompt_button(reply.text_prompt))
    for start in range(0, len(elements), 25):  # an actions block holds at most 25
        blocks.append({"type": "actions", "elements": elements[start : start + 25]})
    if reply.footer:
        blocks.append({"type": "context", "elements": [plain(reply.footer, CONTEXT_MAX)]})
    return blocks[:50]  # a message holds at most 50 blocks


def fallback_text(reply: Reply) -> str:
    """The notification text (and what screen readers announce): escaped mrkdwn."""
    head = f"{reply.title}: " if reply.title else ""
    return escape(cut(head + reply.body, FALLBACK_MAX))


def message(reply: Reply) -> dict[str, Any]:
    """Arguments for chat.postMessage / chat.postEphemeral / respond()."""
    return {"text": fallback_text(reply), "blocks": reply_blocks(reply)}


# --- the written-answer modal -----------------------------------------------------------


def answer_modal(action_id: str, prompt_label: str, channel_id: str | None) -> dict[str, Any]:
    """The modal behind "Write your answer". private_metadata carries what the submission
    needs: the core's action id, and the channel for the private feedback."""
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "private_metadata": json.dumps({"action": action_id, "channel": channel_id}),
        "title": plain(MODAL_TITLE, 24),
        "submit": plain("Submit", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            {
                "type": "input",
                "block_id": ANSWER_BLOCK,
                "label": plain(prompt_label, 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ANSWER_INPUT,
                    "multiline": True,
                    "max_length": ANSWER_MAX,
                    "placeholder": plain("A few sentences: what, why, and a trade-off.", 150),
                },
            }
        ],
    }


def modal_metadata(view: dict[str, Any]) -> tuple[str, str | None]:
    data = json.loads(view.get("private_metadata") or "{}")
    return str(data.get("action", "")), data.get("channel")


def submitted_text(view: dict[str, Any]) -> str:
    value = view.get("state", {}).get("values", {}).get(ANSWER_BLOCK, {}).get(ANSWER_INPUT, {})
    return value.get("value") or ""


def check_answer(text: str) -> str | None:
    """The inline error for a submitted answer, or None when it can be graded."""
    if not text.strip():
        return "Write your answer first (a few sentences is enough), or press Cancel."
    if len(text) > ANSWER_MAX:
        return (
            f"Your answer is {len(text):,} characters; the limit is {ANSWER_MAX:,}. "
            "Shorten it and submit again."
        )
    return None


# --- App Home --------------------------------------------------------------------------


def home_view(home: Home, title: Callable[[str], str]) -> dict[str, Any]:
    """The Home tab: streak, points, weakest topics and the daily question."""
    days = "day" if home.streak.current == 1 else "days"
    blocks: list[Block] = [
        {"type": "header", "text": plain("Your ML interview practice")},
        {
            "type": "section",
            "fields": [
                plain(f"Streak: {home.streak.current} {days} (longest {home.streak.longest})"),
                plain(f"Points: {home.points:,}"),
            ],
        },
    ]
    if home.weakest:
        lines = "\n".join(
            f"{title(t.topic)}: {t.correct}/{t.attempts} right ({t.accuracy:.0%})"
            for t in home.weakest
        )
        blocks.append(_rich([_text("Weakest topics", bold=True), _text("\n" + lines)]))
    else:
        blocks.append(_rich([_text("Answer a few questions to see your weakest topics.")]))
    today = home.today
    if today is None:
        blocks.append(_rich([_text("No daily question in your channels yet.")]))
    else:
        state = (
            "You answered it."
            if today.answered
            else "The answer is out: see the thread."
            if today.revealed
            else "Answer it with the buttons under the post."
        )
        blocks.append(
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [
                            _text("Daily question in ", bold=True),
                            {"type": "channel", "channel_id": today.channel_id},
                            _text("\n" + cut(today.question.prompt, TEXT_MAX) + "\n" + state),
                        ],
                    }
                ],
            }
        )
    blocks.append(
        {"type": "context", "elements": [plain("Type /prep help in any channel for commands.")]}
    )
    return {"type": "home", "blocks": blocks}
