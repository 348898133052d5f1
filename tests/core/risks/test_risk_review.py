"""The owner's review of a risk: still accurate, an update, an acceptance and refused ones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.db import Database
from core.models import LedgerRecord
from core.risks.models import Risk, RiskAcceptance
from core.risks.review import RiskUpdate, accept_residual, update_risk
from core.risks.scale import RiskScale
from core.risks.service import RiskError, StaleRiskError, mark_accurate, risk_record
from knowledge.catalogue import Catalogue
from tests.core.risks.support import filled_risks

NOW = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
SCALE = RiskScale()


def _risk_id(db: Database, ref: str) -> int:
    with db.session_scope() as session:
        return session.scalars(select(Risk.id).where(Risk.ref == ref)).one()


def _kinds(db: Database) -> list[str]:
    with db.session_scope() as session:
        return list(session.scalars(select(LedgerRecord.kind).order_by(LedgerRecord.seq)))


def test_still_accurate_moves_the_next_review_by_the_cadence(
    database_url: str, catalogue: Catalogue
) -> None:
    db = filled_risks(database_url, catalogue)
    rid = _risk_id(db, "R-01")
    with db.session_scope() as session:
        mark_accurate(rid, version=1, user_id="UALICE", db_session=session, now=NOW)
    with db.session_scope() as session:
        risk = session.get(Risk, rid)
        assert risk is not None and risk.next_review_at == datetime(2027, 6, 2, 9, 0, tzinfo=UTC)
        assert risk.last_reviewed_at == NOW
    assert _kinds(db)[-1] == "risk_review"


def test_only_the_owner_reviews_and_a_stale_version_is_refused(
    database_url: str, catalogue: Catalogue
) -> None:
    db = filled_risks(database_url, catalogue)
    rid = _risk_id(db, "R-01")
    with db.session_scope() as session, pytest.raises(RiskError, match="Only the owner of R-01"):
        mark_accurate(rid, version=1, user_id="UBOB", db_session=session, now=NOW)
    update = RiskUpdate(3, 4, 1, 3, "mitigate", "2027-04-30 Remote wipe")
    with db.session_scope() as session:
        update_risk(
            rid, update, version=1, user_id="UALICE", scale=SCALE, db_session=session, now=NOW
        )
    with db.session_scope() as session, pytest.raises(StaleRiskError) as stale:
        mark_accurate(rid, version=1, user_id="UALICE", db_session=session, now=NOW)
    assert stale.value.version == 2 and "you saw version 1" in str(stale.value)
    with db.session_scope() as session:
        record = risk_record("R-01", db_session=session)
        assert record is not None
        assert [(v.version, v.how) for v in record.versions] == [(1, "import"), (2, "update")]
        assert [r.outcome for r in record.reviews] == ["updated"]
        assert [a.text for a in record.actions if a.status == "open"] == ["Remote wipe"]


def test_an_update_outside_the_scale_is_refused(database_url: str, catalogue: Catalogue) -> None:
    db = filled_risks(database_url, catalogue)
    rid = _risk_id(db, "R-01")
    bad = RiskUpdate(7, 4, 1, 3, "ignore", "")
    with db.session_scope() as session, pytest.raises(RiskError, match="likelihood: Use a whole"):
        update_risk(rid, bad, version=1, user_id="UALICE", scale=SCALE, db_session=session, now=NOW)


def test_acceptance_by_owner_then_security_approval(
    database_url: str, catalogue: Catalogue
) -> None:
    db = filled_risks(database_url, catalogue)
    rid = _risk_id(db, "R-02")  # accept, residual 2 x 5 = 10: above 6, not above 12
    strict = RiskScale(approval_score=8)

    def accept(user: str, *, team: bool = False, scale: RiskScale = SCALE) -> RiskAcceptance:
        with db.session_scope() as session:
            return accept_residual(
                rid,
                version=1,
                user_id=user,
                on_security_team=team,
                scale=scale,
                db_session=session,
                now=NOW,
            )

    with pytest.raises(RiskError, match="Only the owner of R-02"):
        accept("UBOB")
    with pytest.raises(RiskError, match="accepts it first"):
        accept("USEC1", team=True, scale=strict)
    accepted = accept("U0OPSLEAD", scale=strict)
    assert accepted.needs_approval and accepted.approved_by is None
    with pytest.raises(RiskError, match="already accepted"):
        accept("U0OPSLEAD", scale=strict)
    approved = accept("USEC1", team=True, scale=strict)
    assert approved.approved_by == "USEC1"
    with db.session_scope() as session:
        record = risk_record("R-02", db_session=session)
        assert record is not None
        assert [r.outcome for r in record.reviews] == ["accepted", "approved"]
    assert _kinds(db)[-4:] == ["risk_acceptance", "risk_review", "risk_acceptance", "risk_review"]


def test_a_mitigated_risk_needs_no_acceptance(database_url: str, catalogue: Catalogue) -> None:
    db = filled_risks(database_url, catalogue)
    rid = _risk_id(db, "R-01")
    with db.session_scope() as session, pytest.raises(RiskError, match="needs no sign-off"):
        accept_residual(
            rid,
            version=1,
            user_id="UALICE",
            on_security_team=False,
            scale=SCALE,
            db_session=session,
            now=NOW,
        )


def test_the_owner_closes_a_treatment_action(database_url: str, catalogue: Catalogue) -> None:
    from core.risks.models import RiskAction
    from core.risks.service import complete_action, open_actions

    db = filled_risks(database_url, catalogue)
    with db.session_scope() as session:
        action = session.scalars(select(RiskAction).where(RiskAction.text.like("Enforce%"))).one()
        with pytest.raises(RiskError, match="Only the owner of R-01"):
            complete_action(action.id, user_id="UBOB", db_session=session, now=NOW)
        complete_action(action.id, user_id="UALICE", db_session=session, now=NOW)
        with pytest.raises(RiskError, match="already done"):
            complete_action(action.id, user_id="UALICE", db_session=session, now=NOW)
        assert action.id not in [a.id for a in open_actions(db_session=session)]
    assert _kinds(db)[-1] == "risk_action_done"
