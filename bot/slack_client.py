"""The Web API client: base URL from SLACK_API_URL, retries on rate limits and connection errors."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from core.config import Settings


def make_client(settings: Settings, *, max_rate_limit_retries: int = 5) -> WebClient:
    """A WebClient for the bot token that honours Retry-After on HTTP 429."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=max_rate_limit_retries),
        ],
    )
