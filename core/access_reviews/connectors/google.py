"""Google Workspace users through google-api-python-client and a service account (read-only)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httplib2
from google.auth.exceptions import GoogleAuthError
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from core.access_reviews.connectors import ConnectorError, wait_or_stop
from core.access_reviews.files import AccountRow
from core.config import Settings

SCOPES = ["https://www.googleapis.com/auth/admin.directory.user.readonly"]
MAX_PAGES = 1000  # 500 users a page: half a million users


@dataclass
class GoogleConnector:
    """Lists the domain's users: admins privileged, suspended ones marked, managers from relations."""

    domain: str
    http: Callable[[], Any]  # an authorised httplib2.Http (a fake one in tests)
    timeout: float = 30.0
    max_wait: int = 60
    sleep: Callable[[float], None] = field(default=time.sleep)
    name: str = "google"

    @classmethod
    def from_settings(cls, settings: Settings) -> GoogleConnector:
        """The connector GOOGLE_WORKSPACE_DOMAIN, GOOGLE_SERVICE_ACCOUNT_FILE and GOOGLE_ADMIN_EMAIL describe."""
        key, admin = settings.google_service_account_file, settings.google_admin_email
        if not settings.google_workspace_domain or key is None or not admin:
            raise ConnectorError(
                "Set GOOGLE_WORKSPACE_DOMAIN, GOOGLE_SERVICE_ACCOUNT_FILE and GOOGLE_ADMIN_EMAIL "
                "to pull the google system."
            )
        timeout = settings.connector_timeout_seconds
        return cls(
            domain=settings.google_workspace_domain,
            http=lambda: _authorised(key, admin, timeout),
            timeout=timeout,
            max_wait=settings.connector_max_wait_seconds,
        )

    @property
    def source(self) -> str:
        """What the snapshot records as its source."""
        return f"google:{self.domain}"

    def pull(self) -> list[AccountRow]:
        """Every user of the domain; a rate limit that clears soon is waited out and retried once."""
        try:
            return self._pull()
        except HttpError as exc:
            if _status(exc) != 429:
                raise ConnectorError(self._refused(exc)) from None
            wait_or_stop(_retry_after(exc), self.max_wait, self.sleep, self._limited())
        try:
            return self._pull()
        except HttpError as exc:
            raise ConnectorError(
                self._limited() if _status(exc) == 429 else self._refused(exc)
            ) from None

    def _pull(self) -> list[AccountRow]:
        try:
            service = build(
                "admin",
                "directory_v1",
                http=self.http(),
                cache_discovery=False,
                static_discovery=True,
            )
            rows: list[AccountRow] = []
            token = None
            for _ in range(MAX_PAGES):
                page = (
                    service.users()
                    .list(domain=self.domain, maxResults=500, pageToken=token, projection="full")
                    .execute()
                )
                rows += [_row(user) for user in page.get("users", [])]
                token = page.get("nextPageToken")
                if not token:
                    break
            return rows
        except GoogleAuthError:
            raise ConnectorError(
                "Google refused the service account in GOOGLE_SERVICE_ACCOUNT_FILE (bad or revoked "
                "key, or no domain-wide delegation for GOOGLE_ADMIN_EMAIL) while pulling the google "
                "system; the previous snapshot is kept."
            ) from None
        except (TimeoutError, httplib2.HttpLib2Error, OSError):
            raise ConnectorError(
                f"Google did not answer within CONNECTOR_TIMEOUT_SECONDS ({self.timeout:g} s) while "
                "pulling the google system; the previous snapshot is kept. Try again later or raise it."
            ) from None

    def _refused(self, exc: HttpError) -> str:
        status = _status(exc)
        if status in {401, 403}:
            return (
                f"Google answered {status}: the service account in GOOGLE_SERVICE_ACCOUNT_FILE may not "
                f"read the users of GOOGLE_WORKSPACE_DOMAIN '{self.domain}' as GOOGLE_ADMIN_EMAIL "
                f"(needs domain-wide delegation of {SCOPES[0]}) for the google system; the previous "
                "snapshot is kept."
            )
        return f"Google answered {status} while pulling the google system; the previous snapshot is kept."

    def _limited(self) -> str:
        return (
            "Google's rate limit was reached while pulling the google system (GOOGLE_WORKSPACE_DOMAIN "
            f"'{self.domain}'); the previous snapshot is kept. Pull again in a few minutes."
        )


def _authorised(key: Path, admin: str, timeout: float) -> Any:
    """An httplib2.Http that signs calls as the service account acting for the admin."""
    import google_auth_httplib2
    from google.oauth2 import service_account

    credentials = service_account.Credentials.from_service_account_file(
        str(key), scopes=SCOPES, subject=admin
    )
    return google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=timeout))


def _status(exc: HttpError) -> int:
    return int(getattr(exc.resp, "status", 0) or 0)


def _retry_after(exc: HttpError) -> float:
    value = exc.resp.get("retry-after") if hasattr(exc.resp, "get") else None
    try:
        return float(value) if value else 30.0
    except ValueError:
        return 30.0


def _row(user: dict[str, Any]) -> AccountRow:
    manager = next(
        (r.get("value") for r in user.get("relations") or [] if r.get("type") == "manager"), None
    )
    admin = bool(user.get("isAdmin") or user.get("isDelegatedAdmin"))
    role = "super_admin" if user.get("isAdmin") else "delegated_admin" if admin else "user"
    email = str(user.get("primaryEmail") or "").lower()
    return AccountRow(
        account_id=email or str(user.get("id")),
        email=email or None,
        name=(user.get("name") or {}).get("fullName"),
        role=role,
        privileged=admin,
        last_login=user.get("lastLoginTime"),
        suspended=bool(user.get("suspended")),
        manager_email=str(manager).lower() if manager else None,
    )
