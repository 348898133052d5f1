"""The auditor export (a ZIP that matches the database) and the Statement of Applicability."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.evidence.report import ReadinessScope, ReportInput, render_report
from core.models import (
    Blob,
    Campaign,
    CampaignRecipient,
    EvidenceRequest,
    LedgerRecord,
    OrgControl,
    Question,
    Submission,
    utcnow,
)
from core.spreadsheet import csv_bytes


class ExportEmptyError(Exception):
    """Nothing happened in the requested range; no file was written."""


@dataclass(frozen=True)
class Requirement:
    """A catalogue ID with its title and framework, as the export needs it."""

    id: str
    title: str
    framework: str


Progress = Callable[[str], None]


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


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _in_range(value: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    return value is not None and (start is None or value >= start) and (end is None or value <= end)


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80] or "file"


def build_export(
    out: Path,
    *,
    db_session: Session,
    requirements: dict[str, Requirement],
    start: datetime | None = None,
    end: datetime | None = None,
    framework: str | None = None,
    progress: Progress | None = None,
    readiness_scope: ReadinessScope | None = None,
) -> dict[str, Any]:
    """Write the export ZIP atomically and return its manifest (with readiness_scope, readiness too)."""
    step = progress or (lambda _msg: None)
    in_scope = {rid for rid, r in requirements.items() if framework in (None, r.framework)}
    controls = list(db_session.scalars(select(OrgControl).order_by(OrgControl.ref)))
    controls = [c for c in controls if framework is None or in_scope & set(c.requirements)]
    control_ids = {c.id for c in controls}
    by_id = {c.id: c for c in controls}
    requests = [
        r
        for r in db_session.scalars(select(EvidenceRequest).order_by(EvidenceRequest.due_at))
        if r.control_id in control_ids
    ]
    request_by_id = {r.id: r for r in requests}
    step("evidence")
    submissions = [
        s
        for s in db_session.scalars(
            select(Submission).order_by(Submission.recorded_at, Submission.id)
        )
        if s.request_id in request_by_id and _in_range(s.recorded_at, start, end)
    ]
    acks = [
        (c, r)
        for c, r in db_session.execute(
            select(Campaign, CampaignRecipient)
            .join(CampaignRecipient, CampaignRecipient.campaign_id == Campaign.id)
            .order_by(CampaignRecipient.acknowledged_at)
        )
        if _in_range(r.acknowledged_at, start, end)
    ]
    failed_quizzes: Counter[tuple[int, str]] = Counter()
    for payload in db_session.scalars(
        select(LedgerRecord.payload).where(LedgerRecord.kind == ledger.QUIZ_FAILED)
    ):
        attempt = json.loads(payload)
        failed_quizzes[(attempt["campaign"], attempt["user"])] += 1
    questions = [
        q
        for q in db_session.scalars(select(Question).order_by(Question.asked_at))
        if _in_range(q.asked_at, start, end)
    ]
    if not submissions and not acks and not questions:
        span = f"between {_iso(start) or 'the beginning'} and {_iso(end) or 'now'}"
        raise ExportEmptyError(
            f"No evidence, acknowledgements or questions were recorded {span}; nothing exported."
        )
    controls_table = _table(
        [
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
        ],
        (
            [
                rid,
                requirements[rid].title,
                requirements[rid].framework,
                c.ref,
                c.title,
                c.owner,
                "yes" if c.applicable else "no",
                r.period,
                _iso(r.due_at),
                r.status,
                sum(1 for s in submissions if s.request_id == r.id),
            ]
            for c in controls
            for rid in c.requirements
            if rid in in_scope
            for r in requests
            if r.control_id == c.id
        ),
    )
    evidence_table = _table(
        [
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
        ],
        (
            [
                s.id,
                by_id[request_by_id[s.request_id].control_id].ref,
                request_by_id[s.request_id].period,
                s.submitted_by,
                "yes" if s.on_behalf else "no",
                _iso(s.recorded_at),
                s.effective_date.isoformat(),
                s.text,
                s.link,
                s.file_name,
                s.file_sha256,
                request_by_id[s.request_id].status,
                request_by_id[s.request_id].reviewed_by,
                request_by_id[s.request_id].review_comment,
            ]
            for s in submissions
        ),
    )
    acks_table = _table(
        [
            "campaign_id",
            "campaign_title",
            "user_id",
            "acknowledged_at",
            "document_sha256",
            "quiz_score",
            "failed_quiz_attempts",
            "channel",
            "message_ts",
        ],
        (
            [
                c.id,
                c.title,
                r.user_id,
                _iso(r.acknowledged_at),
                c.document_sha256,
                r.quiz_score,
                failed_quizzes[(c.id, r.user_id)],
                r.channel,
                r.ts,
            ]
            for c, r in acks
        ),
    )
    questions_table = _table(
        [
            "asked_at",
            "user_id",
            "surface",
            "channel",
            "question",
            "top_results",
            "confidence",
            "answered",
            "ledger_seq",
        ],
        (
            [
                _iso(q.asked_at),
                q.user_id,
                q.surface,
                q.channel,
                q.text,
                " ".join(q.top_ids),
                q.confidence,
                "yes" if q.answered else "no (gap)",
                q.ledger_seq,
            ]
            for q in questions
        ),
    )
    files: dict[str, bytes] = {
        "controls.csv": controls_table.csv(),
        "evidence.csv": evidence_table.csv(),
        "acknowledgements.csv": acks_table.csv(),
        "questions.csv": questions_table.csv(),
    }
    step("files")
    file_paths: dict[int, str] = {}
    for s in submissions:
        if s.file_sha256:
            blob = db_session.get(Blob, s.file_sha256)
            if blob is not None:
                path = f"files/{s.file_sha256[:16]}_{_safe_name(s.file_name or 'file')}"
                files[path] = blob.content
                file_paths[s.id] = path
    with db_session.no_autoflush:
        seq, head = ledger.head(db_session=db_session)
    generated_at = utcnow()
    manifest: dict[str, Any] = {
        "generated_at": generated_at.isoformat(),
        "range": {"from": _iso(start) or None, "to": _iso(end) or None},
        "framework": framework,
        "ledger_head": {"seq": seq, "hash": head},
        "counts": {
            "controls": len(controls),
            "evidence_requests": len(requests),
            "submissions": len(submissions),
            "acknowledgements": len(acks),
            "questions": len(questions),
            "files": sum(1 for name in files if name.startswith("files/")),
        },
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    tables = sorted(files)
    pages = render_report(
        ReportInput(
            generated_at=generated_at,
            start=start,
            end=end,
            framework=framework,
            head=(seq, head),
            requirements=requirements,
            in_scope=in_scope,
            controls=controls,
            requests=requests,
            submissions=submissions,
            acks=acks,
            failed_quizzes=failed_quizzes,
            questions=questions,
            files=file_paths,
            downloads=[n for n in tables if not n.startswith("files/")] + ["manifest.json"],
        ),
        db_session=db_session,
        scope=readiness_scope,
    )
    for name, data in pages.items():
        files[name] = data
        manifest["files"][name] = hashlib.sha256(data).hexdigest()
    step("zip")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
            for name, data in files.items():
                archive.writestr(name, data)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return manifest


def soa_rows(*, db_session: Session, annex_a: list[Requirement]) -> list[list[str]]:
    """The Statement of Applicability: every Annex A control with applicability and status."""
    controls = list(db_session.scalars(select(OrgControl).order_by(OrgControl.ref)))
    latest: dict[int, EvidenceRequest] = {}
    for req in db_session.scalars(select(EvidenceRequest).order_by(EvidenceRequest.due_at)):
        latest[req.control_id] = req
    rows = []
    for item in annex_a:
        implementing = [c for c in controls if item.id in c.requirements]
        if not implementing:
            rows.append([item.id, item.title, "not assessed", "", "", "no implementing control"])
            continue
        applicable = [c for c in implementing if c.applicable]
        justification = "; ".join(c.justification for c in implementing if c.justification)
        statuses = [
            f"{c.ref}: {latest[c.id].status} ({latest[c.id].period})"
            if c.id in latest
            else f"{c.ref}: no request yet"
            for c in applicable
        ]
        rows.append(
            [
                item.id,
                item.title,
                "yes" if applicable else "no",
                justification,
                ", ".join(c.ref for c in implementing),
                "; ".join(statuses) or "excluded",
            ]
        )
    return rows


def write_soa(out: Path, rows: list[list[str]]) -> None:
    """Write the SoA CSV."""
    out.write_bytes(
        csv_bytes(
            ["annex_a_id", "title", "applicable", "justification", "implemented_by", "status"], rows
        )
    )
