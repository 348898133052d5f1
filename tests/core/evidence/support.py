"""Setup the export, report and ledger tests share: the example register, evidence, an export."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from core.config import Settings
from core.db import Database
from core.evidence.export import build_export
from core.evidence.register import import_rows, load_register
from core.evidence.report import ReadinessScope
from core.evidence.service import FileUpload, controls_for, review, submit
from core.models import Campaign, CampaignRecipient
from core.questions.service import record_question
from core.requirements import requirements
from knowledge.answer import Answer
from knowledge.catalogue import Catalogue
from tests.paths import EXAMPLES

EXAMPLE = EXAMPLES / "register.csv"


def import_example_register(db: Database, catalogue: Catalogue) -> None:
    """The example register, alice's email resolved to UALICE and nobody else's."""
    rows = load_register(EXAMPLE, catalogue=catalogue)
    with db.session_scope() as session:
        import_rows(
            rows,
            db_session=session,
            actor="t",
            resolve_user=lambda e: "UALICE" if e.startswith("alice") else None,
        )


def hand_in_two(
    session: Session, settings: Settings, *, text: str, comment: str | None, link: str
) -> None:
    """AC-01 handed in by UALICE with review.pdf and accepted by USEC1; HR-01 a link from UBOB."""
    result = submit(
        controls_for("AC-01", db_session=session),
        db_session=session,
        submitted_by="UALICE",
        text=text,
        zone=settings.zone,
        upload=FileUpload("review.pdf", b"%PDF signed"),
        max_bytes=1000,
        effective=date(2026, 10, 1),
    )
    review(
        result.submissions[0].request_id,
        accept=True,
        reviewer="USEC1",
        comment=comment,
        db_session=session,
    )
    submit(
        controls_for("HR-01", db_session=session),
        db_session=session,
        submitted_by="UBOB",
        link=link,
        zone=settings.zone,
        max_bytes=1000,
    )


def filled_database(database_url: str, catalogue: Catalogue, settings: Settings) -> Database:
    """Register imported, two submissions (one with a file), one accepted."""
    db = Database(database_url)
    import_example_register(db, catalogue)
    with db.session_scope() as session:
        hand_in_two(
            session, settings, text="Q4 review", comment=None, link="https://lms.example.com/r"
        )
    return db


def add_campaign(
    session: Session,
    title: str,
    users: tuple[str, ...],
    *,
    quiz: dict[str, Any] | None = None,
    acknowledged_at: datetime | None = None,
) -> Campaign:
    """A campaign due in a week with its recipients (acknowledged already when a time is given)."""
    campaign = Campaign(
        title=title,
        audience="users:" + ",".join(users),
        due_at=datetime.now(UTC) + timedelta(days=7),
        created_by="USEC1",
    )
    if quiz is not None:  # unset, the column stays SQL NULL as for a campaign made without a quiz
        campaign.quiz = quiz
    session.add(campaign)
    session.flush()
    session.add_all(
        [
            CampaignRecipient(campaign_id=campaign.id, user_id=u, acknowledged_at=acknowledged_at)
            for u in users
        ]
    )
    session.flush()
    return campaign


def export_zip(
    db: Database,
    catalogue: Catalogue,
    out: Path,
    *,
    scope: ReadinessScope | None = None,
    **options: Any,
) -> zipfile.ZipFile:
    """Export the whole catalogue to `out` (readiness measured with a scope) and open the ZIP."""
    with db.session_scope() as session:
        build_export(
            out,
            db_session=session,
            requirements=requirements(catalogue),
            readiness_scope=scope,
            **options,
        )
    return zipfile.ZipFile(out)


def csv_rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    """One of the export's tables, a dict per row."""
    return list(csv.DictReader(io.StringIO(archive.read(name).decode())))


def off_topic(query: str) -> Answer:
    """An answer the search declined: the question is not about security or compliance."""
    answer = Answer(query, False, None)
    answer.declined = True
    return answer


def record_answer(
    db: Database,
    answer: Answer,
    *,
    user_id: str,
    surface: str,
    channel: str | None = None,
) -> None:
    """One question and the bot's answer, recorded in a unit of work of its own."""
    with db.session_scope() as session:
        record_question(
            db_session=session, user_id=user_id, surface=surface, channel=channel, answer=answer
        )


def cli_env(database_url: str, shared_index_dir: Path) -> dict[str, str]:
    """The environment a CLI test runs the app in: the test database, no Slack, no extra knowledge."""
    return {
        "DATABASE_URL": database_url,
        "INDEX_DIR": str(shared_index_dir),
        "SLACK_BOT_TOKEN": "",
        "KNOWLEDGE_DIR": "",
    }
