"""The export's CSV tables: one row per record, every cell neutralised against spreadsheet formulas."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core.evidence.export_ledger import LedgerIndex
from core.evidence.export_links import SEQ_COLUMN
from core.evidence.export_records import ExportRecords, Requirement, iso
from core.models import EvidenceRequest, OrgControl
from core.spreadsheet import csv_bytes

CONTROLS_HEADER = [
    "requirement_id",
    "requirement_title",
    "framework",
    "control_id",
    "control_title",
    "owner",
    "applicable",
    "period",
    "due_at",
    "status",
    "submissions",
    SEQ_COLUMN,  # the control's register change in force at the export
]
EVIDENCE_HEADER = [
    "submission_id",
    "control_id",
    "period",
    "submitted_by",
    "on_behalf",
    "recorded_at",
    "effective_date",
    "text",
    "link",
    "file_name",
    "file_sha256",
    "request_status",
    "reviewed_by",
    "review_comment",
    SEQ_COLUMN,
    "review_ledger_seq",  # the request's latest review, when it has one
]
ACKNOWLEDGEMENTS_HEADER = [
    "campaign_id",
    "campaign_title",
    "user_id",
    "acknowledged_at",
    "document_sha256",
    "quiz_score",
    "failed_quiz_attempts",
    "channel",
    "message_ts",
    SEQ_COLUMN,
]
QUESTIONS_HEADER = [
    "asked_at",
    "user_id",
    "surface",
    "channel",
    "question",
    "top_results",
    "confidence",
    "answered",
    SEQ_COLUMN,
]


@dataclass(frozen=True)
class Table:
    """One export table, written as CSV (formulas neutralised); the report's pages show the records."""

    header: list[str]
    rows: list[list[Any]]

    def csv(self) -> bytes:
        """The table as the CSV an auditor opens in a spreadsheet."""
        return csv_bytes(self.header, self.rows)


def _table(header: list[str], rows: Iterable[list[Any]]) -> Table:
    return Table(header, [list(r) for r in rows])


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def csv_files(
    records: ExportRecords, requirements: dict[str, Requirement], index: LedgerIndex
) -> dict[str, bytes]:
    """The four tables by their name in the ZIP, in the order they are written."""
    return {
        "controls.csv": controls_table(records, requirements, index).csv(),
        "evidence.csv": evidence_table(records, index).csv(),
        "acknowledgements.csv": acknowledgements_table(records, index).csv(),
        "questions.csv": questions_table(records).csv(),
    }


def controls_table(
    records: ExportRecords, requirements: dict[str, Requirement], index: LedgerIndex
) -> Table:
    """A row per in-scope requirement a control implements and per evidence request of it."""
    return _table(
        CONTROLS_HEADER,
        (
            _control_row(rid, requirements[rid], control, request, records)
            + [index.control(control.ref)]
            for control in records.controls
            for rid in control.requirements
            if rid in records.in_scope
            for request in records.requests
            if request.control_id == control.id
        ),
    )


def _control_row(
    rid: str, requirement: Requirement, c: OrgControl, r: EvidenceRequest, records: ExportRecords
) -> list[Any]:
    return [
        rid,
        requirement.title,
        requirement.framework,
        c.ref,
        c.title,
        c.owner,
        _yes_no(c.applicable),
        r.period,
        iso(r.due_at),
        r.status,
        sum(1 for s in records.submissions if s.request_id == r.id),
    ]


def evidence_table(records: ExportRecords, index: LedgerIndex) -> Table:
    """A row per submission in the range, with its control and its request's review."""
    controls = {c.id: c for c in records.controls}
    requests = {r.id: r for r in records.requests}
    rows = []
    for s in records.submissions:
        request = requests[s.request_id]
        ref = controls[request.control_id].ref
        reviewed = request.reviewed_by is not None
        rows.append(
            [
                s.id,
                ref,
                request.period,
                s.submitted_by,
                _yes_no(s.on_behalf),
                iso(s.recorded_at),
                s.effective_date.isoformat(),
                s.text,
                s.link,
                s.file_name,
                s.file_sha256,
                request.status,
                request.reviewed_by,
                request.review_comment,
                index.submissions.get(s.id),
                index.reviews.get((ref, request.period)) if reviewed else None,
            ]
        )
    return _table(EVIDENCE_HEADER, rows)


def acknowledgements_table(records: ExportRecords, index: LedgerIndex) -> Table:
    """A row per acknowledgement in the range, with the quiz score and the failed attempts."""
    return _table(
        ACKNOWLEDGEMENTS_HEADER,
        (
            [
                c.id,
                c.title,
                r.user_id,
                iso(r.acknowledged_at),
                c.document_sha256,
                r.quiz_score,
                records.failed_quizzes[(c.id, r.user_id)],
                r.channel,
                r.ts,
                index.acks.get((c.id, r.user_id)),
            ]
            for c, r in records.acks
        ),
    )


def questions_table(records: ExportRecords) -> Table:
    """A row per question asked in the range, with what the bot answered and its ledger record."""
    return _table(
        QUESTIONS_HEADER,
        (
            [
                iso(q.asked_at),
                q.user_id,
                q.surface,
                q.channel,
                q.text,
                " ".join(q.top_ids),
                q.confidence,
                "yes" if q.answered else "no (gap)",
                q.ledger_seq,
            ]
            for q in records.questions
        ),
    )
