"""Run the platforms whose tokens are set, in one process, around one scheduler.

Each platform opens a session first (checks its token: a wrong one is one clear line
at start-up), then the daily-question scheduler starts with every platform's poster,
then each platform starts taking events. SIGTERM or Ctrl-C stops them in reverse.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import AbstractAsyncContextManager, AsyncExitStack, suppress
from typing import Protocol

from bot.app import running_daily
from bot.daily.port import Poster
from bot.service import PracticeService

log = logging.getLogger(__name__)


class PlatformStopped(Exception):
    """A platform's connection ended by itself for good (the message says why)."""


class Platform(Protocol):
    name: str  # the Who.platform its users have, and the key of its poster

    def session(self) -> AbstractAsyncContextManager[Poster]:
        """Log in (raise ConfigurationError on a bad token); yield the poster."""
        ...

    def serving(self) -> AbstractAsyncContextManager[asyncio.Future[None]]:
        """Take events until the block exits; the future ends if the platform stops by
        itself (its exception, if any, stops the process)."""
        ...


async def serve(service: PracticeService, platforms: list[Platform]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError, RuntimeError):  # not on Windows
            loop.add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as stack:
        posters = {p.name: await stack.enter_async_context(p.session()) for p in platforms}
        await stack.enter_async_context(running_daily(service, posters))
        ends = [await stack.enter_async_context(p.serving()) for p in platforms]
        stopper = asyncio.ensure_future(stop.wait())
        try:
            done, _ = await asyncio.wait([stopper, *ends], return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
        for end in ends:
            if end in done and not end.cancelled() and (failure := end.exception()):
                raise failure
