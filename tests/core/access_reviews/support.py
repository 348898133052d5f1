"""A small organisation for access review tests: people, managers, a leaver, a GitHub export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from core.access_reviews.files import PersonRow, read_accounts
from core.access_reviews.people import import_mappings, import_people, remember_slack
from core.access_reviews.snapshots import SnapshotResult, store_snapshot

# UOLGA owns GitHub; carol manages alice and bob; dave manages carol and olga; eve has left.
SLACK = [
    {"id": "UALICE", "profile": {"email": "alice@example.com"}},
    {"id": "UBOB", "profile": {"email": "bob@example.com"}},
    {"id": "UCAROL", "profile": {"email": "carol@example.com"}},
    {"id": "UDAVE", "profile": {"email": "dave@example.com"}},
    {"id": "UOLGA", "profile": {"email": "olga@example.com"}},
    {"id": "UEVE", "profile": {"email": "eve@example.com"}, "deleted": True},
    {"id": "USEC1", "profile": {"email": "sec@example.com"}},
]
PEOPLE = [
    PersonRow("alice@example.com", "carol@example.com", "eng", False),
    PersonRow("bob@example.com", "carol@example.com", "eng", False),
    PersonRow("carol@example.com", "dave@example.com", "eng", False),
    PersonRow("olga@example.com", "dave@example.com", "it", False),
    PersonRow("eve@example.com", "carol@example.com", "eng", False),
]
GITHUB_CSV = (
    b"login,email,role,privileged,last_login,granted_by\n"
    b"alice-gh,alice@example.com,member,no,2026-11-30,carol@example.com\n"
    b"bob-gh,bob@example.com,admin,yes,2026-11-29,\n"
    b"carol-gh,carol@example.com,member,no,,\n"
    b"eve-gh,eve@example.com,member,no,2026-06-01,\n"
    b"ghost,ghost@gmail.com,member,no,,\n"
    b"olga-gh,olga@example.com,owner,yes,,\n"
    b"svc-deploy,,member,no,,\n"
)


def organisation(session: Session) -> None:
    """Slack members, the people file and a mapping of the deploy bot's account to dave."""
    remember_slack(SLACK, db_session=session)
    import_people(PEOPLE, db_session=session, actor="t")
    import_mappings([("github", "svc-deploy", "dave@example.com")], db_session=session, actor="t")


def import_github(session: Session, content: bytes = GITHUB_CSV) -> SnapshotResult:
    """The GitHub export above, owned by olga."""
    rows = read_accounts(content, "github.csv", {})
    return store_snapshot(
        "github",
        rows,
        db_session=session,
        raw=content,
        media_type="text/csv",
        source="file:github.csv",
        taken_by="t",
        owner_email="olga@example.com",
    )


def in_two_weeks() -> datetime:
    """A due date safely in the future."""
    return datetime.now(UTC) + timedelta(days=14)
