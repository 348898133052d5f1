"""The auditor export as every surface asks for it: the whole catalogue, readiness measured."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from core.config import Settings
from core.db import Database
from core.evidence.export import build_export, soa_rows
from core.evidence.export_records import Progress
from core.evidence.export_witness import Permalinks, fetch_permalinks, witness_posts
from core.evidence.report import ReadinessScope
from core.requirements import requirements
from core.risks.registers import RegisterOptions
from knowledge.catalogue import Catalogue


@dataclass(frozen=True)
class ExportSummary:
    """What a surface tells the person about the export it wrote."""

    path: Path
    submissions: int
    acknowledgements: int
    questions: int
    files: int
    ledger_head: str  # the hash of the ledger record the export matches

    @classmethod
    def of(cls, path: Path, manifest: dict[str, Any]) -> ExportSummary:
        """The summary of a written export from its manifest."""
        counts = manifest["counts"]
        return cls(
            path=path,
            submissions=counts["submissions"],
            acknowledgements=counts["acknowledgements"],
            questions=counts["questions"],
            files=counts["files"],
            ledger_head=manifest["ledger_head"]["hash"],
        )


def export_for_auditors(
    out: Path,
    *,
    db_session: Session,
    catalogue: Catalogue,
    settings: Settings,
    start: datetime | None = None,
    end: datetime | None = None,
    framework: str | None = None,
    progress: Progress | None = None,
    permalinks: Permalinks | None = None,
    allow_empty: bool = False,
) -> ExportSummary:
    """Write the export ZIP to `out` (ExportEmptyError when the range holds nothing, unless allowed)."""
    manifest = build_export(
        out,
        db_session=db_session,
        requirements=requirements(catalogue),
        start=start,
        end=end,
        framework=framework,
        progress=progress,
        readiness_scope=ReadinessScope.of(catalogue, settings),
        zone=settings.zone,
        permalinks=permalinks,
        allow_empty=allow_empty,
        registers=RegisterOptions.from_settings(settings),
    )
    return ExportSummary.of(out, manifest)


def witness_permalinks(
    db: Database, client: WebClient | None, *, since: datetime | None
) -> dict[tuple[str, str], str]:
    """The Slack permalinks of the witness posts an export from `since` lists.

    The posts are read in a session of their own and Slack is asked after it closed, so the
    export's transaction never waits on the network.
    """
    if client is None:
        return {}
    with db.session_scope() as session:
        posts = witness_posts(db_session=session, since=since)
    return fetch_permalinks(client, posts)


def statement_of_applicability(*, db_session: Session, catalogue: Catalogue) -> list[list[str]]:
    """The SoA rows for every Annex A control of the catalogue (write them with write_soa)."""
    annex_a = [
        r for r in requirements(catalogue).values() if catalogue.entries[r.id].kind == "annex_a"
    ]
    return soa_rows(db_session=db_session, annex_a=annex_a)
