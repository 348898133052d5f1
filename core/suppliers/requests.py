"""New-supplier requests: anyone asks, the security team approves or rejects with a reason."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.review_cadence import next_review
from core.suppliers.due import schedule_review
from core.suppliers.models import Supplier, SupplierRequest
from core.suppliers.service import (
    SUPPLIER_DECISION,
    SUPPLIER_REQUEST,
    SupplierError,
    save_version,
    supplier_by_ref,
)

MAX_NAME = 300


def request_problems(name: str, purpose: str, data_shared: str) -> dict[str, str]:
    """What is wrong with a request, per field (empty when it can be filed)."""
    problems = {}
    if not name.strip():
        problems["name"] = "Give the supplier's name."
    elif len(name.strip()) > MAX_NAME:
        problems["name"] = f"Keep the name under {MAX_NAME} characters."
    if not purpose.strip():
        problems["purpose"] = "Say what the supplier would do for us."
    if "\x00" in name + purpose + data_shared:
        problems["name"] = "Remove the NUL character (U+0000)."
    return problems


def file_request(
    *, name: str, purpose: str, data_shared: str, user_id: str, db_session: Session, now: datetime
) -> SupplierRequest:
    """Record a request for a new supplier (ledgered); the security team decides it."""
    problems = request_problems(name, purpose, data_shared)
    if problems:
        raise SupplierError(" ".join(problems.values()))
    request = SupplierRequest(
        name=name.strip(),
        purpose=purpose.strip(),
        data_shared=data_shared.strip(),
        requested_by=user_id,
        requested_at=now,
    )
    db_session.add(request)
    db_session.flush()
    ledger.append(
        SUPPLIER_REQUEST,
        {
            "request": request.id,
            "name": request.name,
            "purpose": request.purpose,
            "data_shared": request.data_shared,
            "by": user_id,
        },
        db_session=db_session,
    )
    return request


def set_thread(request_id: int, *, channel: str, ts: str, db_session: Session) -> None:
    """Remember where the security team discusses the request."""
    request = db_session.get(SupplierRequest, request_id)
    if request is not None:
        request.channel, request.thread_ts = channel, ts


def decide_request(
    request_id: int,
    *,
    approve: bool,
    reason: str,
    user_id: str,
    db_session: Session,
    now: datetime,
) -> SupplierRequest:
    """Approve (the supplier joins the register, owned by the requester) or reject, with a reason."""
    request = db_session.get(SupplierRequest, request_id)
    if request is None:
        raise SupplierError("That supplier request no longer exists.")
    if request.status != "pending":
        raise SupplierError(
            f"The request for {request.name} was already {request.status} by <@{request.decided_by}>."
        )
    if not reason.strip():
        raise SupplierError("Give a reason for the decision.")
    request.status = "approved" if approve else "rejected"
    request.decided_by, request.decided_at, request.reason = user_id, now, reason.strip()
    if approve:
        request.supplier_id = _register(request, db_session=db_session, now=now).id
    ledger.append(
        SUPPLIER_DECISION,
        {
            "request": request.id,
            "name": request.name,
            "decision": request.status,
            "reason": request.reason,
            "by": user_id,
            "supplier": request.supplier_id,
        },
        db_session=db_session,
    )
    return request


def _register(request: SupplierRequest, *, db_session: Session, now: datetime) -> Supplier:
    """The approved supplier as a register entry: medium criticality, no assurance yet, annual review."""
    if supplier_by_ref(request.name, db_session=db_session) is not None:
        raise SupplierError(f"{request.name} is already in the supplier register.")
    supplier = Supplier(
        ref=_new_ref(request.name, db_session=db_session),
        name=request.name,
        owner=request.requested_by,
        owner_user_id=request.requested_by,
        service=request.purpose,
        data_handled=request.data_shared,
        criticality="medium",
        assurance_type="none",
        assurance_expires=None,
        review_cadence="annual",
        next_review_at=next_review("annual", now),
        version=1,
        updated_at=now,
    )
    db_session.add(supplier)
    db_session.flush()
    save_version(supplier, actor=request.decided_by or "", how="request", db_session=db_session)
    schedule_review(supplier, db_session=db_session)
    return supplier


def _new_ref(name: str, *, db_session: Session) -> str:
    """An ID from the name (letters and digits), unique ignoring case."""
    base = "SUP-" + (re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").upper()[:40] or "NEW")
    taken = {ref.lower() for ref in db_session.scalars(select(Supplier.ref))}
    ref, n = base, 2
    while ref.lower() in taken:
        ref, n = f"{base}-{n}", n + 1
    return ref
