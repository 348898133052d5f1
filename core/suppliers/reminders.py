"""What the reminder engine says about a supplier review or an expiring assurance (plain data)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from core.reminders import registry
from core.reminders.models import DueItem
from core.suppliers.due import ASSURANCE, REVIEW
from core.suppliers.models import Supplier


def describe_review(item: DueItem, *, db_session: Session) -> dict[str, Any] | None:
    """The supplier as it stands, or None once it is gone or reviewed past this date."""
    supplier = db_session.get(Supplier, item.ref_id)
    if supplier is None or supplier.next_review_at > item.due_at:
        return None
    expires = supplier.assurance_expires.isoformat() if supplier.assurance_expires else "none"
    return {
        "title": f"Review of supplier {supplier.name}",
        "text": [
            f"Service: {supplier.service or '-'}",
            f"Data handled: {supplier.data_handled or '-'}",
            f"Criticality: {supplier.criticality}; assurance: {supplier.assurance_type} "
            f"(expires {expires})",
        ],
        "ref_id": supplier.id,
    }


def describe_assurance(item: DueItem, *, db_session: Session) -> dict[str, Any] | None:
    """The assurance to renew, or None once a newer one (or none at all) is recorded."""
    supplier = db_session.get(Supplier, item.ref_id)
    if supplier is None or supplier.assurance_expires is None:
        return None
    if datetime.combine(supplier.assurance_expires, time(0, 0), tzinfo=UTC) > item.due_at:
        return None
    return {
        "title": f"{supplier.name}'s {supplier.assurance_type} assurance expires "
        f"{supplier.assurance_expires.isoformat()}",
        "text": [
            "Ask the supplier for the current report or certificate and DM it to me with "
            f"`supplier {supplier.ref} <soc2|iso27001|questionnaire> expires YYYY-MM-DD`."
        ],
        "ref_id": supplier.id,
    }


def register() -> None:
    """Register the supplier register's describers with the engine."""
    registry.register(REVIEW, describe_review)
    registry.register(ASSURANCE, describe_assurance)
