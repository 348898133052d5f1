"""GitHub (PyGithub, faked with `responses`) and Google Workspace (faked httplib2) connectors."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from googleapiclient.http import HttpMockSequence
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from core.access_reviews import decisions, service
from core.access_reviews.connectors import ConnectorError
from core.access_reviews.connectors.github import GitHubConnector
from core.access_reviews.connectors.google import GoogleConnector
from core.access_reviews.models import (
    AccessRemoval,
    AccessReviewItem,
    AccessSystem,
    DirectoryPerson,
)
from core.access_reviews.snapshots import store_pulled
from core.db import Database
from tests.core.access_reviews.support import in_two_weeks, organisation
from tests.core.evidence.support import cli_env

API = "https://api.github.com"
# PyGithub names the port in every URL it requests.
MOCK = "https://api.github.com:443"
runner = CliRunner()


def _user(login: str) -> dict[str, Any]:
    return {
        "login": login,
        "id": abs(hash(login)) % 10**6,
        "type": "User",
        "url": f"{API}/users/{login}",
    }


def fake_github(members: list[str], owners: list[str], outside: list[str]) -> None:
    """The org's endpoints as GitHub answers them."""
    responses.get(f"{MOCK}/orgs/acme", json={"login": "acme", "url": f"{API}/orgs/acme"})
    admin = responses.matchers.query_param_matcher({"role": "admin", "per_page": "100"})
    responses.get(f"{MOCK}/orgs/acme/members", json=[_user(u) for u in owners], match=[admin])
    plain = responses.matchers.query_param_matcher({"per_page": "100"})
    responses.get(f"{MOCK}/orgs/acme/members", json=[_user(u) for u in members], match=[plain])
    responses.get(f"{MOCK}/orgs/acme/outside_collaborators", json=[_user(u) for u in outside])


def _github(sleeps: list[float] | None = None) -> GitHubConnector:
    record = sleeps if sleeps is not None else []
    return GitHubConnector(org="acme", token="ghp_test", sleep=record.append, max_wait=60)


@responses.activate
def test_github_members_owners_and_outside_collaborators() -> None:
    fake_github(["alice-gh", "olga-gh", "bob-gh"], ["olga-gh"], ["contractor-x"])
    rows = {r.account_id: r for r in _github().pull()}
    assert set(rows) == {"alice-gh", "olga-gh", "bob-gh", "contractor-x"}
    assert rows["olga-gh"].privileged and rows["olga-gh"].role == "owner"
    assert not rows["alice-gh"].privileged and rows["contractor-x"].role == "outside_collaborator"
    assert responses.calls[0].request.headers["Authorization"] == "token ghp_test"


@responses.activate
@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (
            401,
            {"message": "Bad credentials"},
            {},
            "GitHub refused GITHUB_TOKEN (bad credentials) while pulling the github system; the previous snapshot is kept",
        ),
        (
            403,
            {"message": "Must have admin rights"},
            {},
            "GITHUB_TOKEN has no permission to list the members of GITHUB_ORG 'acme'",
        ),
        (404, {"message": "Not Found"}, {}, "needs read:org"),
        (
            403,
            {"message": "API rate limit exceeded"},
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 3600)},
            "GitHub's rate limit for GITHUB_TOKEN is used up while pulling the github system",
        ),
    ],
    ids=["bad-credentials", "no-permission", "not-found", "rate-limit-long"],
)
def test_github_failures_name_the_setting_and_the_system(
    status: int, body: dict[str, str], headers: dict[str, str], expected: str
) -> None:
    responses.get(f"{MOCK}/orgs/acme", json=body, status=status, headers=headers)
    sleeps: list[float] = []
    with pytest.raises(ConnectorError) as raised:
        _github(sleeps).pull()
    assert expected in str(raised.value)
    assert sleeps == []  # an hour's wait is not waited out


@responses.activate
def test_github_short_rate_limit_is_waited_out_then_retried() -> None:
    responses.get(
        f"{MOCK}/orgs/acme", json={"message": "slow down"}, status=429, headers={"Retry-After": "7"}
    )
    fake_github(["alice-gh"], [], [])
    sleeps: list[float] = []
    assert [r.account_id for r in _github(sleeps).pull()] == ["alice-gh"]
    assert sleeps == [7.0]


@responses.activate
def test_github_timeout_names_the_setting() -> None:
    responses.get(f"{MOCK}/orgs/acme", body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(
        ConnectorError,
        match=r"within CONNECTOR_TIMEOUT_SECONDS \(30 s\) while pulling the github system",
    ):
        _github().pull()


GOOGLE_USERS = {
    "users": [
        {
            "primaryEmail": "Alice@example.com",
            "name": {"fullName": "Alice"},
            "isAdmin": False,
            "suspended": False,
            "lastLoginTime": "2026-11-30T10:00:00.000Z",
            "relations": [{"type": "manager", "value": "carol@example.com"}],
        },
        {"primaryEmail": "olga@example.com", "isAdmin": True, "suspended": False},
        {"primaryEmail": "eve@example.com", "suspended": True},
    ]
}


def _google(
    *answers: tuple[dict[str, str], Any], sleeps: list[float] | None = None
) -> GoogleConnector:
    sequence = [
        (head, json.dumps(body) if not isinstance(body, str) else body) for head, body in answers
    ]
    record = sleeps if sleeps is not None else []
    return GoogleConnector(
        domain="example.com", http=lambda: HttpMockSequence(sequence), sleep=record.append
    )


def test_google_users_admins_suspended_and_managers() -> None:
    rows = {r.account_id: r for r in _google(({"status": "200"}, GOOGLE_USERS)).pull()}
    assert rows["olga@example.com"].privileged and rows["olga@example.com"].role == "super_admin"
    assert rows["eve@example.com"].suspended
    assert rows["alice@example.com"].manager_email == "carol@example.com"
    assert rows["alice@example.com"].last_login == "2026-11-30T10:00:00.000Z"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (
            "403",
            "may not read the users of GOOGLE_WORKSPACE_DOMAIN 'example.com' as GOOGLE_ADMIN_EMAIL",
        ),
        ("401", "GOOGLE_SERVICE_ACCOUNT_FILE"),
        (
            "500",
            "Google answered 500 while pulling the google system; the previous snapshot is kept",
        ),
    ],
)
def test_google_refusals(status: str, expected: str) -> None:
    error = {"error": {"code": int(status), "message": "no"}}
    with pytest.raises(ConnectorError, match=expected):
        _google(({"status": status}, error)).pull()


