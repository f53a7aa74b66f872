"""Builders that turn core results into Reply objects (no I/O, no platform code)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.bank import ChoiceQuestion, OpenQuestion, QuestionBank, QuestionModel
from bot.bank.schema import Kind
from bot.commands import SCHEDULE_USAGE, USAGE
from bot.domain import MAX_ANSWER_CHARS, MAX_QUIZ, MIN_QUIZ, POINTS
from bot.keypoints import Coverage
from bot.leaderboard import Period, Standing
from bot.practice import Plan
from bot.replies import Button, Field, Reply, TextPrompt
from bot.sr import RATING_NAMES, describe_interval, suggested_rating
from bot.store.cards import Upcoming
from bot.store.practice import Recorded, Session
from bot.store.reads import TeamActivity, TopicStats
from bot.streaks import StreakState

LETTERS = "ABCD"


def action(kind: str, *parts: object) -> str:
    return ":".join([kind, *(str(p) for p in parts)])


def _kind_label(q: QuestionModel) -> str:
    return q.kind.value.replace("_", " ")


def answer_hint(q: QuestionModel) -> str:
    if q.kind is Kind.BEHAVIORAL:
        return "Answer with the STAR shape: situation, task, action, result."
    return "Write your answer as you would say it in the interview."


def written_prompt(action_id: str) -> TextPrompt:
    return TextPrompt(
        action_id,
        label="Your answer",
        placeholder="Answer as you would in the interview",
        max_length=MAX_ANSWER_CHARS,
    )


def coverage_summary(coverage: Coverage, kind: Kind | None = None) -> str:
    """The honest wording for an open answer: what it covered and what it did not
    mention, never 'wrong' (a matcher can miss a point made in other words)."""
    total = len(coverage.covered) + len(coverage.missed)
    missed = "; ".join(coverage.missed)
    if not coverage.covered:
        text = f"You covered none of the {total} key points. Not mentioned: {missed}."
    elif not coverage.missed:
        return f"You covered all {total} key points: " + "; ".join(coverage.covered) + "."
    else:
        text = (
            f"You covered {len(coverage.covered)} of {total} key points: "
            + "; ".join(coverage.covered)
            + f". Not mentioned: {missed}."
        )
    if kind is Kind.BEHAVIORAL:
        # Measured recall on stories is about 0.6 (README): say so where it matters.
        text += " Stories make points in many ways, so check these against what you wrote."
    return text


def misconception_fields(coverage: Coverage) -> list[Field]:
    """A misconception the answer seems to state, with its correction."""
    return [
        Field("Worth a second look", f"{m.mistake}. {m.correction}")
        for m in coverage.misconceptions
    ]


def model_answer_field(q: OpenQuestion) -> Field:
    """The model answer, or for behavioral questions what a strong STAR answer contains."""
    if q.star is not None:
        scaffold = (
            f"Situation: {q.star.situation}\nTask: {q.star.task}\n"
            f"Action: {q.star.action}\nResult: {q.star.result}"
        )
        return Field("What a strong answer contains (STAR)", scaffold)
    return Field("Model answer", q.model_answer or "")


def question(bank: QuestionBank, q: QuestionModel, session: Session, slot: int) -> Reply:
    topic = bank.title(q.topic or "")
    title = f"Question {slot + 1} of {session.total} · {topic} · {q.difficulty.value}"
    skip = Button("Skip", action("qs", session.id, slot))
    if isinstance(q, ChoiceQuestion):
        buttons = tuple(
            Button(opt.text, action("qa", session.id, slot, i), "primary")
            for i, opt in enumerate(q.options)
        )
        return Reply(q.prompt, title=title, buttons=(*buttons, skip), tone="question")
    return Reply(
        q.prompt,
        title=title,
        buttons=(skip,),
        text_prompt=written_prompt(action("qw", session.id, slot)),
        footer=f"{_kind_label(q).capitalize()} question. {answer_hint(q)}",
        tone="question",
    )


def streak_line(recorded: Recorded) -> str | None:
    change = recorded.streak
    if not change.extended:
        return None
    s = change.state
    day = "day" if s.current == 1 else "days"
    if change.froze:
        line = f"A streak freeze covered the day you missed: streak {s.current} {day}."
    elif change.broke:
        line = "Your streak had lapsed, so it starts again today: 1 day."
    else:
        line = f"Streak: {s.current} {day}."
    if change.earned_freeze:
        line += f" You earned a streak freeze ({s.freezes} held)."
    return line


def _points_line(recorded: Recorded) -> str:
    if recorded.first_time:
        return f"+{recorded.points} points."
    return "No points this time: you already scored this question before."


def choice_feedback(
    q: ChoiceQuestion, choice: int, recorded: Recorded, points: str | None = None
) -> Reply:
    right = choice == q.correct_index
    chosen = q.options[choice]
    key = q.options[q.correct_index]
    lines = [
        ("Right! " if right else "Not quite. ") + (points or _points_line(recorded)),
        "",
        f"Your answer: {LETTERS[choice]}. {chosen.text}",
    ]
    if not right:
        lines += [
            f"Why not: {chosen.why}",
            "",
            f"Correct answer: {LETTERS[q.correct_index]}. {key.text}",
        ]
    lines += [f"Why: {key.why}", "", q.explanation]
    streak = streak_line(recorded)
    return Reply(
        "\n".join(lines),
        title="Correct" if right else "Incorrect",
        footer=streak,
        tone="success" if right else "error",
    )


def rating_buttons(action_for: Callable[[int], str], coverage: Coverage) -> tuple[Button, ...]:
    """Again/Hard/Good/Easy; the one the key-point coverage suggests is highlighted."""
    suggested = suggested_rating(coverage.fraction)
    return tuple(
        Button(name, action_for(value), "primary" if value == suggested else "secondary")
        for value, name in RATING_NAMES.items()
    )


def written_feedback(
    q: OpenQuestion, coverage: Coverage, recorded: Recorded, session: Session, slot: int
) -> Reply:
    fields = [*misconception_fields(coverage), model_answer_field(q)]
    fields.append(Field("Why interviewers ask this", q.why_asked))
    fields.append(Field("Tips", "\n".join(q.tips)))
    body = (
        f"{coverage_summary(coverage, q.kind)} {_points_line(recorded)}\n"
        "How well did you know it? Your rating schedules when this question comes back."
    )
    buttons = rating_buttons(lambda value: action("qr", session.id, slot, value), coverage)
    return Reply(
        body,
        title="Your written answer",
        fields=tuple(fields),
        buttons=buttons,
        footer=streak_line(recorded),
        tone="info",
    )


def rated(rating: int, when: str) -> Reply:
    return Reply(f"Rated {RATING_NAMES[rating]}. You will see this question again {when}.")


def quiz_summary(bank: QuestionBank, session: Session, stopped: bool = False) -> Reply:
    head = "Quiz stopped." if stopped else "Quiz complete!"
    body = (
        f"{head} You answered {session.answered} of {session.total} questions, "
        f"{session.correct} right, and earned {session.points} points."
    )
    return Reply(
        body, title="Score", footer="Type 'quiz' for another round or 'stats' to see your progress."
    )


def _cards(n: int) -> str:
    return f"{n} card" if n == 1 else f"{n} cards"


def _ahead(ahead: Upcoming, now: datetime) -> str:
    """When the next reviews fall due, in words."""
    if ahead.due_now:
        return f"{_cards(ahead.due_now)} due now: type 'practice' to review them."
    if ahead.next_due is None:
        return "No reviews scheduled yet: every question you answer becomes a card."
    week = f"; {_cards(ahead.this_week)} due within a week" if ahead.this_week else ""
    return f"Your next review is due {describe_interval(now, ahead.next_due)}{week}."


def replaced_note(previous: Session) -> str:
    """What happened to the round a new one replaced."""
    if previous.mode == "mock":
        return "Your mock round is paused: 'mock resume' carries on where you left off."
    return "Your previous quiz was closed."


def practice_intro(bank: QuestionBank, plan: Plan, replaced: str | None) -> Reply:
    parts = []
    if plan.due:
        parts.append(f"{_cards(len(plan.due))} due for review")
    if plan.new:
        topics = ", ".join(bank.title(t) for t in plan.weak_topics)
        parts.append(f"{len(plan.new)} new from your weakest topics ({topics})")
    body = "Practice: " + " and ".join(parts) + "."
    if replaced:
        body += f" {replaced}"
    return Reply(body, title="Practice")


def nothing_to_practise(topic: str | None, ahead: Upcoming, now: datetime) -> Reply:
    where = f" in {topic}" if topic else ""
    return Reply(
        f"Nothing to practise{where} right now: no reviews are due and you have answered "
        f"every question{where}. {_ahead(ahead, now)}",
        title="Practice",
    )


def practice_summary(session: Session, ahead: Upcoming, now: datetime, stopped: bool) -> Reply:
    head = "Practice stopped." if stopped else "Practice done!"
    body = (
        f"{head} You answered {session.answered} of {session.total}, {session.correct} right, "
        f"and earned {session.points} points.\n{_ahead(ahead, now)}"
    )
    return Reply(body, title="Practice", footer="Type 'stats' to see your progress by topic.")


def leaderboard(
    period: Period,
    title_span: str,
    standings: list[Standing],
    me: tuple[int, int] | None,
    my_user_pk: int | None,
) -> Reply:
    label = {Period.WEEK: "This week", Period.MONTH: "This month", Period.ALL: "All time"}[period]
    if not standings:
        return Reply(
            "No points yet. Answer a question with 'quiz' to get on the board.",
            title=f"Leaderboard · {label}",
            footer=title_span,
        )
    width = max(len(str(s.points)) for s in standings)
    lines = []
    for s in standings:
        marker = "  <- you" if s.user_id == my_user_pk else ""
        lines.append(f"{s.rank:>2}. {s.points:>{width}} pts  {s.name}{marker}")
    if me is not None and all(s.user_id != my_user_pk for s in standings):
        lines.append(f"You: rank {me[0]} with {me[1]} points.")
    return Reply(
        "\n".join(lines),
        title=f"Leaderboard · {label}",
        footer=title_span,
        ephemeral=False,
        preformatted=True,
    )


def streak(state: StreakState) -> Reply:
    if state.last_active is None:
        return Reply("No streak yet: answer any question today to start one.", title="Streak")
    day = "day" if state.current == 1 else "days"
    body = (
        f"Current streak: {state.current} {day}\n"
        f"Longest streak: {state.longest} {'day' if state.longest == 1 else 'days'}\n"
        f"Streak freezes held: {state.freezes} of 2\n"
        f"Last active: {state.last_active.isoformat()}"
    )
    return Reply(
        body,
        title="Streak",
        footer="Answer one question a day to keep it going. Every 7 days in a row earns a freeze.",
    )


def stats(bank: QuestionBank, rows: list[TopicStats], total_points: int) -> Reply:
    if not rows:
        return Reply("No answers yet. Start with 'quiz' or 'quiz <topic>'.", title="Your stats")
    attempts = sum(r.attempts for r in rows)
    correct = sum(r.correct for r in rows)
    lines = [
        f"{bank.title(r.topic)}: {r.correct}/{r.attempts} right ({r.accuracy:.0%}), {r.points} pts"
        for r in sorted(rows, key=lambda r: (r.accuracy, r.topic))
    ]
    body = (
        f"Attempts: {attempts}   Right: {correct} ({correct / attempts:.0%})   "
        f"Points: {total_points}\n\nBy topic, weakest first:\n" + "\n".join(lines)
    )
    return Reply(
        body, title="Your stats", footer="Written answers count as right at 50% key-point coverage."
    )


def topics(bank: QuestionBank) -> Reply:
    lines = []
    for t in bank.topics():
        mix = ", ".join(f"{t.by_difficulty.get(d, 0)} {d}" for d in ("easy", "medium", "hard"))
        lines.append(f"{t.id} - {t.title}: {t.total} questions ({mix})")
    return Reply(
        "\n".join(lines), title="Topics", footer="Start one with: quiz <topic> [difficulty] [count]"
    )


def help_text(command: str | None = None, prefix: str = "") -> Reply:
    if command == "schedule":
        lines = [f"{prefix}{usage}\n    {what}" for usage, what in SCHEDULE_USAGE.values()]
        body = (
            "\n".join(lines)
            + "\n\n'here' names this channel. Time zones are IANA names such as UTC, "
            "Europe/Berlin or America/New_York. Days: daily, weekdays, weekends, mon-fri, "
            "mon,wed,fri. Topics: comma-separated ids from 'topics', or all."
        )
        return Reply(body, title="Help: schedule")
    if command and command in USAGE:
        usage, what = USAGE[command]
        return Reply(f"{prefix}{usage}\n{what}", title=f"Help: {command}")
    lines = [f"{prefix}{usage}\n    {what}" for usage, what in USAGE.values()]
    points = ", ".join(f"{d.value} {p}" for d, p in POINTS.items())
    body = (
        "\n".join(lines)
        + f"\n\nQuizzes take {MIN_QUIZ}-{MAX_QUIZ} questions. Points for a first attempt: {points}."
        "\nExample: quiz evaluation medium 5"
    )
    return Reply(body, title="Commands")


MIN_TEAM_TOPIC_ANSWERS = 5  # fewer answers say little about a team's strength in a topic


def team_stats(bank: QuestionBank, activity: TeamActivity, weeks: int) -> Reply:
    a = activity
    if not a.answers:
        return Reply(
            f"No answers in the last {weeks} weeks. A daily question gets a team going: "
            "'help schedule'.",
            title="Team stats",
        )
    rate = a.correct / a.answers
    trend = " → ".join(str(n) for n in a.active_by_week)
    lines = [
        f"Last {weeks} weeks: {a.active} of {a.members} members answered at least once; "
        f"{a.answers} answers, {rate:.0%} right.",
        f"People answering per week, oldest first: {trend}.",
    ]
    ranked = sorted(
        (t for t in a.topics if t.attempts >= MIN_TEAM_TOPIC_ANSWERS),
        key=lambda t: (-t.accuracy, -t.attempts, t.topic),
    )
    fields = []
    if ranked:

        def line(t: TopicStats) -> str:
            return f"{bank.title(t.topic)}: {t.accuracy:.0%} of {t.attempts}"

        n = min(3, max(1, len(ranked) // 2))  # no topic in both lists
        fields.append(Field("Strongest topics", "\n".join(map(line, ranked[:n]))))
        if len(ranked) > 1:
            fields.append(Field("Weakest topics", "\n".join(map(line, ranked[::-1][:n]))))
    else:
        lines.append(f"Topics need {MIN_TEAM_TOPIC_ANSWERS}+ answers before they are ranked.")
    return Reply(
        "\n".join(lines),
        title="Team stats",
        fields=tuple(fields),
        footer="Only admins see this. A weak topic makes a good daily-question topic: "
        "'schedule set here 09:00 <zone> mon-fri <topic>'.",
    )
