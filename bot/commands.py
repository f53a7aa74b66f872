"""One text-command parser, shared by Slack's /prep and the console.

`parse("quiz evaluation hard 5")` returns a command dataclass, or a UsageError that
says what was wrong and what to type instead.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from bot.bank.schema import Difficulty
from bot.domain import DEFAULT_QUIZ, MAX_QUIZ, MIN_QUIZ
from bot.leaderboard import Period


@dataclass(frozen=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True)
class Quiz:
    topic: str | None = None
    difficulty: Difficulty | None = None
    count: int = DEFAULT_QUIZ


@dataclass(frozen=True)
class Answer:
    text: str


@dataclass(frozen=True)
class Rate:
    rating: int  # 1 Again, 2 Hard, 3 Good, 4 Easy (fsrs's numbering)


@dataclass(frozen=True)
class Skip:
    pass


@dataclass(frozen=True)
class Stop:
    pass


@dataclass(frozen=True)
class Leaderboard:
    period: Period = Period.WEEK


@dataclass(frozen=True)
class StreakCmd:
    pass


@dataclass(frozen=True)
class Stats:
    pass


@dataclass(frozen=True)
class Topics:
    pass


@dataclass(frozen=True)
class UsageError:
    message: str
    usage: str | None = None
    unknown_command: bool = False


Command = Help | Quiz | Answer | Rate | Skip | Stop | Leaderboard | StreakCmd | Stats | Topics

RATINGS = {"again": 1, "hard": 2, "good": 3, "easy": 4}

USAGE: dict[str, tuple[str, str]] = {
    "quiz": (
        "quiz [topic] [easy|medium|hard] [count 1-20]",
        "start a quiz, one question at a time",
    ),
    "answer": ("answer <your answer>", "answer the open question in front of you in writing"),
    "rate": ("rate again|hard|good|easy", "say how well you knew it, to schedule a review"),
    "skip": ("skip", "skip the current question"),
    "stop": ("stop", "end the quiz and see your score"),
    "leaderboard": ("leaderboard [week|month|all]", "team standings (this week by default)"),
    "streak": ("streak", "your current and longest streak, and freezes held"),
    "stats": ("stats", "your accuracy by topic, attempts and points"),
    "topics": ("topics", "the topics you can quiz on"),
    "help": ("help [command]", "this list, or help on one command"),
}

_ALIASES = {
    "lb": "leaderboard",
    "top": "leaderboard",
    "board": "leaderboard",
    "streaks": "streak",
    "stat": "stats",
    "topic": "topics",
    "end": "stop",
    "next": "skip",
    "?": "help",
}
_PERIODS = {
    "week": Period.WEEK,
    "weekly": Period.WEEK,
    "month": Period.MONTH,
    "monthly": Period.MONTH,
    "all": Period.ALL,
    "alltime": Period.ALL,
    "all-time": Period.ALL,
    "ever": Period.ALL,
}


def command_names() -> list[str]:
    return list(USAGE)


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unbalanced quote: fall back to whitespace
        return text.split()


def parse(text: str) -> Command | UsageError:
    text = text.strip()
    for prefix in ("/prep", "prep"):
        if text.lower() == prefix or text.lower().startswith(prefix + " "):
            text = text[len(prefix) :].strip()
            break
    if not text:
        return Help()
    head, _, rest = text.partition(" ")
    name = head.lower().lstrip("/")
    name = _ALIASES.get(name, name)
    rest = rest.strip()
    args = _split(rest) if rest else []

    if name == "help":
        return Help(args[0].lower() if args else None)
    if name == "quiz":
        return _parse_quiz(args)
    if name == "answer":
        return (
            Answer(rest)
            if rest
            else UsageError("Type your answer after 'answer'.", USAGE["answer"][0])
        )
    if name == "rate":
        if len(args) == 1 and args[0].lower() in RATINGS:
            return Rate(RATINGS[args[0].lower()])
        return UsageError("Rate with one of: again, hard, good, easy.", USAGE["rate"][0])
    if name == "leaderboard":
        if not args:
            return Leaderboard()
        period = _PERIODS.get(args[0].lower())
        if period is None or len(args) > 1:
            return UsageError(
                f"'{rest}' is not a leaderboard period; choose week, month or all.",
                USAGE["leaderboard"][0],
            )
        return Leaderboard(period)
    simple: dict[str, Command] = {
        "skip": Skip(),
        "stop": Stop(),
        "streak": StreakCmd(),
        "stats": Stats(),
        "topics": Topics(),
    }
    if name in simple:
        if args:
            return UsageError(f"'{name}' takes no arguments.", USAGE[name][0])
        return simple[name]
    return UsageError(f"Unknown command '{head[:40]}'.", unknown_command=True)


def _parse_quiz(args: list[str]) -> Quiz | UsageError:
    topic: str | None = None
    difficulty: Difficulty | None = None
    count = DEFAULT_QUIZ
    usage = USAGE["quiz"][0]
    for arg in args:
        low = arg.lower()
        if low in {d.value for d in Difficulty}:
            difficulty = Difficulty(low)
        elif low.lstrip("+-").isdigit():
            count = int(low)
            if not MIN_QUIZ <= count <= MAX_QUIZ:
                return UsageError(
                    f"A quiz can have {MIN_QUIZ} to {MAX_QUIZ} questions, not {count}.", usage
                )
        elif topic is None:
            topic = low
        else:
            return UsageError(f"Give one topic only (got '{topic}' and '{arg}').", usage)
    return Quiz(topic, difficulty, count)
