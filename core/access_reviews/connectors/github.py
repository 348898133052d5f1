"""GitHub organisation accounts through PyGithub: members, outside collaborators, owners privileged."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
from github import (
    Auth,
    BadCredentialsException,
    Github,
    GithubException,
    RateLimitExceededException,
)

from core.access_reviews.connectors import ConnectorError, wait_or_stop
from core.access_reviews.files import AccountRow
from core.config import Settings


@dataclass
class GitHubConnector:
    """Lists an organisation's members (owners as privileged) and outside collaborators."""

    org: str
    token: str
    api_url: str = "https://api.github.com"
    timeout: float = 30.0
    max_wait: int = 60
    sleep: Callable[[float], None] = field(default=time.sleep)
    name: str = "github"

    @classmethod
    def from_settings(cls, settings: Settings) -> GitHubConnector:
        """The connector GITHUB_ORG, GITHUB_TOKEN and GITHUB_API_URL describe."""
        if not settings.github_org or settings.github_token is None:
            raise ConnectorError("Set GITHUB_ORG and GITHUB_TOKEN to pull the github system.")
        return cls(
            org=settings.github_org,
            token=settings.github_token.get_secret_value(),
            api_url=settings.github_api_url,
            timeout=settings.connector_timeout_seconds,
            max_wait=settings.connector_max_wait_seconds,
        )

    @property
    def source(self) -> str:
        """What the snapshot records as its source."""
        return f"github:{self.org}"

    def pull(self) -> list[AccountRow]:
        """Every account, read once; a rate limit that clears soon is waited out and retried once."""
        try:
            return self._pull()
        except _RateLimited as limited:
            exc = limited.exc
            wait_or_stop(_reset_in(exc), self.max_wait, self.sleep, self._limited(exc))
        try:
            return self._pull()
        except _RateLimited as limited:
            raise ConnectorError(self._limited(limited.exc)) from None

    def _pull(self) -> list[AccountRow]:
        client = Github(
            auth=Auth.Token(self.token),
            base_url=self.api_url,
            timeout=max(1, math.ceil(self.timeout)),
            per_page=100,
            retry=None,
        )
        try:
            org = client.get_organization(self.org)
            owners = {m.login for m in org.get_members(role="admin")}
            rows = [
                AccountRow(
                    account_id=m.login,
                    role="owner" if m.login in owners else "member",
                    privileged=m.login in owners,
                )
                for m in org.get_members()
            ]
            rows += [
                AccountRow(account_id=c.login, role="outside_collaborator")
                for c in org.get_outside_collaborators()
            ]
        except BadCredentialsException:
            raise ConnectorError(
                "GitHub refused GITHUB_TOKEN (bad credentials) while pulling the github system; "
                "the previous snapshot is kept. Create a new token and set GITHUB_TOKEN."
            ) from None
        except GithubException as exc:
            if _rate_limited(exc):
                raise _RateLimited(exc) from None
            raise ConnectorError(self._refused(exc)) from None
        except (requests.Timeout, requests.ConnectionError):
            raise ConnectorError(
                f"GitHub did not answer within CONNECTOR_TIMEOUT_SECONDS ({self.timeout:g} s) while "
                "pulling the github system; the previous snapshot is kept. Try again later or raise it."
            ) from None
        finally:
            client.close()
        return list({r.account_id: r for r in rows}.values())

    def _refused(self, exc: GithubException) -> str:
        if exc.status in {403, 404}:
            return (
                f"GITHUB_TOKEN has no permission to list the members of GITHUB_ORG '{self.org}' "
                f"(GitHub answered {exc.status}) for the github system; the previous snapshot is "
                "kept. The token needs read:org (or Members: read)."
            )
        return (
            f"GitHub answered {exc.status} while pulling the github system (GITHUB_ORG "
            f"'{self.org}'); the previous snapshot is kept."
        )

    def _limited(self, exc: GithubException) -> str:
        reset = datetime.fromtimestamp(time.time() + _reset_in(exc), UTC)
        return (
            f"GitHub's rate limit for GITHUB_TOKEN is used up while pulling the github system; "
            f"the previous snapshot is kept. Pull again after {reset:%H:%M} UTC."
        )


class _RateLimited(Exception):
    """GitHub said to wait (429, or 403 with no requests left)."""

    def __init__(self, exc: GithubException) -> None:
        super().__init__(str(exc))
        self.exc = exc


def _rate_limited(exc: GithubException) -> bool:
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    if isinstance(exc, RateLimitExceededException) or exc.status == 429:
        return True
    return exc.status == 403 and (
        headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers
    )


def _reset_in(exc: GithubException) -> float:
    """Seconds until GitHub lets the token call again (Retry-After, else X-RateLimit-Reset)."""
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    if headers.get("retry-after"):
        return float(headers["retry-after"])
    reset = headers.get("x-ratelimit-reset")
    return max(0.0, float(reset) - time.time()) if reset else 60.0
