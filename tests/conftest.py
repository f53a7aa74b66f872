from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bank import QuestionBank
from bot.clock import ManualClock
from bot.domain import Who
from bot.service import PracticeService
from bot.store import Database

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def bank() -> QuestionBank:
    return QuestionBank.load([FIXTURES / "bank"])


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 4, 12, 0, tzinfo=UTC))  # a Wednesday


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "test.db")
    yield database
    await database.close()


@pytest.fixture
def service(db: Database, bank: QuestionBank, clock: ManualClock) -> PracticeService:
    return PracticeService(db, bank, clock, rng=random.Random(7))


def who(user: str = "u1", team: str = "t1", name: str | None = None) -> Who:
    return Who("slack", team, user, display_name=name or user)
