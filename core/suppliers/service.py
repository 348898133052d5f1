"""Suppliers after import: versions, assurance status, assurance files, reviews and reading them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.errors import DomainError
from core.evidence.service import FileUpload, store_blob
from core.review_cadence import next_review
from core.suppliers.due import schedule_assurance, schedule_review
from core.suppliers.models import Supplier, SupplierAssurance, SupplierRequest, SupplierVersion

# Ledger record kinds of this domain.
SUPPLIER_CHANGE = "supplier_change"
SUPPLIER_REVIEW = "supplier_review"
SUPPLIER_ASSURANCE = "supplier_assurance"
SUPPLIER_REQUEST = "supplier_request"
SUPPLIER_DECISION = "supplier_request_decision"

CRITICALITIES = ("low", "medium", "high", "critical")
ASSURANCE_TYPES = ("soc2", "iso27001", "questionnaire", "none")
_ASSURANCE_ALIASES = {"soc 2": "soc2", "soc2 type ii": "soc2", "iso 27001": "iso27001", "": "none"}
SNAPSHOT_FIELDS = [
    "name",
    "owner",
    "service",
    "data_handled",
    "criticality",
    "assurance_type",
    "assurance_expires",
    "review_cadence",
]


class SupplierError(DomainError):
    """A supplier or request cannot be handled as asked; the message says what to do."""


@dataclass(frozen=True)
class SupplierRecord:
    """One supplier with its history and assurance files, as `supplier show` prints it."""

    supplier: Supplier
    versions: list[SupplierVersion]
    assurances: list[SupplierAssurance]


def assurance_type(typed: str) -> str | None:
    """A typed assurance kind normalised (SOC 2 -> soc2), or None when it is not one."""
    value = typed.strip().lower()
    value = _ASSURANCE_ALIASES.get(value, value)
    return value if value in ASSURANCE_TYPES else None


def assurance_named_in(text: str) -> str | None:
    """The kind of report a message names (SOC 2, ISO 27001, questionnaire), or None."""
    compact = "".join(text.lower().split())
    for kind in ("soc2", "iso27001", "questionnaire"):
        if kind in compact:
            return kind
    return None


def assurance_status(supplier: Supplier, today: date, days_before: int) -> str:
    """none, expired, expiring (within days_before) or current."""
    if supplier.assurance_type == "none" or supplier.assurance_expires is None:
        return "none"
    if supplier.assurance_expires < today:
        return "expired"
    if supplier.assurance_expires <= today + timedelta(days=days_before):
        return "expiring"
    return "current"


def snapshot_of(supplier: Supplier) -> dict[str, Any]:
    """The fields that define a version (dates as ISO text)."""
    out: dict[str, Any] = {k: getattr(supplier, k) for k in SNAPSHOT_FIELDS}
    expires = out["assurance_expires"]
    out["assurance_expires"] = expires.isoformat() if expires else None
    return out


def save_version(
    supplier: Supplier, *, actor: str, how: str, db_session: Session
) -> SupplierVersion:
    """Keep the supplier's current state as its version and put the change in the ledger."""
    snapshot = snapshot_of(supplier)
    entry = ledger.append(
        SUPPLIER_CHANGE,
        {
            "supplier": supplier.ref,
            "version": supplier.version,
            "by": actor,
            "how": how,
            **snapshot,
        },
        db_session=db_session,
    )
    version = SupplierVersion(
        supplier_id=supplier.id,
        version=supplier.version,
        snapshot=snapshot,
        changed_by=actor,
        how=how,
        ledger_seq=entry.seq,
    )
    db_session.add(version)
    db_session.flush()
    return version


def suppliers(*, db_session: Session) -> list[Supplier]:
    """Every supplier in the register, by ID."""
    return list(db_session.scalars(select(Supplier).order_by(Supplier.ref)))


def supplier_by_ref(ref: str, *, db_session: Session) -> Supplier | None:
    """The supplier with this ID or name (ignoring case), or None."""
    wanted = ref.strip().lower()
    for supplier in suppliers(db_session=db_session):
        if wanted in {supplier.ref.lower(), supplier.name.lower()}:
            return supplier
    return None


