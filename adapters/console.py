"""The terminal adapter: the same commands as Slack, with numbered buttons.

Works interactively and with piped standard input (no prompt noise, clean exit at
end of input), so scripts and tests can drive it.
"""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.app import running_daily
from bot.daily.port import PostFailed
from bot.domain import Who
from bot.replies import Button, Reply, TextPrompt
from bot.service import PracticeService

CHANNEL = "console"

# With a written answer pending, these bare words are still commands (anything else is the answer).
_COMMAND_WORDS = {
    "help",
    "skip",
    "stop",
    "stats",
    "streak",
    "topics",
    "leaderboard",
    "quit",
    "exit",
}
# Commands that take arguments and still work with a written answer pending.
_COMMAND_HEADS = {"daily", "schedule", "quiz", "practice", "mock", "me"}
# Commands that end or replace the round in front of the person: the pending answer goes.
_ROUND_HEADS = {"stop", "end", "quiz", "practice", "mock"}


def console_identity() -> Who:
    name = os.environ.get("USER") or os.environ.get("USERNAME") or "you"
    return Who("console", "local", name, display_name=name, channel_id=CHANNEL, is_admin=True)


def render(reply: Reply, width: int = 78, buttons: bool = True) -> str:
    out: list[str] = []
    if reply.title:
        out.append(f"== {reply.title} ==")
    for para in reply.body.split("\n"):
        out.append(textwrap.fill(para, width) if len(para) > width else para)
    for f in reply.fields:
        out.append(f"{f.name}:")
        for line in f.value.split("\n"):
            out.append(textwrap.fill(line, width, initial_indent="  ", subsequent_indent="    "))
    for i, b in enumerate(reply.buttons, start=1):
        label = f"{i}) {b.label}" if buttons else f"   {b.label}"
        out.append(textwrap.fill(label, width, subsequent_indent="   "))
    if buttons and reply.text_prompt is not None:
        out.append("(Type your answer on one line. 'skip' moves on, 'help' lists commands.)")
    elif buttons and reply.buttons:
        out.append(f"(Type a number 1-{len(reply.buttons)}.)")
    if reply.footer:
        out.append(textwrap.fill(reply.footer, width))
    return "\n".join(out)


def save_files(reply: Reply, directory: Path) -> list[Path]:
    """Write a reply's files (a chart, an export) where the person can open them."""
    saved = []
    for f in reply.files:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / Path(f.filename).name  # never a path from elsewhere
        path.write_bytes(f.data)
        saved.append(path.resolve())
    return saved


