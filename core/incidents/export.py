"""The incident register in the auditor export: incidents.csv, incidents.html and a page per incident."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.evidence import report_views
from core.evidence.export_files import zip_path
from core.evidence.export_links import BlobLinks
from core.evidence.report import environment
from core.incidents.models import Incident, TimelineEntry
from core.incidents.service import review_of
from core.incidents.views import detail
from core.models import Blob, LedgerRecord
from core.readiness.scope import FRAMEWORK_TITLES
from core.spreadsheet import csv_bytes

HEADER = [
    "ledger_seq",
    "id",
    "reported_at",
    "reporter",
    "kind",
    "severity",
    "status",
    "handler",
    "personal_data_breach",
    "notify_due_at",
    "notified_at",
    "notified_whom",
    "notification_clock",
    "resolved_at",
    "review_due_at",
    "reviewed_at",
    "review_clock",
    "actions",
    "actions_done",
    "closed_at",
    "description",
    "status_ledger_seq",
]


@dataclass(frozen=True)
class Range:
    """What the export covers, as its header shows it."""

    start: datetime | None
    end: datetime | None
    generated_at: datetime
    framework: str | None
    zone: tzinfo


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """The report's environment (filters, menu, styles) with the incident templates in front."""
    loader = ChoiceLoader(
        [PackageLoader("core.incidents", "templates"), PackageLoader("core.evidence", "templates")]
    )
    return environment().overlay(loader=loader)


def _in_range(incidents: list[Incident], span: Range) -> list[Incident]:
    return [
        i
        for i in incidents
        if (span.start is None or i.reported_at >= span.start)
        and (span.end is None or i.reported_at <= span.end)
    ]


def any_reported(*, db_session: Session, start: datetime | None, end: datetime | None) -> bool:
    """Whether an incident was reported in the range (an export of only incidents is not empty)."""
    query = select(Incident.id)
    if start is not None:
        query = query.where(Incident.reported_at >= start)
    if end is not None:
        query = query.where(Incident.reported_at <= end)
    return db_session.scalars(query.limit(1)).first() is not None


