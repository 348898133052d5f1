"""The supplier register in the auditor export: a page with assurance status, suppliers.csv, files."""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.evidence.export_files import zip_path
from core.evidence.export_links import BlobLinks
from core.localtime import local_day
from core.models import Blob
from core.spreadsheet import csv_bytes
from core.suppliers.models import Supplier, SupplierAssurance, SupplierVersion
from core.suppliers.service import assurance_status, suppliers

CSV_HEADER = [
    "id",
    "name",
    "owner",
    "owner_user_id",
    "service",
    "data_handled",
    "criticality",
    "assurance_type",
    "assurance_expires",
    "assurance_status",
    "review_cadence",
    "last_reviewed",
    "next_review",
    "version",
    "ledger_seq",
]


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The supplier page's template (on the risk pages' base), autoescaped."""
    return Environment(
        loader=ChoiceLoader(
            [PackageLoader("core.suppliers", "templates"), PackageLoader("core.risks", "templates")]
        ),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _seqs(db_session: Session) -> dict[tuple[int, int], int | None]:
    rows = db_session.scalars(select(SupplierVersion))
    return {(v.supplier_id, v.version): v.ledger_seq for v in rows}


def ledger_seqs(*, db_session: Session) -> set[int]:
    """The ledger records suppliers.csv rows (current versions) and the files received name."""
    seqs = _seqs(db_session)
    named = {seqs.get((s.id, s.version)) for s in suppliers(db_session=db_session)}
    named.update(db_session.scalars(select(SupplierAssurance.ledger_seq)))
    return {s for s in named if s is not None}


def supplier_files(
    *,
    db_session: Session,
    days_before: int,
    zone: tzinfo,
    now: datetime,
    blobs: BlobLinks | None = None,
) -> dict[str, bytes]:
    """suppliers/index.html, suppliers.csv and every report or certificate received, as they stand now."""
    today = now.astimezone(zone).date()
    seqs = _seqs(db_session)
    table, rows = [], []
    for s in suppliers(db_session=db_session):
        status = assurance_status(s, today, days_before)
        seq = seqs.get((s.id, s.version))
        expires = s.assurance_expires.isoformat() if s.assurance_expires else ""
        table.append(
            {
                "ref": s.ref,
                "name": s.name,
                "owner": s.owner,
                "service": s.service,
                "data_handled": s.data_handled,
                "criticality": s.criticality,
                "assurance_type": s.assurance_type,
                "expires": expires,
                "status": status,
                "next_review": local_day(s.next_review_at, zone),
                "overdue": s.next_review_at < now,
                "ledger_seq": seq,
            }
        )
        rows.append(_csv_row(s, status, expires, zone, seq))
    files: dict[str, bytes] = {"suppliers.csv": csv_bytes(CSV_HEADER, rows)}
    received = _received(db_session, files, blobs)
    files["suppliers/index.html"] = (
        environment()
        .get_template("suppliers.html")
        .render(
            root="../",
            generated_at=f"{now:%Y-%m-%d %H:%M} UTC",
            suppliers=table,
            files=received,
            days_before=days_before,
        )
        .encode("utf-8")
    )
    return files


def _received(
    db_session: Session, files: dict[str, bytes], blobs: BlobLinks | None
) -> list[dict[str, Any]]:
    """Each report or certificate kept, copied under files/suppliers/ and tied to its record."""
    out = []
    names = {s.id: s.name for s in suppliers(db_session=db_session)}
    for a in db_session.scalars(select(SupplierAssurance).order_by(SupplierAssurance.id)):
        blob = db_session.get(Blob, a.blob_sha256)
        path = zip_path(a.blob_sha256, a.file_name)  # one that could run in a browser ends .bin
        if blob is not None:
            files[path] = blob.content
            if blobs is not None and a.ledger_seq is not None:
                blobs.add(path, a.ledger_seq)
        out.append(
            {
                "supplier": names.get(a.supplier_id, ""),
                "name": a.file_name,
                "path": path,
                "type": a.assurance_type,
                "expires": a.expires.isoformat() if a.expires else "",
                "by": a.received_from,
                "at": f"{a.received_at:%Y-%m-%d %H:%M} UTC",
                "sha256": a.blob_sha256,
                "ledger_seq": a.ledger_seq,
            }
        )
    return out


def _csv_row(s: Supplier, status: str, expires: str, zone: tzinfo, seq: int | None) -> list[Any]:
    return [
        s.ref,
        s.name,
        s.owner,
        s.owner_user_id,
        s.service,
        s.data_handled,
        s.criticality,
        s.assurance_type,
        expires,
        status,
        s.review_cadence,
        local_day(s.last_reviewed_at, zone) if s.last_reviewed_at else "",
        local_day(s.next_review_at, zone),
        s.version,
        seq,
    ]