class ConsoleSession:
    def __init__(
        self,
        service: PracticeService,
        who: Who,
        out: TextIO,
        interactive: bool = False,
        files_dir: Path = Path("files"),
    ) -> None:
        self.service = service
        self.who = who
        self.out = out
        self.interactive = interactive
        self.files_dir = files_dir
        self.buttons: Sequence[Button] = ()
        self.prompt: TextPrompt | None = None
        self._lock = asyncio.Lock()

    def announce(self, header: str, reply: Reply, hint: str | None = None) -> None:
        """Something the scheduler posted. It never takes over the input: a quiz in
        progress keeps its numbered buttons, and 'daily' brings the question up to answer."""
        self.out.write(f"\n[{header}]\n{render(reply, buttons=False)}\n")
        if hint:
            self.out.write(f"{hint}\n")
        self.out.write("\n> " if self.interactive else "\n")
        self.out.flush()

    def show(self, replies: Sequence[Reply]) -> None:
        for reply in replies:
            text = render(reply)
            for path in save_files(reply, self.files_dir):
                text += f"\nSaved: {path}"
            self.out.write(text + "\n\n")
        self.out.flush()
        interactive = [r for r in replies if r.buttons or r.text_prompt]
        if interactive:
            self.buttons = interactive[-1].buttons
            self.prompt = interactive[-1].text_prompt

    async def handle_line(self, line: str) -> bool:
        """Handle one input line; False means the user asked to quit."""
        stripped = line.strip()
        word = stripped.lower()
        if word in {"quit", "exit"}:
            return False
        async with self._lock:
            replies = await self._dispatch(line, stripped, word)
        if replies:
            self.show(replies)
        return True

    async def _dispatch(self, line: str, stripped: str, word: str) -> list[Reply]:
        head = word.split(" ", 1)[0]
        is_command = word in _COMMAND_WORDS or head in _COMMAND_HEADS or stripped.startswith("/")
        if is_command and head in _ROUND_HEADS:
            self.prompt, self.buttons = None, ()
        if self.prompt is not None and not is_command:
            prompt = self.prompt
            if stripped.isdigit() and self.buttons and 1 <= int(stripped) <= len(self.buttons):
                return await self._press(self.buttons[int(stripped) - 1])
            return await self.service.handle_action(self.who, prompt.action_id, line.rstrip("\r\n"))
        if self.buttons:
            if stripped.isdigit() and 1 <= int(stripped) <= len(self.buttons):
                return await self._press(self.buttons[int(stripped) - 1])
            for b in self.buttons:
                if word and word == b.label.lower():
                    return await self._press(b)
        if not stripped:
            return []
        return await self.service.handle_text(self.who, stripped.lstrip("/"))

    async def _press(self, button: Button) -> list[Reply]:
        self.prompt = None
        return await self.service.handle_action(self.who, button.action_id)


class ConsolePoster:
    """The posting port for the terminal: the console is one channel, named 'console'."""

    def __init__(self, session: ConsoleSession) -> None:
        self.session = session
        self.count = 0

    async def check_channel(self, team_id: str, channel_id: str) -> None:
        if channel_id != CHANNEL:
            raise PostFailed(
                f"the console has one channel, '{CHANNEL}' (or type 'here')", permanent=True
            )

    def _ref(self) -> str:
        self.count += 1
        return f"console-{self.count}"

    async def post(self, team_id: str, channel_id: str, reply: Reply) -> str:
        await self.check_channel(team_id, channel_id)
        daily = reply.buttons or reply.text_prompt
        hint = "Type 'daily' to answer it." if daily else None
        self.session.announce(f"#{channel_id}", reply, hint)
        return self._ref()

    async def reply(self, team_id: str, channel_id: str, message_ref: str, reply: Reply) -> str:
        await self.check_channel(team_id, channel_id)
        self.session.announce(f"#{channel_id} · in reply to the daily question", reply)
        return self._ref()

    async def notify(self, team_id: str, user_id: str, reply: Reply) -> None:
        self.session.announce(f"private note to {user_id}", reply)


def _start_reader(loop: asyncio.AbstractEventLoop, stream: TextIO) -> asyncio.Queue[str | None]:
    """Read lines on a daemon thread so Ctrl-C and shutdown never wait on a blocked read."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        try:
            for line in stream:
                loop.call_soon_threadsafe(queue.put_nowait, line)
        except (OSError, ValueError, UnicodeDecodeError):
            pass
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="console-stdin", daemon=True).start()
    return queue


async def run_console(
    service: PracticeService,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    who: Who | None = None,
    files_dir: Path = Path("files"),
) -> None:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    session = ConsoleSession(service, who or console_identity(), stdout, interactive, files_dir)
    if interactive:
        stdout.write(
            "mlprep console. Type 'help' for commands, 'quiz' to start, 'quit' to leave.\n"
            "Daily questions: schedule set here <HH:MM> <time zone> posts one here.\n\n"
        )
    async with running_daily(service, {"console": ConsolePoster(session)}):
        queue = _start_reader(asyncio.get_running_loop(), stdin)
        while True:
            if interactive:
                stdout.write("> ")
                stdout.flush()
            line = await queue.get()
            if line is None:
                break
            if not await session.handle_line(line):
                break
    if interactive:
        stdout.write("Bye. Your progress is saved.\n")
