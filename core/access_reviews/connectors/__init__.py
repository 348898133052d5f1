"""Read-only connectors: each lists one system's accounts through its vendor's SDK.

A connector is a small module with a class that has `name` (the system it feeds, e.g. github),
`source` (what the snapshot records, e.g. github:acme) and `pull() -> list[AccountRow]`, raising
ConnectorError with a message that names the setting and the system. Okta or Entra ID would be one
more module beside github.py and google.py, and one line in `configured()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from core.access_reviews.errors import AccessReviewError
from core.access_reviews.files import AccountRow
from core.config import Settings


class ConnectorError(AccessReviewError):
    """A pull failed (credentials, permission, rate limit, timeout); the previous snapshot stays."""


class Connector(Protocol):
    """What every connector offers."""

    name: str

    @property
    def source(self) -> str:
        """What the snapshot records as its source, e.g. github:acme."""
        ...

    def pull(self) -> list[AccountRow]:
        """Every account the system lists (network calls; outside any transaction)."""
        ...


def wait_or_stop(
    seconds: float, max_wait: int, sleep: Callable[[float], None], message: str
) -> None:
    """Honour a rate limit: wait when it clears within max_wait seconds, else stop with message."""
    if seconds > max_wait:
        raise ConnectorError(message)
    sleep(max(seconds, 0.0))


def configured(settings: Settings) -> dict[str, Callable[[], Connector]]:
    """The connectors the settings turn on, by system name (built lazily: SDKs load on use)."""
    out: dict[str, Callable[[], Connector]] = {}
    if settings.github_org:

        def github() -> Connector:
            from core.access_reviews.connectors.github import GitHubConnector

            return GitHubConnector.from_settings(settings)

        out["github"] = github
    if settings.google_workspace_domain:

        def google() -> Connector:
            from core.access_reviews.connectors.google import GoogleConnector

            return GoogleConnector.from_settings(settings)

        out["google"] = google
    return out
