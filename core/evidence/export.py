"""The auditor export (a ZIP that matches the database) and the Statement of Applicability."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.access_reviews.export import export_files as access_review_files
from core.access_reviews.export import ledger_seqs as access_review_seqs
from core.errors import DomainError
from core.evidence import verifier
from core.evidence.export_files import zip_path
from core.evidence.export_ledger import (
    LEDGER_FILE,
    ChainSpan,
    LedgerIndex,
    chain_span,
    index_ledger,
    needed_seqs,
    write_ledger,
)
from core.evidence.export_links import BlobLinks, tables_spec
from core.evidence.export_records import (
    ExportRecords,
    Progress,
    Requirement,
    iso,
    select_records,
)
from core.evidence.export_tables import csv_files
from core.evidence.export_witness import WITNESS_FILE, Permalinks, witness_posts, witness_table
from core.evidence.report import ReadinessScope, ReportInput, render_report
from core.incidents.export import Range, any_reported, incident_files
from core.incidents.export import ledger_seqs as incident_seqs
from core.localtime import local_day
from core.models import Blob, EvidenceRequest, OrgControl, Submission, utcnow
from core.risks.registers import RegisterOptions, register_files, register_seqs, risks_treated
from core.spreadsheet import csv_bytes

VERIFIER_FILE = "verify.py"

__all__ = ["ExportEmptyError", "Progress", "Requirement", "build_export", "soa_rows", "write_soa"]


class ExportEmptyError(DomainError):
    """Nothing happened in the requested range; no file was written."""


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
    zone: tzinfo = UTC,
    permalinks: Permalinks | None = None,
    allow_empty: bool = False,
    registers: RegisterOptions | None = None,
) -> dict[str, Any]:
    """Write the export ZIP atomically and return its manifest (with readiness_scope, readiness too).

    `permalinks` are the witness posts' Slack links, fetched before the session opened.
    """
    step = progress or (lambda _msg: None)
    records = select_records(
        db_session=db_session,
        requirements=requirements,
        start=start,
        end=end,
        framework=framework,
        progress=step,
    )
    if (
        records.empty
        and not allow_empty
        and not any_reported(db_session=db_session, start=start, end=end)
    ):
        raise ExportEmptyError(_nothing_recorded(start, end, zone))
    with db_session.no_autoflush:
        head = ledger.head(db_session=db_session)
    index = index_ledger(db_session=db_session, up_to=head[0])
    witnesses = witness_posts(db_session=db_session, since=start, head_seq=head[0])
    needed = needed_seqs(records, index, (w.seq for w in witnesses))
    needed |= _domain_seqs(db_session, start, end)
    span = chain_span(needed, head, db_session=db_session)
    blobs = BlobLinks()
    files = csv_files(records, requirements, index)
    files[WITNESS_FILE] = witness_table(witnesses, permalinks or {})
    # The risk and supplier registers as they stand now (issue 24).
    options = registers or RegisterOptions()
    files.update(
        register_files(db_session=db_session, options=options, zone=zone, now=utcnow(), blobs=blobs)
    )
    # access reviews: access_reviews.csv, a page per review and the snapshots reviewed
    files.update(
        access_review_files(db_session=db_session, zone=zone, start=start, end=end, blobs=blobs)
    )
    step("files")
    file_paths = _add_blobs(files, records.submissions, index, blobs, db_session)
    evidence = set(file_paths.values())
    generated_at = utcnow()
    # The incident register is built by its own domain: its table beside the others, pages later.
    incident_pages = incident_files(
        db_session=db_session, span=Range(start, end, generated_at, framework, zone), blobs=blobs
    )
    for name in [n for n in incident_pages if n.endswith(".csv") or n.startswith("files/")]:
        files[name] = incident_pages.pop(name)  # incidents.csv and the timeline's files
    manifest = _manifest(generated_at, start, end, framework, head, records, files)
    report = ReportInput(
        generated_at=generated_at,
        start=start,
        end=end,
        framework=framework,
        head=head,
        requirements=requirements,
        records=records,
        files=file_paths,
        downloads=_downloads({**files, **incident_pages}),  # the summary links every page
        attachments=tuple(n for n in files if n.startswith("files/") and n not in evidence),
        zone=zone,
        witnesses=len(witnesses),
    )
    pages = render_report(report, db_session=db_session, scope=readiness_scope)
    _add_pages(files, manifest, pages)
    _add_pages(files, manifest, incident_pages)
    files[VERIFIER_FILE] = Path(verifier.__file__).read_bytes()
    manifest["files"][VERIFIER_FILE] = _sha256(files[VERIFIER_FILE])
    manifest["tables"] = tables_spec(sorted(n for n in files if n.endswith(".csv")))
    manifest["blobs"] = blobs.paths
    step("zip")
    _write_zip(out, manifest, files, span, db_session)
    return manifest


def _domain_seqs(db_session: Session, start: datetime | None, end: datetime | None) -> set[int]:
    """The records other domains' register rows and files name (access reviews, incidents, risks)."""
    return (
        access_review_seqs(db_session=db_session, start=start, end=end)
        | incident_seqs(db_session=db_session, start=start, end=end)
        | register_seqs(db_session=db_session)
    )


