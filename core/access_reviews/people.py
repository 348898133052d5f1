"""Who is who: the people directory fed by Slack users, people files and identity providers."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.access_reviews.files import PersonRow
from core.access_reviews.models import AccountMapping, DirectoryPerson
from core.models import Person, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeopleImport:
    """What a people import changed."""

    created: int
    updated: int
    linked: int  # people whose Slack user is known


def slack_members(client: WebClient) -> list[dict[str, Any]]:
    """Every member Slack lists (deactivated ones too); call it outside any transaction."""
    members: list[dict[str, Any]] = []
    cursor = None
    try:
        while True:
            page = client.users_list(limit=200, cursor=cursor)
            members += list(page.get("members") or [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return members
    except SlackApiError as exc:
        log.warning("users.list failed: %s", exc.response.get("error"))
        return members


def directory(*, db_session: Session) -> dict[str, DirectoryPerson]:
    """Everyone in the directory by email, read once (lookups in loops would flush each time)."""
    return {p.email: p for p in db_session.scalars(select(DirectoryPerson))}


def remember_slack(members: list[dict[str, Any]], *, db_session: Session) -> int:
    """Link each Slack member with an email to the directory; deleted members are deactivated."""
    linked = 0
    known = directory(db_session=db_session)
    for member in members:
        email = str((member.get("profile") or {}).get("email") or "").lower()
        if not email or member.get("is_bot"):
            continue
        person = known.get(email)
        if person is None:
            person = known[email] = DirectoryPerson(email=email, source="slack")
            db_session.add(person)
        person.user_id = str(member["id"])
        person.deactivated = bool(member.get("deleted"))
        person.updated_at = utcnow()
        linked += 1
    db_session.flush()
    return linked


def import_people(rows: list[PersonRow], *, db_session: Session, actor: str) -> PeopleImport:
    """Store email, manager and department per person (a re-import updates them)."""
    created = updated = linked = 0
    known = directory(db_session=db_session)
    cached = {e: u for e, u in db_session.execute(select(Person.email, Person.user_id)) if e}
    for row in rows:
        person = known.get(row.email)
        if person is None:
            created += 1
            person = known[row.email] = DirectoryPerson(email=row.email, source="people_file")
            db_session.add(person)
        else:
            updated += 1
        person.manager_email = row.manager_email
        person.department = row.department
        if row.deactivated:
            person.deactivated = True
        person.updated_at = utcnow()
        # The people cache (jobs/people) may know their Slack user when Slack's list did not.
        person.user_id = person.user_id or cached.get(row.email)
        linked += bool(person.user_id)
    db_session.flush()
    ledger.append(
        "people_imported",
        {"by": actor, "people": len(rows), "created": created, "updated": updated},
        db_session=db_session,
    )
    return PeopleImport(created, updated, linked)


def _link_cached(email: str, *, db_session: Session) -> None:
    """Fill a directory entry's Slack user from the people cache (jobs/people) when it knows the email."""
    person = db_session.get(DirectoryPerson, email)
    if person is None or person.user_id:
        return
    cached = db_session.scalars(select(Person).where(Person.email == email)).first()
    if cached is not None:
        person.user_id = cached.user_id


def by_email(email: str | None, *, db_session: Session) -> DirectoryPerson | None:
    """The directory entry for an email, filled from the people cache when only it knows them."""
    if not email:
        return None
    email = email.lower()
    person = db_session.get(DirectoryPerson, email)
    if person is not None:
        if not person.user_id:
            _link_cached(email, db_session=db_session)
        return person
    cached = db_session.scalars(select(Person).where(Person.email == email)).first()
    if cached is None:
        return None
    person = DirectoryPerson(email=email, user_id=cached.user_id, source="slack")
    db_session.add(person)
    db_session.flush()
    return person


def by_user(user_id: str, *, db_session: Session) -> DirectoryPerson | None:
    """The directory entry of a Slack user."""
    return db_session.scalars(
        select(DirectoryPerson).where(DirectoryPerson.user_id == user_id)
    ).first()


def manager_of(user_id: str, *, db_session: Session) -> str | None:
    """The Slack user ID of someone's manager (people file or identity provider, else Slack's cache)."""
    person = by_user(user_id, db_session=db_session)
    if person is not None and person.manager_email:
        manager = by_email(person.manager_email, db_session=db_session)
        if manager is not None and manager.user_id:
            return manager.user_id
    cached = db_session.get(Person, user_id)
    return cached.manager_user_id if cached is not None else None


def has_left(user_id: str, *, db_session: Session) -> bool:
    """True when the Slack user is deactivated."""
    person = by_user(user_id, db_session=db_session)
    return bool(person and person.deactivated)


def import_mappings(rows: list[tuple[str, str, str]], *, db_session: Session, actor: str) -> int:
    """Store (system, account ID, email) links used when an account's own email matches nobody."""
    for system, account_id, email in rows:
        found = db_session.scalars(
            select(AccountMapping).where(
                AccountMapping.system == system, AccountMapping.account_id == account_id
            )
        ).first()
        if found is None:
            db_session.add(AccountMapping(system=system, account_id=account_id, email=email))
        else:
            found.email = email
    db_session.flush()
    ledger.append(
        "access_mappings_imported", {"by": actor, "mappings": len(rows)}, db_session=db_session
    )
    return len(rows)


def mapped_email(system: str, account_id: str, *, db_session: Session) -> str | None:
    """The email a mapping file links this account to."""
    return db_session.scalars(
        select(AccountMapping.email).where(
            AccountMapping.system == system, AccountMapping.account_id == account_id
        )
    ).first()
