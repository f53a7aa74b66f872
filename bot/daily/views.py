"""Replies for the daily question: the post, answer feedback, the reveal, the weekly recap
and the schedule list. No I/O; adapters render these like any other Reply."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache

from bot.bank import ChoiceQuestion, OpenQuestion, QuestionBank, QuestionModel
from bot.daily.store import AnswerCounts, Participation, Schedule
from bot.keypoints import Coverage
from bot.leaderboard import Standing
from bot.replies import Button, Field, Reply
from bot.store.practice import Recorded
from bot.timeutil import zone
from bot.views import (
    LETTERS,
    action,
    answer_hint,
    choice_feedback,
    coverage_summary,
    misconception_fields,
    model_answer_field,
    rating_buttons,
    streak_line,
    written_prompt,
)

WEEKDAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}


@lru_cache(maxsize=4096)  # thousands of channels share a few reveal times and zones
def when(moment: datetime, timezone: str) -> str:
    """'Thu 5 Mar 09:00 (Europe/Berlin)': the local time people will see on their clocks."""
    local = moment.astimezone(zone(timezone))
    return f"{local:%a} {local.day} {local:%b %H:%M} ({timezone})"


@lru_cache(maxsize=1024)  # strftime is slow, and a day's label is asked for once per channel
def day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def days_label(weekdays: Sequence[str]) -> str:
    if len(weekdays) == 7:
        return "every day"
    if tuple(weekdays) == ("mon", "tue", "wed", "thu", "fri"):
        return "Monday to Friday"
    return ", ".join(d.capitalize() for d in weekdays)


def daily_post(bank: QuestionBank, q: QuestionModel, post_id: int, day: date, reveal: str) -> Reply:
    title = f"Daily question · {day_label(day)} · {bank.title(q.topic or '')} · {q.difficulty}"
    footer = f"Your result is private. The answer is revealed {reveal}."
    if isinstance(q, ChoiceQuestion):
        buttons = tuple(
            Button(f"{LETTERS[i]}. {opt.text}", action("da", post_id, i), "primary")
            for i, opt in enumerate(q.options)
        )
        return Reply(
            q.prompt, title=title, buttons=buttons, footer=footer, ephemeral=False, tone="question"
        )
    return Reply(
        q.prompt,
        title=title,
        text_prompt=written_prompt(action("dw", post_id)),
        footer=f"{answer_hint(q)} {footer}",
        ephemeral=False,
        tone="question",
    )


def points_line(recorded: Recorded, late: bool) -> str:
    if late:
        return "No points: the answer was already revealed. It still counts for your streak."
    return f"+{recorded.points} points."


def choice_result(q: ChoiceQuestion, choice: int, recorded: Recorded, late: bool) -> Reply:
    return choice_feedback(q, choice, recorded, points=points_line(recorded, late))


def written_result(
    q: OpenQuestion, coverage: Coverage, recorded: Recorded, late: bool, post_id: int
) -> Reply:
    fields = [*misconception_fields(coverage), model_answer_field(q)]
    body = (
        f"{coverage_summary(coverage, q.kind)} {points_line(recorded, late)}\n"
        "How well did you know it? Your rating schedules when this question comes back."
    )
    return Reply(
        body,
        title="Your answer to the daily question",
        fields=tuple(fields),
        buttons=rating_buttons(lambda value: action("dr", post_id, value), coverage),
        footer=streak_line(recorded),
    )


def already_answered(q: QuestionModel, choice: int | None, correct: bool) -> Reply:
    if isinstance(q, ChoiceQuestion) and choice is not None:
        verdict = "right" if correct else "not right"
        return Reply(
            f"You already answered this one: {LETTERS[choice]} ({verdict}). "
            "Only your first answer counts."
        )
    return Reply("You already answered this one in writing. Only your first answer counts.")


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "0%"


def reveal(bank: QuestionBank, q: QuestionModel, day: date, counts: AnswerCounts) -> Reply:
    title = f"Answer · daily question of {day_label(day)}"
    people = "1 person" if counts.answered == 1 else f"{counts.answered} people"
    if isinstance(q, ChoiceQuestion):
        right = q.correct_index
        key = q.options[right]
        spread = "\n".join(
            f"{LETTERS[i]}. {opt.text}: {counts.per_choice.get(i, 0)}"
            + ("  (correct)" if i == right else "")
            for i, opt in enumerate(q.options)
        )
        body = f"Correct answer: {LETTERS[right]}. {key.text}\n{key.why}\n\n{q.explanation}"
        summary = f"{people} answered; {_share(counts.right, counts.answered)} got it right."
        fields = (Field("How the channel answered", f"{summary}\n{spread}"),)
    else:
        assert isinstance(q, OpenQuestion)
        points = "\n".join(f"- {k.point}" for k in q.key_points)
        body = f"Key points a strong answer covers:\n{points}"
        mean = f"{counts.mean_coverage:.0%}" if counts.mean_coverage is not None else "-"
        summary = (
            f"{people} answered; {_share(counts.right, counts.answered)} covered at least half "
            f"of the key points (average coverage {mean})."
        )
        fields = (model_answer_field(q), Field("How the channel answered", summary))
    return Reply(
        body,
        title=title,
        fields=fields,
        footer=f"{bank.title(q.topic or '')} · {q.difficulty}. Late answers still get feedback.",
        ephemeral=False,
    )


def recap(
    week: date,
    top: list[Standing],
    streaks: list[tuple[str, int]],
    joined: Participation,
    timezone: str,
) -> Reply:
    board = (
        "\n".join(f"{s.rank}. {s.name}: {s.points} pts" for s in top) or "No points yet this week."
    )
    longest = (
        "\n".join(f"{name}: {n} {'day' if n == 1 else 'days'}" for name, n in streaks)
        or "No streaks running."
    )
    if joined.posts:
        took = (
            f"{joined.posts} daily question{'s' if joined.posts != 1 else ''} posted here; "
            f"{joined.people} {'person' if joined.people == 1 else 'people'} answered "
            f"{joined.answers} time{'s' if joined.answers != 1 else ''}, "
            f"{_share(joined.right, joined.answers)} right."
        )
    else:
        took = "No daily questions were posted here this week."
    return Reply(
        "Here is how the team did this week.",
        title=f"Weekly recap · week of {day_label(week)}",
        fields=(
            Field("Top 5 this week", board),
            Field("Longest current streaks", longest),
            Field("This channel", took),
        ),
        footer=f"Weeks run Monday to Sunday ({timezone}). Type 'leaderboard' for the full board.",
        ephemeral=False,
    )


def reveal_rule(s: Schedule) -> str:
    if s.reveal_after_hours:
        return f"{s.reveal_after_hours} h after posting"
    return "when the next question posts (at most 24 h)"


def schedule_line(s: Schedule, next_post: str | None) -> Field:
    topics = ", ".join(s.topics) if s.topics else "all topics"
    lines = [
        f"{s.hhmm} {s.timezone}, {days_label(s.weekdays)}",
        f"Topics: {topics}; difficulty: {s.difficulty or 'any'}",
        f"Answer revealed: {reveal_rule(s)}",
        "Weekly recap: "
        + (
            f"{WEEKDAY_NAMES[s.recap_weekday]} {s.recap_time:%H:%M} {s.timezone}"
            if s.recap_weekday and s.recap_time
            else "off"
        ),
    ]
    if not s.enabled:
        lines.append(f"Status: off. Turn it back on with: schedule set {s.channel_id} ...")
    elif s.paused_reason:
        lines.append(f"Status: paused ({s.paused_reason}). Resume: schedule resume {s.channel_id}")
    else:
        lines.append(f"Status: on; next post {next_post or 'not planned'}")
    return Field(f"#{s.channel_id}", "\n".join(lines))


def schedules(fields: list[Field]) -> Reply:
    if not fields:
        return Reply(
            "No channel has a daily question yet.\n"
            "An admin can start one with: schedule set <channel> <HH:MM> <time zone>, "
            "for example: schedule set here 09:00 Europe/Berlin mon-fri",
            title="Daily question schedules",
        )
    return Reply("", title="Daily question schedules", fields=tuple(fields))