def test_google_rate_limit_waited_then_retried_and_timeout() -> None:
    limited = ({"status": "429", "retry-after": "5"}, {"error": {"code": 429, "message": "quota"}})
    sleeps: list[float] = []
    rows = _google(limited, ({"status": "200"}, GOOGLE_USERS), sleeps=sleeps).pull()
    assert len(rows) == 3 and sleeps == [5.0]

    def timing_out() -> Any:
        raise TimeoutError("timed out")

    broken = GoogleConnector(domain="example.com", http=timing_out)
    with pytest.raises(ConnectorError, match="within CONNECTOR_TIMEOUT_SECONDS .* google system"):
        broken.pull()


def test_google_pull_feeds_managers_into_the_directory(database_url: str) -> None:
    db = Database(database_url)
    rows = _google(({"status": "200"}, GOOGLE_USERS)).pull()
    with db.session_scope() as session:
        organisation(session)
        session.get(DirectoryPerson, "alice@example.com").manager_email = None  # type: ignore[union-attr]
        result = store_pulled(
            "google",
            "google:example.com",
            rows,
            db_session=session,
            taken_by="t",
            owner_email="olga@example.com",
        )
        assert result.likely_leaver == ["eve@example.com"]
        alice = session.get(DirectoryPerson, "alice@example.com")
        assert alice is not None and alice.manager_email == "carol@example.com"


@responses.activate
def test_github_pull_from_the_cli_keeps_the_snapshot_on_failure_and_verifies_removals(
    database_url: str, shared_index_dir: Path
) -> None:
    env = {
        **cli_env(database_url, shared_index_dir),
        "GITHUB_ORG": "acme",
        "GITHUB_TOKEN": "ghp_test",
        "SECURITY_TEAM": "USEC1",
    }
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    db = Database(database_url)
    with db.session_scope() as session:
        organisation(session)
        from core.access_reviews.people import import_mappings

        import_mappings(
            [("github", "alice-gh", "alice@example.com"), ("github", "bob-gh", "bob@example.com")],
            db_session=session,
            actor="t",
        )
    fake_github(["alice-gh", "bob-gh", "olga-gh"], ["olga-gh"], [])
    first = runner.invoke(
        app, ["access-review", "pull", "github", "--owner", "olga@example.com", "--json"], env=env
    )
    assert first.exit_code == 0, first.output
    snapshot = json.loads(first.output)["snapshot_id"]
    with db.session_scope() as session:
        review = service.start(
            db_session=session,
            systems=["github"],
            mode="owner",
            due=in_two_weeks(),
            created_by="USEC1",
            security=["USEC1"],
            zone=__import__("datetime").UTC,
        )
        items = {
            i.id: i
            for i in session.scalars(
                select(AccessReviewItem).where(AccessReviewItem.review_id == review.id)
            )
        }
        for item in items.values():
            if item.reviewer == "UOLGA":
                decisions.decide(item.id, "revoke", user_id="UOLGA", db_session=session)
    with db.session_scope() as session:
        alice_removal = session.scalars(
            select(AccessRemoval).where(AccessRemoval.account == "alice-gh")
        ).one()
        alice_removal.status = "done"  # marked done, but still in GitHub
    responses.reset()
    responses.get(f"{MOCK}/orgs/acme", json={"message": "Bad credentials"}, status=401)
    failed = runner.invoke(app, ["access-review", "pull", "github"], env=env)
    assert failed.exit_code == 1 and "GitHub refused GITHUB_TOKEN" in failed.output
    with db.session_scope() as session:
        system = session.scalars(select(AccessSystem)).one()
        assert system.snapshot_id == snapshot  # the previous snapshot is kept
    responses.reset()
    fake_github(["alice-gh", "olga-gh"], ["olga-gh"], [])  # bob removed, alice still there
    second = runner.invoke(app, ["access-review", "pull", "github"], env=env)
    assert second.exit_code == 0, second.output
    assert "1 removal(s) verified, 1 still present: alice-gh" in second.output
    with db.session_scope() as session:
        states = dict(session.execute(select(AccessRemoval.account, AccessRemoval.status)).all())
    # olga-gh (unmapped, so flagged and revoked by its owner) is not marked done yet: still open.
    assert states == {"alice-gh": "still_present", "bob-gh": "verified", "olga-gh": "open"}
