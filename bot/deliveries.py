"""Remember which platform deliveries were already handled.

Platforms may deliver the same event twice (Slack retries a delivery it thinks went
unanswered; a Discord gateway resume can replay an event). Scoring is idempotent in the
core anyway; this keeps a repeat from producing a second, confusing reply.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

SEEN_TTL_S = 600.0
SEEN_MAX = 20_000


class Deliveries:
    """Delivery ids seen in the last `ttl` seconds (at most `limit`, oldest dropped first)."""

    def __init__(
        self,
        ttl: float = SEEN_TTL_S,
        limit: int = SEEN_MAX,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl, self.limit, self.clock = ttl, limit, clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, key: str) -> bool:
        now = self.clock()
        while self._seen and (
            len(self._seen) >= self.limit or next(iter(self._seen.values())) < now - self.ttl
        ):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True