def _nothing_recorded(start: datetime | None, end: datetime | None, zone: tzinfo) -> str:
    first = local_day(start, zone) if start else "the beginning"
    last = local_day(end, zone) if end else "now"
    span = f"between {first} and {last} ({zone})"
    return f"No evidence, acknowledgements, questions or incidents were recorded {span}; nothing exported."


def _add_blobs(
    files: dict[str, bytes],
    submissions: list[Submission],
    index: LedgerIndex,
    blobs: BlobLinks,
    db_session: Session,
) -> dict[int, str]:
    """Copy each handed-in file under files/, tied to its record; return where each copy is."""
    paths: dict[int, str] = {}
    for s in submissions:
        if not s.file_sha256:
            continue
        blob = db_session.get(Blob, s.file_sha256)
        if blob is not None:
            path = zip_path(s.file_sha256, s.file_name or "file")
            files[path] = blob.content
            paths[s.id] = path
            seq = index.submissions.get(s.id)
            if seq is not None and path not in blobs.paths:
                blobs.add(path, seq)
    return paths


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(
    generated_at: datetime,
    start: datetime | None,
    end: datetime | None,
    framework: str | None,
    head: tuple[int, str],
    records: ExportRecords,
    files: dict[str, bytes],
) -> dict[str, Any]:
    """What the ZIP holds, with the ledger head it matches and every file's SHA-256."""
    return {
        "format": verifier.FORMAT,
        "generated_at": generated_at.isoformat(),
        "range": {"from": iso(start) or None, "to": iso(end) or None},
        "framework": framework,
        "ledger_head": {"seq": head[0], "hash": head[1]},
        "counts": {
            "controls": len(records.controls),
            "evidence_requests": len(records.requests),
            "submissions": len(records.submissions),
            "acknowledgements": len(records.acks),
            "questions": len(records.questions),
            "files": sum(1 for name in files if name.startswith("files/")),
        },
        "files": {name: _sha256(data) for name, data in sorted(files.items())},
    }


def _downloads(files: dict[str, bytes]) -> list[str]:
    """The tables and the manifest, as the report's summary links them."""
    return [n for n in sorted(files) if not n.startswith("files/")] + [
        LEDGER_FILE,
        VERIFIER_FILE,
        "manifest.json",
    ]


def _add_pages(files: dict[str, bytes], manifest: dict[str, Any], pages: dict[str, bytes]) -> None:
    # The pages are listed after the tables and files: the report links those, not the reverse.
    for name, data in pages.items():
        files[name] = data
        manifest["files"][name] = _sha256(data)


def _write_zip(
    out: Path,
    manifest: dict[str, Any],
    files: dict[str, bytes],
    span: ChainSpan,
    db_session: Session,
) -> None:
    """Write the ZIP beside `out` and move it into place, so a failed export leaves no partial file.

    ledger.jsonl is streamed from the database; manifest.json, written last, lists its hash.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
            manifest["files"][LEDGER_FILE] = write_ledger(archive, span, db_session=db_session)
            manifest["ledger"] = span.manifest(max(0, span.head[0] - span.first_seq + 1))
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def soa_rows(*, db_session: Session, annex_a: list[Requirement]) -> list[list[str]]:
    """The Statement of Applicability: every Annex A control with applicability and status."""
    controls = list(db_session.scalars(select(OrgControl).order_by(OrgControl.ref)))
    latest: dict[int, EvidenceRequest] = {}
    for req in db_session.scalars(select(EvidenceRequest).order_by(EvidenceRequest.due_at)):
        latest[req.control_id] = req
    rows = []
    treated = risks_treated(db_session=db_session)  # the risks column (issue 24)
    for item in annex_a:
        implementing = [c for c in controls if item.id in c.requirements]
        risk_refs = ", ".join(treated.get(item.id, []))
        if not implementing:
            rows.append(
                [item.id, item.title, "not assessed", "", "", "no implementing control", risk_refs]
            )
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
                risk_refs,
            ]
        )
    return rows


def write_soa(out: Path, rows: list[list[str]]) -> None:
    """Write the SoA CSV."""
    out.write_bytes(
        csv_bytes(
            [
                "annex_a_id",
                "title",
                "applicable",
                "justification",
                "implemented_by",
                "status",
                "risks_treated",
            ],
            rows,
        )
    )
