"""Snapshots, matching, assignment with segregation of duties, decisions, removals and closing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core import ledger
from core.access_reviews import decisions, removals, service
from core.access_reviews.errors import AccessReviewError
from core.access_reviews.models import AccessAccount, AccessReviewItem, AccessSnapshot
from core.db import Database
from core.models import Blob, Outbox
from tests.core.access_reviews.support import GITHUB_CSV, import_github, in_two_weeks, organisation

ZONE = UTC
SECURITY = ["USEC1"]


def _db(database_url: str) -> Database:
    db = Database(database_url)
    with db.session_scope() as session:
        organisation(session)
    return db


def _start(db: Database, mode: str = "manager") -> int:
    with db.session_scope() as session:
        return service.start(
            db_session=session,
            systems=["github"],
            mode=mode,
            due=in_two_weeks(),
            created_by="USEC1",
            security=SECURITY,
            zone=ZONE,
        ).id


def _items(db: Database, review_id: int) -> dict[str, AccessReviewItem]:
    with db.session_scope() as session:
        rows = session.execute(
            select(AccessReviewItem, AccessAccount.account_id)
            .join(AccessAccount, AccessAccount.id == AccessReviewItem.account_id)
            .where(AccessReviewItem.review_id == review_id)
        )
        return {account: item for item, account in rows}


def test_import_stores_the_file_with_its_hash_and_flags_leavers_and_unknown(
    database_url: str,
) -> None:
    db = _db(database_url)
    with db.session_scope() as session:
        result = import_github(session)
        snapshot = session.get(AccessSnapshot, result.snapshot_id)
        assert snapshot is not None and snapshot.source == "file:github.csv"
        blob = session.get(Blob, result.sha256)
        assert blob is not None and blob.content == GITHUB_CSV
        accounts = {a.account_id: a for a in session.scalars(select(AccessAccount))}
    assert result.accounts == 7 and result.privileged == 2
    assert result.unknown_owner == ["ghost"] and result.likely_leaver == ["eve-gh"]
    assert accounts["svc-deploy"].user_id == "UDAVE"  # through the mapping file
    assert accounts["alice-gh"].user_id == "UALICE" and accounts["alice-gh"].flags == []
    with db.session_scope() as session:
        kinds = [r.kind for r in session.scalars(select(ledger.LedgerRecord))]
    assert kinds[-1] == "access_snapshot"


def test_manager_review_assigns_with_segregation_of_duties(database_url: str) -> None:
    db = _db(database_url)
    with db.session_scope() as session:
        import_github(session)
    items = _items(db, _start(db))
    who = {account: (item.reviewer, item.assigned_because) for account, item in items.items()}
    # alice's access was granted by carol, her manager: it goes to carol's manager.
    assert who["alice-gh"] == ("UDAVE", "granter")
    assert who["bob-gh"] == ("UCAROL", "manager")
    assert who["carol-gh"] == ("UDAVE", "manager")
    assert who["eve-gh"] == ("UOLGA", "flagged")
    assert who["ghost"] == ("UOLGA", "flagged")
    assert who["olga-gh"] == ("UDAVE", "manager")
    with db.session_scope() as session:
        invites = {o.recipient: o.payload["count"] for o in session.scalars(select(Outbox))}
    assert invites == {"UCAROL": 1, "UDAVE": 3, "UOLGA": 3}
    # dave has no manager: his own (mapped) deploy account goes to the system owner.
    assert who["svc-deploy"] == ("UOLGA", "owner")


def test_owner_review_sends_the_owners_own_account_to_their_manager(database_url: str) -> None:
    db = _db(database_url)
    with db.session_scope() as session:
        import_github(session)
    items = _items(db, _start(db, "owner"))
    assert (items["olga-gh"].reviewer, items["olga-gh"].assigned_because) == (
        "UDAVE",
        "own_account",
    )
    assert items["bob-gh"].reviewer == "UOLGA"


def test_start_refusals(database_url: str) -> None:
    db = _db(database_url)
    with (
        db.session_scope() as session,
        pytest.raises(AccessReviewError, match="github has no accounts yet"),
    ):
        service.start(
            db_session=session,
            systems=["github"],
            mode="owner",
            due=in_two_weeks(),
            created_by="U",
            security=SECURITY,
            zone=ZONE,
        )
    with db.session_scope() as session:
        import_github(session)
    past = datetime.now(UTC) - timedelta(days=1)
    cases = [
        ({"due": past}, "is not in the future"),
        ({"mode": "boss"}, "--reviewer must be manager or owner"),
        ({"security": []}, "SECURITY_TEAM names no user ID"),
        ({"systems": ["github", "aws"]}, "aws has no accounts yet"),
    ]
    for change, message in cases:
        args = {
            "systems": ["github"],
            "mode": "owner",
            "due": in_two_weeks(),
            "security": SECURITY,
            **change,
        }
        with db.session_scope() as session, pytest.raises(AccessReviewError, match=message):
            service.start(db_session=session, created_by="U", zone=ZONE, **args)  # type: ignore[arg-type]


def test_a_reviewer_who_left_is_replaced_by_the_system_owner(database_url: str) -> None:
    db = _db(database_url)
    with db.session_scope() as session:
        # carol leaves: her reports' accounts go to the owner, not to a deactivated manager.
        from core.access_reviews.people import remember_slack

        remember_slack(
            [{"id": "UCAROL", "profile": {"email": "carol@example.com"}, "deleted": True}],
            db_session=session,
        )
        import_github(session)
    items = _items(db, _start(db))
    assert (items["bob-gh"].reviewer, items["bob-gh"].assigned_because) == ("UOLGA", "left")


def test_decisions_removals_exceptions_and_close(database_url: str) -> None:
    db = _db(database_url)
    with db.session_scope() as session:
        import_github(session)
    review_id = _start(db)
    items = _items(db, review_id)
    with db.session_scope() as session:
        with pytest.raises(AccessReviewError, match="assigned to another reviewer"):
            decisions.decide(items["bob-gh"].id, "keep", user_id="UDAVE", db_session=session)
        with pytest.raises(AccessReviewError, match="needs a reason"):
            decisions.decide(items["bob-gh"].id, "keep", user_id="UCAROL", db_session=session)
    with db.session_scope() as session:
        decisions.decide(
            items["bob-gh"].id, "keep", user_id="UCAROL", reason="on-call admin", db_session=session
        )
        # dave: keep all remaining skips the privileged owner account.
        assert decisions.keep_remaining(review_id, user_id="UDAVE", db_session=session) == 2
        decisions.decide(items["svc-deploy"].id, "keep", user_id="UOLGA", db_session=session)
        revoke = decisions.decide(
            items["olga-gh"].id, "revoke", user_id="UDAVE", db_session=session
        )
        assert revoke.removal is not None and revoke.removal.owner == "UOLGA"
        decisions.decide(items["eve-gh"].id, "revoke", user_id="UOLGA", db_session=session)
    with db.session_scope() as session, pytest.raises(AccessReviewError, match="not decided yet"):
        service.close(review_id, db_session=session, closed_by="USEC1")
    with db.session_scope() as session:
        decisions.decide(items["ghost"].id, "revoke", user_id="UOLGA", db_session=session)
    st = _status(db, review_id)
    assert (st.kept, st.revoked, st.undecided, st.removals) == (4, 3, 0, {"open": 3})
    with db.session_scope() as session, pytest.raises(AccessReviewError, match="3 removal"):
        service.close(review_id, db_session=session, closed_by="USEC1")
    with db.session_scope() as session:
        rems = {r.account: r.id for r in removals.open_removals(db_session=session)}
    with db.session_scope() as session:
        with pytest.raises(AccessReviewError, match="Only the system owner"):
            removals.mark_done(
                rems["eve-gh"], user_id="UBOB", is_security=False, db_session=session
            )
        removals.mark_done(
            rems["eve-gh"],
            user_id="UOLGA",
            is_security=False,
            note="removed from org",
            db_session=session,
        )
        removals.mark_done(rems["ghost"], user_id="UOLGA", is_security=False, db_session=session)
        with pytest.raises(AccessReviewError, match="needs a reason"):
            removals.accept_exception(rems["olga-gh"], by="USEC1", reason=" ", db_session=session)
        removals.accept_exception(
            rems["olga-gh"], by="USEC1", reason="sole org owner", db_session=session
        )
    with db.session_scope() as session:
        service.close(review_id, db_session=session, closed_by="USEC1")
    with db.session_scope() as session:
        with pytest.raises(AccessReviewError, match="is closed"):
            decisions.keep_remaining(review_id, user_id="UDAVE", db_session=session)
        records = [
            (r.kind, json.loads(r.payload)) for r in session.scalars(select(ledger.LedgerRecord))
        ]
    kinds = [k for k, _ in records]
    assert kinds.count("access_decision") == 7
    assert kinds.count("access_removal_done") == 2 and kinds.count("access_exception") == 1
    assert kinds[-1] == "access_review_closed"
    bob = next(p for k, p in records if k == "access_decision" and p["account"] == "bob-gh")
    assert (bob["by"], bob["reason"], bob["decision"]) == ("UCAROL", "on-call admin", "keep")
    assert _status(db, review_id).status == "closed"


def _status(db: Database, review_id: int) -> service.Status:
    with db.session_scope() as session:
        return service.status(review_id, db_session=session)
