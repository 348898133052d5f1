"""Systems and their account snapshots: store a pulled or imported list, match each account to a person."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.access_reviews import people, reminders
from core.access_reviews.errors import AccessReviewError
from core.access_reviews.files import AccountRow
from core.access_reviews.models import (
    LIKELY_LEAVER,
    UNKNOWN_OWNER,
    AccessAccount,
    AccessRemoval,
    AccessReview,
    AccessSnapshot,
    AccessSystem,
    AccountMapping,
    DirectoryPerson,
)
from core.evidence.service import FileUpload, store_blob
from core.models import utcnow

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
# A snapshot's bytes are kept whole for the auditor, within this (a 10,000-account CSV is ~1 MB).
MAX_SNAPSHOT_BYTES = 50 * 1024 * 1024


@dataclass
class SnapshotResult:
    """What one import or pull stored."""

    system: str
    snapshot_id: int
    sha256: str
    accounts: int
    privileged: int
    unknown_owner: list[str] = field(default_factory=list)
    likely_leaver: list[str] = field(default_factory=list)
    verified: list[str] = field(default_factory=list)  # removals confirmed gone
    still_present: list[str] = field(default_factory=list)  # removals marked done but still there

    def as_json(self) -> dict[str, object]:
        """The fields `access-review import --json` prints."""
        return dict(self.__dict__)


def system_name(raw: str) -> str:
    """A system's name as stored: lower case letters, digits, dot, dash and underscore."""
    name = raw.strip().lower()
    if not _NAME.match(name):
        raise AccessReviewError(
            f"'{raw[:40]}' is not a system name: use letters, digits, '.', '-' or '_' (e.g. github, aws)."
        )
    return name


def get_system(name: str, *, db_session: Session) -> AccessSystem | None:
    """The system with this name."""
    return db_session.scalars(select(AccessSystem).where(AccessSystem.name == name)).first()


def _system(
    name: str, owner_email: str | None, connector: str | None, *, db_session: Session
) -> AccessSystem:
    system = get_system(name, db_session=db_session)
    if system is None:
        system = AccessSystem(name=name, connector=connector)
        db_session.add(system)
    if connector:
        system.connector = connector
    if owner_email:
        owner = people.by_email(owner_email, db_session=db_session)
        system.owner_email = owner_email.lower()
        system.owner_user_id = owner.user_id if owner else None
    db_session.flush()
    return system


class _Matcher:
    """Account -> person by email, then by the mapping file; the directory read once."""

    def __init__(self, system: str, *, db_session: Session) -> None:
        self.system = system
        self.db_session = db_session
        self.directory = people.directory(db_session=db_session)
        found = db_session.execute(
            select(AccountMapping.account_id, AccountMapping.email).where(
                AccountMapping.system == system
            )
        )
        self.mapped = {account: email for account, email in found}

    def person(self, row: AccountRow) -> DirectoryPerson | None:
        for email in (row.email, self.mapped.get(row.account_id)):
            if not email:
                continue
            found = self.directory.get(email) or people.by_email(email, db_session=self.db_session)
            if found is not None:
                self.directory[email] = found
                return found
        return None


def store_snapshot(
    system_raw: str,
    rows: list[AccountRow],
    *,
    db_session: Session,
    raw: bytes,
    media_type: str,
    source: str,
    taken_by: str,
    owner_email: str | None = None,
    connector: str | None = None,
) -> SnapshotResult:
    """Store the list as the system's current population, matched to people; the ledger records it."""
    name = system_name(system_raw)
    if not rows:
        raise AccessReviewError(f"{source} lists no accounts for {name}; nothing was stored.")
    system = _system(name, owner_email, connector, db_session=db_session)
    digest = store_blob(
        FileUpload(source, raw, media_type), db_session=db_session, max_bytes=MAX_SNAPSHOT_BYTES
    )
    snapshot = AccessSnapshot(
        system_id=system.id,
        source=source[:300],
        taken_at=utcnow(),
        sha256=digest,
        accounts=len(rows),
        taken_by=taken_by,
    )
    db_session.add(snapshot)
    db_session.flush()
    result = SnapshotResult(name, snapshot.id, digest, len(rows), sum(r.privileged for r in rows))
    matcher = _Matcher(name, db_session=db_session)
    with db_session.no_autoflush:  # one flush for the whole list, not one per lookup
        for row in rows:
            _add_account(snapshot, row, matcher, result, db_session=db_session)
    system.snapshot_id = snapshot.id
    if system.connector:
        _verify_removals(system, {r.account_id for r in rows}, result, db_session=db_session)
    snapshot.ledger_seq = ledger.append(
        "access_snapshot",
        {
            "system": name,
            "snapshot": snapshot.id,
            "source": snapshot.source,
            "sha256": digest,
            "accounts": len(rows),
            "by": taken_by,
        },
        db_session=db_session,
    ).seq
    return result


