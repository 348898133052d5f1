"""`supplier import`: read a CSV/XLSX supplier register, validate every row, import all-or-nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.review_cadence import next_review
from core.suppliers.due import schedule_assurance, schedule_review
from core.suppliers.models import Supplier
from core.suppliers.service import (
    ASSURANCE_TYPES,
    CRITICALITIES,
    assurance_type,
    save_version,
    snapshot_of,
)
from core.table_import import (
    ImportResult,
    RawRows,
    cadence_cell,
    owner_cell,
    read_table,
    refuse_case_twins,
    validate_rows,
)

WHAT = "supplier register"
COLUMNS = (
    "id",
    "name",
    "owner",
    "service",
    "data_handled",
    "criticality",
    "assurance_type",
    "assurance_expires",
    "review_cadence",
)
REQUIRED = ("id", "name", "owner", "criticality", "review_cadence")


@dataclass
class SupplierRow:
    """One validated row of the supplier register."""

    line: int
    ref: str
    owner_user_id: str
    name: str
    owner: str
    service: str
    data_handled: str
    criticality: str
    assurance_type: str
    assurance_expires: date | None
    review_cadence: str

    def snapshot(self) -> dict[str, Any]:
        """The fields that define a version (as the stored supplier's snapshot gives them)."""
        out = {k: v for k, v in self.__dict__.items() if k not in {"line", "ref", "owner_user_id"}}
        out["assurance_expires"] = (
            self.assurance_expires.isoformat() if self.assurance_expires else None
        )
        return out


def read_suppliers(path: Path) -> RawRows:
    """The file's rows with their line numbers (nothing is validated or written yet)."""
    return read_table(path, what=WHAT, columns=COLUMNS, required=REQUIRED)


def validate(
    raw_rows: RawRows, *, people: Mapping[str, str | None], today: date
) -> list[SupplierRow]:
    """Check every row; raise TableImportError listing every problem by line."""
    return validate_rows(
        raw_rows,
        what=WHAT,
        required=REQUIRED,
        read_row=lambda line, raw: _read_row(line, raw, people, today),
    )


def _read_row(
    line: int, raw: dict[str, str], people: Mapping[str, str | None], today: date
) -> tuple[SupplierRow | None, list[str]]:
    owner, owner_id, problems = owner_cell(raw, people)
    criticality = raw.get("criticality", "").strip().lower()
    if criticality and criticality not in CRITICALITIES:
        problems.append(f"criticality '{criticality}' must be one of {', '.join(CRITICALITIES)}")
    kind = assurance_type(raw.get("assurance_type", ""))
    if kind is None:
        problems.append(
            f"assurance_type '{raw['assurance_type'].strip()}' must be one of "
            f"{', '.join(ASSURANCE_TYPES)}"
        )
    expires, expiry_problem = _expiry(raw.get("assurance_expires", "").strip(), kind, today)
    if expiry_problem:
        problems.append(expiry_problem)
    cadence, cadence_problems = cadence_cell(raw)
    problems += cadence_problems
    if problems or owner_id is None or kind is None:
        return None, problems
    return SupplierRow(
        line=line,
        ref=raw["id"].strip(),
        owner_user_id=owner_id,
        name=raw["name"].strip(),
        owner=owner,
        service=raw.get("service", "").strip(),
        data_handled=raw.get("data_handled", "").strip(),
        criticality=criticality,
        assurance_type=kind,
        assurance_expires=expires,
        review_cadence=cadence,
    ), []


def _expiry(text: str, kind: str | None, today: date) -> tuple[date | None, str | None]:
    """The assurance's expiry date: required for a report or certificate, never in the past."""
    if not text:
        if kind in {"soc2", "iso27001"}:
            return None, f"assurance_expires is empty: a {kind} report or certificate has an expiry"
        return None, None
    try:
        expires = date.fromisoformat(text[:10])
    except ValueError:
        return None, f"assurance_expires '{text}' is not a date (YYYY-MM-DD)"
    if expires < today:
        return None, (
            f"assurance_expires {expires.isoformat()} is in the past: ask the supplier for their "
            "current report or certificate and give its expiry date"
        )
    return expires, None


def import_rows(
    rows: list[SupplierRow],
    *,
    db_session: Session,
    actor: str,
    now: datetime,
    assurance_days_before: int = 30,
) -> ImportResult:
    """Create or update suppliers in place, keeping every version and recording each in the ledger."""
    result = ImportResult()
    existing = {s.ref: s for s in db_session.scalars(select(Supplier))}
    refuse_case_twins(rows, list(existing), what=WHAT)
    for row in rows:
        supplier = existing.get(row.ref)
        if supplier is not None and snapshot_of(supplier) == row.snapshot():
            result.unchanged.append(row.ref)
            continue
        (result.created if supplier is None else result.updated).append(row.ref)
        if supplier is None:
            supplier = Supplier(
                ref=row.ref, version=1, next_review_at=next_review(row.review_cadence, now)
            )
            db_session.add(supplier)
        else:
            if supplier.review_cadence != row.review_cadence:
                supplier.next_review_at = next_review(
                    row.review_cadence, supplier.last_reviewed_at or now
                )
            supplier.version += 1
        for key in (*row.snapshot(), "owner_user_id"):
            setattr(supplier, key, getattr(row, key))
        supplier.updated_at = now
        db_session.flush()
        save_version(supplier, actor=actor, how="import", db_session=db_session)
        schedule_review(supplier, db_session=db_session)
        schedule_assurance(supplier, db_session=db_session, days_before=assurance_days_before)
    return result
