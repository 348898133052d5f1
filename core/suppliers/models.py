"""The supplier register's records: suppliers, versions, assurance files and new-supplier requests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, utcnow


class Supplier(Base):
    """One supplier as it stands now; every earlier state is a SupplierVersion."""

    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(200))
    owner_user_id: Mapped[str] = mapped_column(String(64), index=True)
    service: Mapped[str] = mapped_column(Text, default="")
    data_handled: Mapped[str] = mapped_column(Text, default="")
    criticality: Mapped[str] = mapped_column(String(20))  # low | medium | high | critical
    assurance_type: Mapped[str] = mapped_column(
        String(30)
    )  # soc2 | iso27001 | questionnaire | none
    assurance_expires: Mapped[date | None] = mapped_column(Date)
    review_cadence: Mapped[str] = mapped_column(String(20))
    next_review_at: Mapped[datetime] = mapped_column(index=True)
    last_reviewed_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupplierVersion(Base):
    """A supplier as it was at one version, with who changed it and how."""

    __tablename__ = "supplier_versions"
    __table_args__ = (UniqueConstraint("supplier_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("suppliers.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column()
    changed_by: Mapped[str] = mapped_column(String(64))
    how: Mapped[str] = mapped_column(String(20))  # import | request | assurance | review
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(Integer)


class SupplierAssurance(Base):
    """A report or certificate a supplier gave, kept as evidence (the bytes are a Blob)."""

    __tablename__ = "supplier_assurances"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("suppliers.id", ondelete="CASCADE"), index=True
    )
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    file_name: Mapped[str] = mapped_column(String(300))
    assurance_type: Mapped[str] = mapped_column(String(30))
    expires: Mapped[date | None] = mapped_column(Date)
    received_from: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(Integer)


class SupplierRequest(Base):
    """Someone's request to take on a new supplier, decided by the security team in a thread."""

    __tablename__ = "supplier_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(Text, default="")
    data_shared: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|approved|rejected
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column()
    reason: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(64))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