def supplier_named_in(text: str, *, db_session: Session) -> Supplier | None:
    """The one supplier whose name the text holds (None when none or several do)."""
    lowered = text.lower()
    named = [s for s in suppliers(db_session=db_session) if s.name.lower() in lowered]
    return named[0] if len(named) == 1 else None


def supplier_record(ref: str, *, db_session: Session) -> SupplierRecord | None:
    """The supplier with its versions and assurance files, or None."""
    supplier = supplier_by_ref(ref, db_session=db_session)
    if supplier is None:
        return None
    versions = db_session.scalars(
        select(SupplierVersion)
        .where(SupplierVersion.supplier_id == supplier.id)
        .order_by(SupplierVersion.version)
    )
    files = db_session.scalars(
        select(SupplierAssurance)
        .where(SupplierAssurance.supplier_id == supplier.id)
        .order_by(SupplierAssurance.id)
    )
    return SupplierRecord(supplier, list(versions), list(files))


def record_assurance(
    supplier_id: int,
    upload: FileUpload,
    *,
    kind: str,
    expires: date,
    user_id: str,
    db_session: Session,
    now: datetime,
    max_bytes: int,
    days_before: int = 30,
) -> SupplierAssurance:
    """A new report or certificate: kept as evidence, and the supplier's assurance renewed."""
    supplier = db_session.get(Supplier, supplier_id)
    if supplier is None:
        raise SupplierError("That supplier is no longer in the register.")
    if expires < now.date():
        raise SupplierError(
            f"The expiry date {expires.isoformat()} is in the past: send the supplier's current "
            "report or certificate, with the date it expires."
        )
    digest = store_blob(upload, db_session=db_session, max_bytes=max_bytes)
    entry = ledger.append(
        SUPPLIER_ASSURANCE,
        {
            "supplier": supplier.ref,
            "by": user_id,
            "type": kind,
            "expires": expires.isoformat(),
            "file_name": upload.name,
            "file_sha256": digest,
        },
        db_session=db_session,
    )
    assurance = SupplierAssurance(
        supplier_id=supplier.id,
        blob_sha256=digest,
        file_name=upload.name,
        assurance_type=kind,
        expires=expires,
        received_from=user_id,
        received_at=now,
        ledger_seq=entry.seq,
    )
    db_session.add(assurance)
    supplier.assurance_type, supplier.assurance_expires = kind, expires
    supplier.version += 1
    supplier.updated_at = now
    db_session.flush()
    save_version(supplier, actor=user_id, how="assurance", db_session=db_session)
    schedule_assurance(supplier, db_session=db_session, days_before=days_before)
    return assurance


def mark_reviewed(
    supplier_id: int, *, user_id: str, db_session: Session, now: datetime
) -> Supplier:
    """The owner reviewed the supplier: the next review is one cadence from now; ledgered."""
    supplier = db_session.get(Supplier, supplier_id)
    if supplier is None:
        raise SupplierError("That supplier is no longer in the register.")
    if user_id != supplier.owner_user_id:
        raise SupplierError(
            f"Only the owner of {supplier.name} (<@{supplier.owner_user_id}>) can review it."
        )
    ledger.append(
        SUPPLIER_REVIEW,
        {"supplier": supplier.ref, "version": supplier.version, "by": user_id},
        db_session=db_session,
    )
    supplier.last_reviewed_at = now
    supplier.next_review_at = next_review(supplier.review_cadence, now)
    db_session.flush()
    schedule_review(supplier, db_session=db_session)
    return supplier


def overdue_reviews(*, db_session: Session, now: datetime) -> list[Supplier]:
    """Suppliers whose review date has passed, longest overdue first."""
    return list(
        db_session.scalars(
            select(Supplier).where(Supplier.next_review_at < now).order_by(Supplier.next_review_at)
        )
    )


def expired_assurances(*, db_session: Session, today: date) -> list[Supplier]:
    """Suppliers whose report or certificate has expired."""
    return [
        s for s in suppliers(db_session=db_session) if assurance_status(s, today, 0) == "expired"
    ]


def pending_requests(*, db_session: Session) -> list[SupplierRequest]:
    """New-supplier requests still waiting for the security team."""
    return list(
        db_session.scalars(
            select(SupplierRequest)
            .where(SupplierRequest.status == "pending")
            .order_by(SupplierRequest.id)
        )
    )
