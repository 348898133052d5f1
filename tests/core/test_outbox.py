"""The outbox: references as columns (migration 0004 backfills older rows) and content as data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select, text

from bot.blocks.messages import acknowledged, render
from core.campaigns.delivery import INVITE, REPORT
from core.db import Database, dispose_engines
from core.evidence.reminders import LEGACY_NUDGE as NUDGE  # rows queued before the engine
from core.migrate import upgrade
from core.models import Outbox
from core.outbox import CAMPAIGN, LEDGER, Ref, enqueue
from jobs.digest import DIGEST
from jobs.witness import WITNESS


def test_rows_queued_before_0004_get_their_reference_from_the_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0003")
    engine = create_engine(url)
    keys = ["campaign:7:U1:invite", "nudge:12:3", "escalation:12", "witness:41:abcdef", "odd"]
    with engine.begin() as conn:
        for n, key in enumerate(keys):
            conn.execute(
                text(
                    "INSERT INTO outbox (key, kind, recipient, payload, status, not_before,"
                    " attempts, created_at) VALUES (:k, 'x', 'U1', '{}', 'pending', :t, 0, :t)"
                ),
                {"k": key, "t": datetime(2026, 1, 1, n, tzinfo=UTC)},
            )
    engine.dispose()
    upgrade(url)
    with Database(url).session_scope() as session:
        refs = {r.key: (r.ref_type, r.ref_id) for r in session.scalars(select(Outbox))}
    dispose_engines()
    assert refs == {
        "campaign:7:U1:invite": ("campaign", 7),
        "nudge:12:3": ("evidence_request", 12),
        "escalation:12": ("evidence_request", 12),
        "witness:41:abcdef": ("ledger", 41),
        "odd": (None, None),
    }


def test_enqueue_once_per_key_with_its_reference(database_url: str) -> None:
    db = Database(database_url)
    with db.session_scope() as session:
        assert enqueue("k1", REPORT, "C1", {"text": "hi"}, ref=Ref(CAMPAIGN, 3), db_session=session)
        assert not enqueue(
            "k1", REPORT, "C1", {"text": "x"}, ref=Ref(LEDGER, 1), db_session=session
        )
    with db.session_scope() as session:
        row = session.scalars(select(Outbox)).one()
        assert (row.ref_type, row.ref_id, row.payload) == ("campaign", 3, {"text": "hi"})


def test_content_is_laid_out_by_kind_at_send_time() -> None:
    invite = render(
        INVITE,
        {
            "campaign_id": 3,
            "title": "Policy",
            "due": "2027-01-31T22:59:59+00:00",
            "link": None,
            "document_name": None,
            "document_sha256": None,
            "has_quiz": True,
            "reminder": False,
        },
        zone=UTC,
    )
    assert invite["text"] == ":memo: Please read and acknowledge Policy by 2027-01-31."
    assert invite["blocks"][-1]["elements"][0]["action_id"] == "take_quiz"
    nudge = render(
        NUDGE,
        {
            "request_id": 5,
            "control_ref": "AC-01",
            "control_title": "Access review",
            "period": "2026-Q4",
            "due": "2026-12-31T00:00:00+00:00",
            "overdue_days": 2,
            "due_today": False,
            "expected": "",
        },
        zone=UTC,
    )
    assert "is 2 day(s) overdue" in nudge["text"]
    assert render(WITNESS, {"text": "*head*", "head": "ab"}, zone=UTC)["text"] == "head"
    laid_out = {"text": "queued before content was data", "blocks": [{"type": "divider"}]}
    assert render(REPORT, laid_out, zone=UTC) == laid_out


def test_days_are_shown_in_the_organisations_zone_or_the_owners() -> None:
    los_angeles = ZoneInfo("America/Los_Angeles")
    # The end of 15 December in Los Angeles is 07:59 UTC on the 16th.
    invite = render(
        INVITE,
        {
            "campaign_id": 3,
            "title": "Policy",
            "due": "2026-12-16T07:59:59+00:00",
            "link": None,
            "document_name": None,
            "document_sha256": None,
            "has_quiz": False,
        },
        zone=los_angeles,
    )
    assert invite["text"] == ":memo: Please read and acknowledge Policy by 2026-12-15."
    nudge = {
        "request_id": 5,
        "control_ref": "AC-01",
        "control_title": "Access review",
        "period": "2026-Q4",
        "due": "2027-01-01T03:00:00+00:00",
        "overdue_days": 0,
        "due_today": False,
        "expected": "",
    }
    # The owner's days were counted in Tokyo, where that instant is noon on 1 January.
    in_tokyo = render(NUDGE, {**nudge, "zone": "Asia/Tokyo"}, zone=los_angeles)
    assert "is due on 2027-01-01." in in_tokyo["text"]
    # Rows queued before the owner's zone was recorded fall back to the organisation's (LA: the
    # evening of 31 December; UTC would say 1 January).
    assert "is due on 2026-12-31." in render(NUDGE, nudge, zone=los_angeles)["text"]
    done = acknowledged("Policy", datetime(2026, 12, 2, 3, 0, tzinfo=UTC), 0.9, los_angeles)
    assert "You acknowledged Policy on 2026-12-01 19:00 PST (quiz score 90%)." in done["text"]


def test_the_digest_names_days_in_the_organisations_zone() -> None:
    empty = {"total": 0, "items": []}
    overdue = {
        "total": 1,
        "items": [
            {
                "id": "A.8.13",
                "title": "Information backup",
                "owners": ["U0OPS"],
                "due_at": "2026-12-01T07:59:59+00:00",
            }
        ],
    }
    content = {
        "since": "2026-11-24T16:00:00+00:00",
        "frameworks": [],
        "became_overdue": overdue,
        "became_stale": empty,
        "new_gaps": empty,
        "top_overdue_owners": [],
    }
    text = str(render(DIGEST, content, zone=ZoneInfo("Pacific/Auckland"))["blocks"])
    assert (
        "changes since 2026-11-25" in text and "A.8.13 Information backup, due 2026-12-01" in text
    )
    text = str(render(DIGEST, content, zone=ZoneInfo("America/Los_Angeles"))["blocks"])
    assert "changes since 2026-11-24" in text and ", due 2026-11-30 — <@U0OPS>" in text