def _decisions(db_session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every incident ledger record but the timeline's, per incident ID: who decided what, when."""
    found: dict[str, list[dict[str, Any]]] = {}
    records = db_session.scalars(
        select(LedgerRecord).where(LedgerRecord.kind.like("incident_%")).order_by(LedgerRecord.seq)
    )
    for r in records:
        if r.kind == "incident_timeline":
            continue
        payload = json.loads(r.payload)
        what = {k: v for k, v in payload.items() if k not in {"incident", "by"}}
        found.setdefault(str(payload.get("incident")), []).append(
            {
                "seq": r.seq,
                "at": r.recorded_at,
                "by": payload.get("by") or payload.get("reporter") or "",
                "what": f"{r.kind.removeprefix('incident_').replace('_', ' ')}: "
                + json.dumps(what, ensure_ascii=False, sort_keys=True),
            }
        )
    return found


def _timeline_files(
    data: dict[str, Any], files: dict[str, bytes], db_session: Session, blobs: BlobLinks | None
) -> None:
    """Copy each kept file under files/, point the timeline entry at it, tie it to the entry's record."""
    for entry in data["timeline"]:
        for n, f in enumerate(entry["files"]):
            blob = db_session.get(Blob, f["sha256"]) if f.get("sha256") else None
            if blob is not None:
                f["path"] = zip_path(blob.sha256, f["name"])
                files[f["path"]] = blob.content
                if blobs is not None and entry["ledger_seq"] is not None:
                    blobs.add(f["path"], entry["ledger_seq"], f"payload.files.{n}.sha256")


def _status_seqs(db_session: Session) -> dict[str, int]:
    """Each incident's last status change record (the one its status column is)."""
    records = db_session.execute(
        select(LedgerRecord.seq, LedgerRecord.payload)
        .where(LedgerRecord.kind == "incident_status")
        .order_by(LedgerRecord.seq)
    )
    return {str(json.loads(payload).get("incident")): seq for seq, payload in records}


def _row(
    incident: Incident, data: dict[str, Any], db_session: Session, status_seq: int | None
) -> list[Any]:
    clocks = {c["name"]: c["state"] for c in data["clocks"]}
    review = review_of(incident, db_session=db_session)
    actions = data["actions"]
    return [
        incident.ledger_seq,
        incident.ref,
        data["reported_at"],
        incident.reporter,
        incident.kind,
        incident.severity,
        incident.status,
        incident.handler,
        {True: "yes", False: "no"}.get(incident.personal_data_breach or False),
        data["notify_due_at"],
        data["notified_at"],
        incident.notified_whom,
        clocks.get("notification", ""),
        data["resolved_at"],
        data["review_due_at"],
        review.reviewed_at.isoformat() if review else "",
        clocks.get("review", ""),
        len(actions),
        sum(1 for a in actions if a["status"] == "done"),
        data["closed_at"],
        incident.description,
        status_seq,
    ]


def ledger_seqs(*, db_session: Session, start: datetime | None, end: datetime | None) -> set[int]:
    """The ledger records the export's incident rows and timeline files name (reports, entries)."""
    chosen = select(Incident.id)
    if start is not None:
        chosen = chosen.where(Incident.reported_at >= start)
    if end is not None:
        chosen = chosen.where(Incident.reported_at <= end)
    seqs = set(db_session.scalars(select(Incident.ledger_seq).where(Incident.id.in_(chosen))))
    entries = select(TimelineEntry.ledger_seq).where(TimelineEntry.incident_id.in_(chosen))
    seqs.update(db_session.scalars(entries))
    return {s for s in seqs if s is not None}


def incident_files(
    *, db_session: Session, span: Range, blobs: BlobLinks | None = None
) -> dict[str, bytes]:
    """incidents.csv, incidents.html, incidents/INC-n.html and the timeline's files, by ZIP name.

    Each timeline file copied is tied in `blobs` to the timeline record stating its SHA-256.
    """
    env = _environment()
    common = {
        "generated_at": span.generated_at,
        "framework": FRAMEWORK_TITLES.get(span.framework or "", "ISO 27001:2022 and SOC 2"),
        "range": report_views.date_range(span.start, span.end, span.zone),
        "zone": span.zone,
    }
    chosen = _in_range(list(db_session.scalars(select(Incident).order_by(Incident.id))), span)
    decisions = _decisions(db_session)
    status_seqs = _status_seqs(db_session)
    files: dict[str, bytes] = {}
    rows, listed = [], []
    for incident in chosen:
        data = detail(incident, db_session=db_session, now=span.generated_at)
        _timeline_files(data, files, db_session, blobs)
        rows.append(_row(incident, data, db_session, status_seqs.get(incident.ref)))
        data["href"] = f"incidents/{incident.ref}.html"
        listed.append(_dated(data))
        page = env.get_template("incident.html").render(
            root="../",
            i=listed[-1],
            decisions=decisions.get(incident.ref, []),
            timeline=listed[-1]["timeline"],
            review=listed[-1]["review"],
            actions=listed[-1]["actions"],
            **common,
        )
        files[data["href"]] = page.encode("utf-8")
    index = env.get_template("incidents.html").render(root="", incidents=listed, **common)
    files["incidents.html"] = index.encode("utf-8")
    files["incidents.csv"] = csv_bytes(HEADER, rows)
    return files


def _dated(value: Any, key: str = "") -> Any:
    """The detail's instants (keys `at` and `*_at`) back as datetimes, for the `when` filter."""
    if isinstance(value, dict):
        return {k: _dated(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_dated(v) for v in value]
    if isinstance(value, str) and (key == "at" or key.endswith("_at")):
        return datetime.fromisoformat(value)
    return value
