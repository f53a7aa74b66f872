"""The collector is set for a long run once the daily scheduler has started."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.app import running_daily
from bot.gc_tuning import GEN0_THRESHOLD
from bot.service import PracticeService
from tests.daily_fakes import FakePoster


@pytest.fixture
def gc_state() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
    gc.unfreeze()


async def test_start_up_freezes_what_it_built_and_raises_the_young_threshold(
    service: PracticeService, gc_state: None
):
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    async with running_daily(service, {"slack": FakePoster(service.clock)}) as engine:
        assert gc.get_threshold() == (GEN0_THRESHOLD, 10, 10)
        assert gc.get_freeze_count() > 0
        assert engine is service.daily.engine
