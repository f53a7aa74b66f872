"""Mock interview rounds: time budgets, the end-of-round report and its replies.

Pure functions over bank questions and stored rows; bot/mock_desk.py does the I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot import views
from bot.bank import OpenQuestion, QuestionBank, QuestionModel
from bot.bank.rounds import MockKind
from bot.bank.schema import Difficulty, Kind
from bot.keypoints import Coverage, assess
from bot.replies import Button, Field, Reply
from bot.store.mocks import MockRound, PastRound, SlotTime
from bot.timeutil import local_date

# Minutes an interviewer would typically allow for one question of each kind.
_TECHNICAL_MINUTES = {Difficulty.EASY: 3, Difficulty.MEDIUM: 5, Difficulty.HARD: 7}
_DESIGN_MINUTES = {Difficulty.EASY: 10, Difficulty.MEDIUM: 12, Difficulty.HARD: 15}
SCENARIO_MINUTES = 8
BEHAVIORAL_MINUTES = 5
WEAK_BELOW = 0.5  # a topic whose answers covered less than half the key points

SHAPES = {
    MockKind.MIXED: "7 technical questions from different topics, easy to hard, then a "
    "scenario and a behavioral question",
    MockKind.TECHNICAL: "6 technical questions from different topics, easy to hard",
    MockKind.SYSTEM_DESIGN: "2 system design questions and a production scenario",
    MockKind.BEHAVIORAL: "4 behavioral questions; answer each with situation, task, action "
    "and result",
}


def budget_seconds(q: QuestionModel) -> int:
    if q.kind is Kind.BEHAVIORAL:
        minutes = BEHAVIORAL_MINUTES
    elif q.kind is Kind.SCENARIO:
        minutes = SCENARIO_MINUTES
    elif q.kind is Kind.SYSTEM_DESIGN:
        minutes = _DESIGN_MINUTES[q.difficulty]
    else:
        minutes = _TECHNICAL_MINUTES[q.difficulty]
    return minutes * 60


def clock(seconds: int) -> str:
    """90 -> '1m 30s', 3600 -> '60m'."""
    m, s = divmod(max(0, seconds), 60)
    if m and s:
        return f"{m}m {s:02d}s"
    return f"{m}m" if m else f"{s}s"


def minutes(seconds: int) -> str:
    return f"{round(seconds / 60)} min"


# --- during the round ---------------------------------------------------------------


def intro(kind: MockKind, questions: list[QuestionModel], replaced: str | None) -> Reply:
    total = sum(budget_seconds(q) for q in questions)
    body = (
        f"Mock interview, {kind.value}: {SHAPES[kind]}. Time budget: {minutes(total)} in all, "
        "shown with each question. Answer each one in writing as you would say it; the "
        "feedback comes in a report at the end. 'stop' pauses the round ('mock resume' "
        "carries on), 'skip' moves on."
    )
    if replaced:
        body += f" {replaced}"
    return Reply(body, title="Mock interview")


def used_seconds(times: list[SlotTime]) -> int:
    return sum(t.seconds for t in times)


def done_count(times: list[SlotTime]) -> int:
    return sum(1 for t in times if t.outcome)


def question(base: Reply, q: QuestionModel, slot: int, times: list[SlotTime]) -> Reply:
    """A quiz question reply (`base`) as a mock question: its budget and the round's."""
    budget = sum(t.budget_seconds for t in times)
    mine = times[slot].budget_seconds if slot < len(times) else budget_seconds(q)
    footer = (
        f"Aim for about {minutes(mine)}. Round time used: {minutes(used_seconds(times))} of "
        f"{minutes(budget)}. {views.answer_hint(q)}"
    )
    return replace(base, title="Mock · " + (base.title or ""), footer=footer)


def recorded(outcome: str, spent: SlotTime) -> Reply:
    took = f"{clock(spent.seconds)} of {minutes(spent.budget_seconds)}"
    if outcome == "skipped":
        return Reply(f"Skipped ({took}).")
    over = (
        " Over the budget: in the interview, keep to the main points."
        if (spent.seconds > spent.budget_seconds)
        else ""
    )
    return Reply(f"Answer recorded ({took}).{over}")


def unfinished(r: MockRound, times: list[SlotTime]) -> Reply:
    return Reply(
        f"You have an unfinished {r.kind} mock round ({done_count(times)} of {len(times)} "
        "questions done). Resume it or abandon it before starting another.\n"
        "Type 'mock resume' to carry on, or 'mock abandon' to drop it.",
        title="Mock interview",
        buttons=(
            Button("Resume", f"mr:{r.session_id}", "primary"),
            Button("Abandon", f"mx:{r.session_id}", "danger"),
        ),
    )


def paused(r: MockRound, times: list[SlotTime]) -> Reply:
    return Reply(
        f"Mock round paused after {done_count(times)} of {len(times)} questions "
        f"({minutes(used_seconds(times))} of {minutes(r.budget_seconds)} used; the clock is "
        "stopped). Type 'mock resume' to carry on, or 'mock abandon' to end it.",
        title="Mock interview",
    )


def resumed(r: MockRound, slot: int, times: list[SlotTime], closed_quiz: bool) -> Reply:
    body = (
        f"Resuming your {r.kind} mock round at question {slot + 1} of {len(times)} "
        f"({minutes(used_seconds(times))} of {minutes(r.budget_seconds)} used)."
    )
    if closed_quiz:
        body += " Your quiz in progress was closed."
    return Reply(body, title="Mock interview")


