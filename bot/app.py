"""Wiring shared by every entry point: settings -> question bank -> database -> service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.bank import QuestionBank, builtin_content_dir
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.service import PracticeService
from bot.store import Database


def load_bank(settings: Settings) -> QuestionBank:
    return QuestionBank.load(settings.content_dirs(builtin_content_dir()))


@asynccontextmanager
async def open_service(
    settings: Settings, clock: Clock | None = None, command_prefix: str = ""
) -> AsyncIterator[PracticeService]:
    bank = load_bank(settings)
    db = await Database.open(settings.database_path)
    try:
        yield PracticeService(
            db,
            bank,
            clock or SystemClock(),
            default_timezone=settings.timezone,
            command_prefix=command_prefix,
        )
    finally:
        await db.close()
