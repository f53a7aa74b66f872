"""One text-command parser, shared by Slack's /prep and the console.

`parse("quiz evaluation hard 5")` returns a command dataclass, or a UsageError that
says what was wrong and what to type instead.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import time

from bot.bank.rounds import MockKind
from bot.bank.schema import Difficulty
from bot.daily.spec import (
    ScheduleSpec,
    SpecError,
    parse_reveal_hours,
    parse_schedule,
    parse_time,
    parse_weekday,
)
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
class Practice:
    topic: str | None = None


@dataclass(frozen=True)
class Mock:
    kind: MockKind = MockKind.MIXED


@dataclass(frozen=True)
class MockResume:
    pass


@dataclass(frozen=True)
class MockAbandon:
    pass


@dataclass(frozen=True)
class MockHistory:
    pass


@dataclass(frozen=True)
class StatsTeam:
    pass


@dataclass(frozen=True)
class MeExport:
    pass


@dataclass(frozen=True)
class MeDelete:
    code: str | None = None  # None: ask for confirmation; else the code from that request


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
class ScheduleSet:
    spec: ScheduleSpec


@dataclass(frozen=True)
class ScheduleShow:
    pass


@dataclass(frozen=True)
class ScheduleOff:
    channel: str


@dataclass(frozen=True)
class ScheduleResume:
    channel: str


@dataclass(frozen=True)
class ScheduleReveal:
    channel: str
    hours: int | None  # None: when the next question posts (at most 24 h)


@dataclass(frozen=True)
class ScheduleRecap:
    channel: str
    weekday: str | None  # None: recap off
    at: time | None = None


@dataclass(frozen=True)
class Daily:
    pass


@dataclass(frozen=True)
class DailyAnswer:
    text: str


@dataclass(frozen=True)
class UsageError:
    message: str
    usage: str | None = None
    unknown_command: bool = False


Command = (
    Help
    | Quiz
    | Practice
    | Mock
    | MockResume
    | MockAbandon
    | MockHistory
    | StatsTeam
    | MeExport
    | MeDelete
    | Answer
    | Rate
    | Skip
    | Stop
    | Leaderboard
    | StreakCmd
    | Stats
    | Topics
    | ScheduleSet
    | ScheduleShow
    | ScheduleOff
    | ScheduleResume
    | ScheduleReveal
    | ScheduleRecap
    | Daily
    | DailyAnswer
)

# Commands only admins may run: adapters look up admin rights (a platform call) only
# for these.
ADMIN_COMMANDS = (
    ScheduleSet,
    ScheduleOff,
    ScheduleResume,
    ScheduleReveal,
    ScheduleRecap,
    StatsTeam,
)


def needs_admin(command: Command | UsageError) -> bool:
    return isinstance(command, ADMIN_COMMANDS)


RATINGS = {"again": 1, "hard": 2, "good": 3, "easy": 4}

USAGE: dict[str, tuple[str, str]] = {
    "quiz": (
        "quiz [topic] [easy|medium|hard] [count 1-20]",
        "start a quiz, one question at a time",
    ),
    "practice": (
        "practice [topic]",
        "spaced repetition: your due reviews first, then new questions from weak topics",
    ),
    "mock": (
        "mock [mixed|technical|system-design|behavioral] | mock resume|abandon|history",
        "a timed mock interview round in writing, with a report at the end",
    ),
    "answer": ("answer <your answer>", "answer the open question in front of you in writing"),
    "rate": ("rate again|hard|good|easy", "say how well you knew it, to schedule a review"),
    "skip": ("skip", "skip the current question"),
    "stop": ("stop", "end the quiz and see your score"),
    "leaderboard": ("leaderboard [week|month|all]", "team standings (this week by default)"),
    "streak": ("streak", "your current and longest streak, and freezes held"),
    "stats": (
        "stats [team]",
        "your accuracy by topic and activity chart; 'stats team': the team's (admins)",
    ),
    "me": ("me export | me delete", "get your data as a JSON file, or delete it from this team"),
    "topics": ("topics", "the topics you can quiz on"),
    "daily": (
        "daily [answer <your answer>]",
        "this channel's daily question again; answer a written one",
    ),
    "schedule": (
        "schedule set|show|off|resume|reveal|recap ...",
        "the channel's daily question (changes: admins only; 'help schedule')",
    ),
    "help": ("help [command]", "this list, or help on one command"),
}

# 'help schedule' lists these; 'here' names the channel the command is typed in.
SCHEDULE_USAGE: dict[str, tuple[str, str]] = {
    "set": (
        "schedule set <channel> <HH:MM> <time zone> [days] [topics] [difficulty]",
        "post a daily question, e.g. schedule set here 09:00 Europe/Berlin mon-fri "
        "evaluation,sql mixed (difficulty: easy, medium, hard or mixed = easy early in "
        "the week, hard late)",
    ),
    "show": ("schedule show", "every channel's schedule and its next post"),
    "off": ("schedule off <channel>", "stop the daily question (history is kept)"),
    "resume": ("schedule resume <channel>", "restart a schedule the bot paused"),
    "reveal": (
        "schedule reveal <channel> <hours 1-168|next>",
        "when the answer is revealed; 'next' (the default) reveals when the next question "
        "posts, at most 24 h later",
    ),
    "recap": (
        "schedule recap <channel> <weekday> <HH:MM> | schedule recap <channel> off",
        "a weekly recap: top 5, longest streaks, participation",
    ),
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
    "review": "practice",
    "interview": "mock",
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
    if name == "practice":
        if len(args) > 1:
            return UsageError("Give one topic at most.", USAGE["practice"][0])
        return Practice(args[0].lower() if args else None)
    if name == "mock":
        return _parse_mock(args)
    if name == "stats":
        if not args:
            return Stats()
        if len(args) == 1 and args[0].lower() in ("team", "teams", "server", "workspace"):
            return StatsTeam()
        return UsageError("'stats' takes nothing, or 'team'.", USAGE["stats"][0])
    if name == "me":
        return _parse_me(args)
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
    if name == "schedule":
        return _parse_schedule(args)
    if name == "daily":
        if not args:
            return Daily()
        if args[0].lower() == "answer":
            text = rest.split(None, 1)[1].strip() if len(rest.split(None, 1)) > 1 else ""
            if text:
                return DailyAnswer(text)
            return UsageError("Type your answer after 'daily answer'.", USAGE["daily"][0])
        return UsageError(
            "'daily' shows this channel's question; to answer in writing type "
            "'daily answer <your answer>'.",
            USAGE["daily"][0],
        )
    simple: dict[str, Command] = {
        "skip": Skip(),
        "stop": Stop(),
        "streak": StreakCmd(),
        "topics": Topics(),
    }
    if name in simple:
        if args:
            return UsageError(f"'{name}' takes no arguments.", USAGE[name][0])
        return simple[name]
    return UsageError(f"Unknown command '{head[:40]}'.", unknown_command=True)


_MOCK_KINDS = {
    **{k.value: k for k in MockKind},
    "mix": MockKind.MIXED,
    "tech": MockKind.TECHNICAL,
    "design": MockKind.SYSTEM_DESIGN,
    "system": MockKind.SYSTEM_DESIGN,
    "sd": MockKind.SYSTEM_DESIGN,
    "systemdesign": MockKind.SYSTEM_DESIGN,
    "system_design": MockKind.SYSTEM_DESIGN,
    "behavioural": MockKind.BEHAVIORAL,
    "behavior": MockKind.BEHAVIORAL,
    "behaviour": MockKind.BEHAVIORAL,
}
_MOCK_ACTIONS: dict[str, Command] = {
    "resume": MockResume(),
    "continue": MockResume(),
    "abandon": MockAbandon(),
    "quit": MockAbandon(),
    "drop": MockAbandon(),
    "history": MockHistory(),
}


def _parse_mock(args: list[str]) -> Command | UsageError:
    usage = USAGE["mock"][0]
    word = "-".join(args).lower()  # "system design" -> "system-design"
    if not word:
        return Mock()
    if word in _MOCK_KINDS:
        return Mock(_MOCK_KINDS[word])
    if word in _MOCK_ACTIONS:
        return _MOCK_ACTIONS[word]
    kinds = ", ".join(k.value for k in MockKind)
    return UsageError(
        f"'{' '.join(args)[:40]}' is not a kind of mock round. Kinds: {kinds}; "
        "or: mock resume, mock abandon, mock history.",
        usage,
    )


def _parse_me(args: list[str]) -> Command | UsageError:
    usage = USAGE["me"][0]
    sub = args[0].lower() if args else ""
    if sub == "export" and len(args) == 1:
        return MeExport()
    if sub in ("delete", "forget", "erase") and len(args) <= 2:
        return MeDelete(args[1] if len(args) == 2 else None)
    return UsageError("Say what to do with your data: 'me export' or 'me delete'.", usage)


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


def _parse_schedule(args: list[str]) -> Command | UsageError:
    sub = args[0].lower() if args else ""
    rest = args[1:]
    if sub not in SCHEDULE_USAGE:
        listed = ", ".join(SCHEDULE_USAGE)
        got = f"'{args[0][:40]}' is not" if args else "Say which"
        return UsageError(f"{got} a schedule command; use one of: {listed}.", USAGE["schedule"][0])
    usage = SCHEDULE_USAGE[sub][0]
    try:
        if sub == "show":
            if rest:
                return UsageError("'schedule show' takes no arguments.", usage)
            return ScheduleShow()
        if sub == "set":
            return ScheduleSet(parse_schedule(rest))
        if not rest:
            return UsageError("Name the channel ('here' for this one).", usage)
        channel, extra = rest[0], rest[1:]
        if sub in ("off", "resume"):
            if extra:
                return UsageError(f"'schedule {sub}' takes only the channel.", usage)
            return ScheduleOff(channel) if sub == "off" else ScheduleResume(channel)
        if sub == "reveal":
            if len(extra) != 1:
                return UsageError("Give the channel and a number of hours, or 'next'.", usage)
            if extra[0].lower() in ("next", "default", "auto"):
                return ScheduleReveal(channel, None)
            return ScheduleReveal(channel, parse_reveal_hours(extra[0]))
        if len(extra) == 1 and extra[0].lower() == "off":
            return ScheduleRecap(channel, None)
        if len(extra) != 2:
            return UsageError("Give the channel, a weekday and a time, or 'off'.", usage)
        return ScheduleRecap(channel, parse_weekday(extra[0]), parse_time(extra[1]))
    except SpecError as exc:
        return UsageError(str(exc), usage)