# --- the report -----------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    slot: int
    question: OpenQuestion | None  # None: removed from the bank since
    time: SlotTime
    coverage: Coverage | None  # None: skipped or not reached


@dataclass(frozen=True)
class Report:
    round: MockRound
    results: list[Result]
    previous: list[PastRound]  # earlier rounds of the same kind, newest first

    @property
    def answered(self) -> int:
        return sum(1 for r in self.results if r.coverage is not None)

    @property
    def mean_coverage(self) -> float:
        """Mean over every question of the round: a skipped one counts as 0."""
        if not self.results:
            return 0.0
        return sum(r.coverage.fraction for r in self.results if r.coverage) / len(self.results)

    def topic_scores(self) -> list[tuple[str, float]]:
        """(topic, mean coverage) for the round's topics, weakest first."""
        by_topic: dict[str, list[float]] = {}
        for r in self.results:
            if r.question is not None:
                topic = r.question.topic or "general"
                by_topic.setdefault(topic, []).append(r.coverage.fraction if r.coverage else 0.0)
        scores = [(t, sum(v) / len(v)) for t, v in by_topic.items()]
        return sorted(scores, key=lambda s: (s[1], s[0]))

    def to_practise(self) -> list[str]:
        return [t for t, score in self.topic_scores() if score < WEAK_BELOW]


def build_report(
    bank: QuestionBank,
    r: MockRound,
    times: list[SlotTime],
    answers: dict[int, str],
    previous: list[PastRound],
) -> Report:
    results = []
    for t in times:
        q = bank.get(t.question_id)
        oq = q if isinstance(q, OpenQuestion) else None
        text = answers.get(t.slot)
        coverage = assess(text, oq.key_points, oq.misconceptions) if oq and text else None
        results.append(Result(t.slot, oq, t, coverage))
    earlier = [p for p in previous if p.session_id != r.session_id and p.coverage is not None]
    return Report(r, results, earlier)


def _comparison(report: Report) -> str:
    now = report.mean_coverage
    kind = report.round.kind
    if not report.previous:
        return f"This is your first {kind} round: the next report will compare against it."
    last = report.previous[0]
    best = max(p.coverage or 0.0 for p in report.previous)
    delta = round((now - (last.coverage or 0.0)) * 100)
    trend = f"{delta:+d} points on your last" if delta else "level with your last"
    rounds = "round" if len(report.previous) == 1 else "rounds"
    return (
        f"Compared with your {len(report.previous)} earlier {kind} {rounds}: this one "
        f"{now:.0%} ({trend}, {last.coverage:.0%}); your best {best:.0%}. "
        f"Time: {minutes(used_seconds([x.time for x in report.results]))} this round, "
        f"{minutes(last.seconds)} last time."
    )


def report_reply(bank: QuestionBank, report: Report, timezone: str) -> Reply:
    r = report.round
    total = len(report.results)
    used = used_seconds([x.time for x in report.results])
    covered = sum(len(x.coverage.covered) for x in report.results if x.coverage)
    points = sum(len(x.question.key_points) for x in report.results if x.question is not None)
    head = {"finished": "Round complete.", "abandoned": "Round abandoned."}.get(r.status, "")
    lines = [
        f"{head} {report.answered} of {total} questions answered in {minutes(used)} "
        f"(budget {minutes(r.budget_seconds)}). Key points covered: {covered} of {points} "
        f"({report.mean_coverage:.0%} per question on average).".strip(),
        _comparison(report),
    ]
    weak = report.to_practise()
    if weak:
        names = ", ".join(bank.title(t) for t in weak)
        lines.append(f"Topics to practise: {names}. Try: practice {weak[0]}")
    elif report.answered:
        topic, score = report.topic_scores()[0]
        lines.append(
            f"No topic fell below half the key points; your lowest was {bank.title(topic)} "
            f"({score:.0%})."
        )
    fields = []
    for x in report.results:
        q = x.question
        name = f"{x.slot + 1}. " + (
            f"{bank.title(q.topic or '')} · {q.difficulty.value}" if q else "(question removed)"
        )
        name += f" · {clock(x.time.seconds)} of {minutes(x.time.budget_seconds)}"
        if x.coverage is None:
            value = "Skipped." if x.time.outcome == "skipped" else "Not reached."
            if q is not None:
                value += " Key points: " + "; ".join(kp.point for kp in q.key_points) + "."
        else:
            value = views.coverage_summary(x.coverage, q.kind if q else None)
            for m in x.coverage.misconceptions:
                value += f"\nWorth a second look: {m.mistake}. {m.correction}"
        fields.append(Field(name, value))
    day = local_date(r.started_at, timezone)
    return Reply(
        "\n".join(lines),
        title=f"Mock interview report · {r.kind} · {day.isoformat()}",
        fields=tuple(fields),
        footer="'mock history' lists your rounds; 'mock' starts another.",
    )


def history(rounds: list[PastRound], timezone: str) -> Reply:
    if not rounds:
        return Reply(
            "No mock rounds yet. Start one with: mock [mixed|technical|system-design|behavioral]",
            title="Mock history",
        )
    lines = []
    for p in rounds:
        cov = f"{p.coverage:.0%} of key points" if p.coverage is not None else "nothing answered"
        lines.append(
            f"{local_date(p.started_at, timezone).isoformat()}  {p.kind:<13} {p.status:<9} "
            f"{p.answered}/{p.questions} answered  {cov}  "
            f"{minutes(p.seconds)} of {minutes(p.budget_seconds)}"
        )
    return Reply("\n".join(lines), title="Mock history (newest first)", preformatted=True)
