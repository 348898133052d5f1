"""The supplier register's due items in the one reminder engine: reviews and assurance expiry."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy.orm import Session

from core.reminders import service as reminders
from core.suppliers.models import Supplier

REVIEW = "supplier_review"
ASSURANCE = "supplier_assurance"


def schedule_review(supplier: Supplier, *, db_session: Session) -> None:
    """The owner owes the next review at next_review_at."""
    reminders.open_item(
        db_session=db_session,
        domain=REVIEW,
        ref_id=supplier.id,
        assignee=supplier.owner_user_id,
        due_at=supplier.next_review_at,
    )


def schedule_assurance(supplier: Supplier, *, db_session: Session, days_before: int) -> None:
    """A renewed report is owed by the day the current one expires; nudged days_before ahead."""
    if supplier.assurance_expires is None:
        reminders.close_item(
            db_session=db_session, domain=ASSURANCE, ref_id=supplier.id, status="cancelled"
        )
        return
    reminders.open_item(
        db_session=db_session,
        domain=ASSURANCE,
        ref_id=supplier.id,
        assignee=supplier.owner_user_id,
        due_at=datetime.combine(supplier.assurance_expires, time(0, 0), tzinfo=UTC),
        days_before=days_before,
    )
