"""The hand-in service on real SQLite and PostgreSQL: plain results that outlive the session."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select

from core.config import Settings
from core.db import Database
from core.evidence.handin import (
    AlreadyHad,
    HandedIn,
    UnknownControlError,
    aim,
    control_of_request,
    find_controls,
    hand_in,
    mentioned_target,
)
from core.evidence.reviewing import decide
from core.evidence.service import EvidenceError, FileUpload
from core.models import EvidenceRequest, OrgControl, Submission
from knowledge.catalogue import Catalogue


@pytest.fixture
def db(database_url: str) -> Database:
    """AC-01 (implements A.5.18, owned by U1) and AC-02 (owned by U2)."""
    database = Database(database_url)
    with database.session_scope() as session:
        session.add_all(
            [
                OrgControl(
                    ref="AC-01",
                    title="Access review",
                    requirements=["A.5.18"],
                    owner="U1",
                    owner_user_id="U1",
                    cadence="quarterly",
                ),
                OrgControl(
                    ref="AC-02", title="MFA", requirements=[], owner="U2", cadence="quarterly"
                ),
            ]
        )
    return database


def _hand_in(db: Database, settings: Settings, ids: list[int], **kwargs: Any) -> HandedIn:
    with db.session_scope() as session:
        return hand_in(
            ids,
            db_session=session,
            zone=settings.zone,
            max_bytes=1000,
            **{"submitted_by": "U1", **kwargs},
        )


def test_controls_are_found_by_ref_or_requirement_and_unknown_ones_refused(
    db: Database, catalogue: Catalogue
) -> None:
    with db.session_scope() as session:
        by_ref = find_controls("ac-02", db_session=session, catalogue=catalogue, equivalents={})
        by_id = find_controls("A.5.18", db_session=session, catalogue=catalogue, equivalents={})
        with pytest.raises(UnknownControlError, match="Did you mean AC-01"):
            find_controls("AC-1", db_session=session, catalogue=catalogue, equivalents={})
        with pytest.raises(UnknownControlError, match="No control in the register implements"):
            find_controls("A.8.23", db_session=session, catalogue=catalogue, equivalents={})
        named = mentioned_target("the Q4 review for ac-02", db_session=session, catalogue=catalogue)
    assert [c.ref for c in by_ref] == ["AC-02"] and [c.ref for c in by_id] == ["AC-01"]
    assert named == "AC-02"


def test_the_result_is_plain_data_readable_after_the_session(
    db: Database, settings: Settings
) -> None:
    with db.session_scope() as session:
        ids = [c.id for c in session.scalars(select(OrgControl).order_by(OrgControl.ref))]
    result = _hand_in(
        db,
        settings,
        ids,
        text="Q4 review, export at <https://drive.example.com/q4>",
        upload=FileUpload("review.pdf", b"%PDF signed"),
    )
    assert result.link == "https://drive.example.com/q4" and result.file_name == "review.pdf"
    assert [(r.control.ref, r.on_behalf) for r in result.recorded] == [
        ("AC-01", False),
        ("AC-02", True),
    ]
    again = _hand_in(db, settings, ids[:1], upload=FileUpload("copy.pdf", b"%PDF signed"))
    assert again.recorded == () and again.duplicates == (
        AlreadyHad("AC-01", result.recorded[0].period),
    )
    with db.session_scope() as session:
        assert len(session.scalars(select(Submission)).all()) == 2


def test_a_control_gone_from_the_register_is_refused(db: Database, settings: Settings) -> None:
    with db.session_scope() as session:
        gone = session.scalars(select(OrgControl.id).where(OrgControl.ref == "AC-02")).one()
        session.execute(delete(OrgControl).where(OrgControl.id == gone))
    with pytest.raises(EvidenceError, match="no longer in the register"):
        _hand_in(db, settings, [gone], text="done")
    with db.session_scope() as session, pytest.raises(EvidenceError, match="no longer exists"):
        control_of_request(12345, db_session=session)


def test_a_verdict_names_the_owner_to_tell(db: Database, settings: Settings) -> None:
    with db.session_scope() as session:
        ac01 = session.scalars(select(OrgControl.id).where(OrgControl.ref == "AC-01")).one()
    request_id = _hand_in(db, settings, [ac01], text="done").recorded[0].request_id
    with db.session_scope() as session:
        assert control_of_request(request_id, db_session=session).ref == "AC-01"
        verdict = decide(
            request_id, accept=False, reviewer="USEC1", comment=" unsigned ", db_session=session
        )
    assert (verdict.control_ref, verdict.accepted, verdict.comment) == ("AC-01", False, "unsigned")
    assert verdict.owner_user_id == "U1"
    with db.session_scope() as session:
        assert session.get(EvidenceRequest, request_id).status == "rejected"  # type: ignore[union-attr]


def test_a_control_named_past_the_first_word_counts_only_with_a_file_or_link(
    db: Database, catalogue: Catalogue
) -> None:
    def aimed(text: str, *, loose: bool, with_files: bool = False):  # type: ignore[no-untyped-def]
        with db.session_scope() as session:
            return aim(
                text.split()[0],
                text,
                loose=loose,
                with_files=with_files,
                db_session=session,
                catalogue=catalogue,
                equivalents={},
            )

    first = aimed("ac-01 the review", loose=False)
    inside = aimed("review for AC-02 https://x.example/r", loose=True)
    assert ([c.ref for c in first.controls], first.named_inside) == (["AC-01"], False)
    assert (inside.target, [c.ref for c in inside.controls], inside.named_inside) == (
        "AC-02",
        ["AC-02"],
        True,
    )
    with pytest.raises(UnknownControlError, match="I don't know a control called `review`"):
        aimed("review for AC-02", loose=False)
    with pytest.raises(UnknownControlError, match="I don't know a control called `screenshots`"):
        aimed("screenshots https://x.example/s", loose=True)
    nothing = aimed("screenshots of MFA", loose=True, with_files=True)
    assert (nothing.target, nothing.controls) == (None, [])
