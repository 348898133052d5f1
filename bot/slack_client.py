"""The Web API client (SLACK_API_URL, retries on rate limits) and the email lookup surfaces share."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from core.config import Settings

log = logging.getLogger(__name__)


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


def user_resolver(client: WebClient | None) -> Callable[[str], str | None]:
    """Map an email to a Slack user ID with users.lookupByEmail (None without Slack or when unknown)."""
    cache: dict[str, str | None] = {}

    def resolve(email: str) -> str | None:
        if client is None:
            return None
        if email not in cache:
            try:
                cache[email] = client.users_lookupByEmail(email=email)["user"]["id"]
            except SlackApiError as exc:
                log.warning("cannot resolve %s in Slack: %s", email, exc.response.get("error"))
                cache[email] = None
        return cache[email]

    return resolve


# --- risks and suppliers (issue 24): owners must be members of the workspace ---
def person_resolver(client: WebClient | None) -> Callable[[str], str | None]:
    """Map an email or user ID to a Slack user ID of an active member, or None when not one.

    Without a Slack client a user ID is taken as written and an email cannot be looked up."""
    by_email = user_resolver(client)

    def resolve(person: str) -> str | None:
        if "@" in person:
            return by_email(person)
        if client is None:
            return person
        try:
            user = client.users_info(user=person)["user"]
        except SlackApiError as exc:
            log.warning("cannot find %s in Slack: %s", person, exc.response.get("error"))
            return None
        return None if user.get("deleted") else str(user["id"])

    return resolve