def _add_account(
    snapshot: AccessSnapshot,
    row: AccountRow,
    matcher: _Matcher,
    result: SnapshotResult,
    *,
    db_session: Session,
) -> None:
    person = matcher.person(row)
    flags = []
    if person is None:
        flags.append(UNKNOWN_OWNER)
        result.unknown_owner.append(row.account_id)
    elif person.deactivated:
        flags.append(LIKELY_LEAVER)
        result.likely_leaver.append(row.account_id)
    if person is not None and row.manager_email and not person.manager_email:
        person.manager_email = row.manager_email  # the identity provider's manager relation
    db_session.add(
        AccessAccount(
            snapshot_id=snapshot.id,
            account_id=row.account_id[:300],
            email=row.email,
            name=(row.name or None) and row.name[:300],
            role=row.role[:300],
            privileged=row.privileged,
            last_login=row.last_login[:40] if row.last_login else None,
            suspended=row.suspended,
            granted_by=row.granted_by,
            manager_email=row.manager_email,
            person_email=person.email if person else None,
            user_id=person.user_id if person else None,
            flags=flags,
        )
    )


def _verify_removals(
    system: AccessSystem, present: set[str], result: SnapshotResult, *, db_session: Session
) -> None:
    """A connector's new list confirms each pending removal, or shows the account still there."""
    pending = db_session.scalars(
        select(AccessRemoval).where(
            AccessRemoval.system == system.name,
            AccessRemoval.status.in_(["open", "done", "still_present"]),
        )
    )
    for removal in pending:
        if removal.account not in present:
            removal.status, removal.verified_at = "verified", utcnow()
            result.verified.append(removal.account)
            kind = "access_removal_verified"
        elif removal.status == "done":
            removal.status = "still_present"
            result.still_present.append(removal.account)
            kind = "access_removal_still_present"
            review = db_session.get(AccessReview, removal.review_id)
            if review is not None and review.status == "active":
                reminders.open_removal(removal, review, db_session=db_session)  # owed again
        else:
            continue
        removal.ledger_seq = ledger.append(
            kind,
            {"removal": removal.id, "system": system.name, "account": removal.account},
            db_session=db_session,
        ).seq


def snapshot_digest(rows: list[AccountRow]) -> tuple[bytes, str]:
    """A connector's list as canonical JSON bytes (what is stored and hashed) and its SHA-256."""
    data = ledger.canonical([r.as_json() for r in rows]).encode()
    return data, hashlib.sha256(data).hexdigest()


def current_accounts(system: AccessSystem, *, db_session: Session) -> list[AccessAccount]:
    """The accounts of the system's current snapshot."""
    if system.snapshot_id is None:
        return []
    return list(
        db_session.scalars(
            select(AccessAccount)
            .where(AccessAccount.snapshot_id == system.snapshot_id)
            .order_by(AccessAccount.id)
        )
    )


def store_pulled(
    name: str,
    source: str,
    rows: list[AccountRow],
    *,
    db_session: Session,
    taken_by: str,
    owner_email: str | None = None,
) -> SnapshotResult:
    """Store a connector's list (as canonical JSON) and verify the system's pending removals."""
    raw, _ = snapshot_digest(rows)
    return store_snapshot(
        name,
        rows,
        db_session=db_session,
        raw=raw,
        media_type="application/json",
        source=source,
        taken_by=taken_by,
        owner_email=owner_email,
        connector=name,
    )
