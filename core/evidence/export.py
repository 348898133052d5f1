"""The auditor export (a ZIP that matches the database) and the Statement of Applicability."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.errors import DomainError
from core.evidence.export_records import (
    ExportRecords,
    Progress,
    Requirement,
    iso,
    select_records,
)
from core.evidence.export_tables import csv_files
from core.evidence.report import ReadinessScope, ReportInput, render_report
from core.incidents.export import Range, any_reported, incident_files
from core.localtime import local_day
from core.models import Blob, EvidenceRequest, OrgControl, Submission, utcnow
from core.spreadsheet import csv_bytes

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
) -> dict[str, Any]:
    """Write the export ZIP atomically and return its manifest (with readiness_scope, readiness too)."""
    step = progress or (lambda _msg: None)
    records = select_records(
        db_session=db_session,
        requirements=requirements,
        start=start,
        end=end,
        framework=framework,
        progress=step,
    )
    if records.empty and not any_reported(db_session=db_session, start=start, end=end):
        raise ExportEmptyError(_nothing_recorded(start, end, zone))
    files = csv_files(records, requirements)
    step("files")
    file_paths = _add_blobs(files, records.submissions, db_session)
    with db_session.no_autoflush:
        head = ledger.head(db_session=db_session)
    generated_at = utcnow()
    # The incident register is built by its own domain: its table beside the others, pages later.
    incident_pages = incident_files(
        db_session=db_session, span=Range(start, end, generated_at, framework, zone)
    )
    files["incidents.csv"] = incident_pages.pop("incidents.csv")
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
        downloads=_downloads(files),
        zone=zone,
    )
    pages = render_report(report, db_session=db_session, scope=readiness_scope)
    _add_pages(files, manifest, pages)
    _add_pages(files, manifest, incident_pages)
    step("zip")
    _write_zip(out, manifest, files)
    return manifest


def _nothing_recorded(start: datetime | None, end: datetime | None, zone: tzinfo) -> str:
    first = local_day(start, zone) if start else "the beginning"
    last = local_day(end, zone) if end else "now"
    span = f"between {first} and {last} ({zone})"
    return f"No evidence, acknowledgements, questions or incidents were recorded {span}; nothing exported."


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80] or "file"


def _add_blobs(
    files: dict[str, bytes], submissions: list[Submission], db_session: Session
) -> dict[int, str]:
    """Copy each handed-in file under files/; return where each submission's copy is."""
    paths: dict[int, str] = {}
    for s in submissions:
        if not s.file_sha256:
            continue
        blob = db_session.get(Blob, s.file_sha256)
        if blob is not None:
            path = f"files/{s.file_sha256[:16]}_{_safe_name(s.file_name or 'file')}"
            files[path] = blob.content
            paths[s.id] = path
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
    return [n for n in sorted(files) if not n.startswith("files/")] + ["manifest.json"]


def _add_pages(files: dict[str, bytes], manifest: dict[str, Any], pages: dict[str, bytes]) -> None:
    # The pages are listed after the tables and files: the report links those, not the reverse.
    for name, data in pages.items():
        files[name] = data
        manifest["files"][name] = _sha256(data)


def _write_zip(out: Path, manifest: dict[str, Any], files: dict[str, bytes]) -> None:
    """Write the ZIP beside `out` and move it into place, so a failed export leaves no partial file."""
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
