"""The Web API client (SLACK_API_URL, retries on rate limits) and the email lookup surfaces share."""

from __future__ import annotations

import logging
from collections.abc import Callable
from http.client import RemoteDisconnected
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import RandomJitter
from slack_sdk.http_retry.response import HttpResponse

from core.config import Settings

log = logging.getLogger(__name__)

# Slack's 5xx and dropped or timed-out connections are retried after 0.5, 1, 2 and 4 s, each plus up
# to a second of random jitter (so replicas do not retry in step): about 10 s of outage is ridden out.
OUTAGE_RETRIES = 4
BACKOFF = BackoffRetryIntervalCalculator(backoff_factor=0.5, jitter=RandomJitter())
# TimeoutError: Slack accepted the connection but did not answer within the client's timeout.
CONNECTION_ERRORS: list[type[Exception]] = [
    URLError,
    ConnectionResetError,
    RemoteDisconnected,
    TimeoutError,
]


class ServerErrorsRetryHandler(ServerErrorRetryHandler):
    """Retries every 5xx (slack-sdk's own handler retries only 500 and 503)."""

    def _can_retry(self, *, response: HttpResponse | None = None, **_: Any) -> bool:
        return response is not None and 500 <= response.status_code < 600


def make_client(settings: Settings, *, max_rate_limit_retries: int = 5) -> WebClient:
    """A WebClient for the bot token: Retry-After on 429, backoff with jitter on 5xx and timeouts."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(
                max_retry_count=OUTAGE_RETRIES,
                interval_calculator=BACKOFF,
                error_types=CONNECTION_ERRORS,
            ),
            ServerErrorsRetryHandler(max_retry_count=OUTAGE_RETRIES, interval_calculator=BACKOFF),
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
