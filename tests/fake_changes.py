"""Waiting on a fake server's recorded state, shared by the Slack and Discord fakes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Changes:
    """Every change wakes every waiter; a waiter re-checks its condition, within a
    deadline, and a timeout names what it waited for (plus `context()`, if given)."""

    def __init__(self, name: str, context: Callable[[], str] | None = None) -> None:
        self._name = name
        self._context = context
        self._event = asyncio.Event()

    def notify(self) -> None:
        # Wake every waiter, then arm a fresh event for the next change.
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, ready: Callable[[], bool], seconds: float, what: str) -> None:
        try:
            async with asyncio.timeout(seconds):
                while not ready():
                    await self._event.wait()
        except TimeoutError:
            extra = f"; {self._context()}" if self._context else ""
            raise TimeoutError(
                f"{self._name}: timed out after {seconds} s waiting for {what}{extra}"
            ) from None
