"""The Slack Web API client: base URL from the settings, retries for rate limits,
server errors and dropped connections."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

SLACK_API_URL = "https://slack.com/api/"
TIMEOUT_S = 15


def make_client(token: str, base_url: str | None = None) -> AsyncWebClient:
    """A client that waits out 429s (Retry-After, plus up to 1 s of jitter) and retries
    500/503 answers and connection errors a few times before giving up."""
    return AsyncWebClient(
        token=token,
        base_url=base_url or SLACK_API_URL,
        timeout=TIMEOUT_S,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )
