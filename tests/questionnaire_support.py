"""Shared pieces of the questionnaire tests: a searcher over the example policies, register and files."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select

from core.db import Database
from core.evidence.register import import_rows, read_rows, validate
from core.evidence.service import ensure_request, review
from core.models import OrgControl
from knowledge.catalogue import Catalogue, load_catalogue
from knowledge.search import Searcher
from tests.fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parents[1]
REGISTER = ROOT / "examples" / "register.csv"
POLICIES = ROOT / "examples" / "policies"
LIBRARY = ROOT / "examples" / "library.csv"
ADDED = ["Answer", "Status", "Confidence", "Sources"]  # the columns an answered file gains


def policy_catalogue() -> Catalogue:
    """The bundled catalogue plus the example KNOWLEDGE_DIR policies."""
    return load_catalogue(POLICIES)


def fake_searcher(index_dir: Path) -> Searcher:
    """A searcher over catalogue and example policies with the instant fake embedder."""
    return Searcher(policy_catalogue(), FakeEmbedder(), index_dir)


def import_register(db: Database, catalogue: Catalogue) -> None:
    """The example register, as `register import` would load it."""

    def resolve(raw: str) -> str | None:
        entry, _ = catalogue.resolve(raw)
        return entry.id if entry is not None else None

    rows = validate(
        read_rows(REGISTER), resolve_requirement=resolve, known_ids=list(catalogue.entries)
    )
    with db.session_scope() as session:
        import_rows(rows, db_session=session, actor="tester")


def import_examples(db: Database, catalogue: Catalogue) -> None:
    """The example register and answer library, as `register import` and `library import` load them."""
    from core.questionnaires.library import import_library

    import_register(db, catalogue)
    with db.session_scope() as session:
        import_library(
            "library.csv",
            LIBRARY.read_bytes(),
            db_session=session,
            catalogue=catalogue,
            actor="USEC1",
        )


def accept_evidence(db: Database, ref: str, when: datetime) -> None:
    """Evidence for one control handed in and accepted (reviewed) at `when`."""
    from core.evidence.service import submit

    with db.session_scope() as session:
        control = session.scalars(select(OrgControl).where(OrgControl.ref == ref)).one()
        submit(
            [control],
            db_session=session,
            submitted_by="UOWNER",
            text="done",
            now=when,
            zone=UTC,
            max_bytes=1000,
        )
        request = ensure_request(control, when, UTC, db_session=session)
        review(request.id, accept=True, reviewer="USEC1", comment=None, db_session=session)
        request.reviewed_at = when


def xlsx(rows: list[list[Any]], *, title: str = "Questions", extra: bool = True) -> bytes:
    """A workbook whose first sheet holds rows (and a second sheet to keep, when extra)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if extra:
        other = book.create_sheet("Cover")
        other.append(["Prepared for", "Example Customer"])
        other.append(["Total", 3.5])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
