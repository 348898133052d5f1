"""Due items: open, close, reassign, snooze and list them (keyword-only db_session, no commit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.errors import DomainError
from core.models import utcnow
from core.reminders.models import CANCELLED, DONE, OPEN, DueItem
from core.reminders.schedule import first_remind_at

SNOOZE_DAYS = (1, 3, 7)
SNOOZED = "reminder_snoozed"  # ledger kinds
REASSIGNED = "reminder_reassigned"


class ReminderError(DomainError):
    """A reminder action that cannot be done; the message says why."""


@dataclass(frozen=True)
class Snoozed:
    """A snoozed item and until when its reminders wait."""

    item_id: int
    domain: str
    ref_id: int
    until: datetime


def item_key(domain: str, ref_id: int, key: str | None = None) -> str:
    """The unique key of an item: the one given, else domain:ref_id."""
    return key or f"{domain}:{ref_id}"


def find(
    *, db_session: Session, domain: str, ref_id: int, key: str | None = None
) -> DueItem | None:
    """The item with that key (any status), or None."""
    return db_session.scalars(
        select(DueItem).where(DueItem.key == item_key(domain, ref_id, key))
    ).first()


def open_item(
    *,
    db_session: Session,
    domain: str,
    ref_id: int,
    assignee: str,
    due_at: datetime,
    escalate_to: str | None = None,
    escalate_after_days: int | None = None,
    days_before: int | None = None,
    key: str | None = None,
) -> DueItem:
    """Open (or re-open, or update) the item for key: idempotent, one row per key.

    days_before None: the first reminder comes NUDGE_DAYS_BEFORE days before due_at (set by the tick).
    """
    if escalate_after_days is not None and escalate_after_days < 1:
        raise ReminderError("escalate_after_days must be at least 1.")
    first = None if days_before is None else first_remind_at(due_at, days_before)
    item = find(db_session=db_session, domain=domain, ref_id=ref_id, key=key)
    if item is None:
        item = DueItem(
            key=item_key(domain, ref_id, key),
            domain=domain,
            ref_id=ref_id,
            reminders_sent=0,
            status=OPEN,
        )
        db_session.add(item)
    elif item.status != OPEN or item.due_at != due_at:
        if item.due_at is not None and due_at > item.due_at:
            item.escalated_at = None  # a later due date earns a new escalation if missed again
        item.snoozed_until = None
    else:
        first = item.next_remind_at  # unchanged: calling again must not restart the reminders
    item.status, item.closed_at = OPEN, None
    item.assignee, item.due_at, item.next_remind_at = assignee, due_at, first
    item.escalate_to, item.escalate_after_days = escalate_to, escalate_after_days
    db_session.flush()
    return item


def close_item(
    *, db_session: Session, domain: str, ref_id: int, key: str | None = None, status: str = DONE
) -> bool:
    """Close the open item (done or cancelled); False when there was none open."""
    if status not in {DONE, CANCELLED}:
        raise ValueError(f"status must be {DONE} or {CANCELLED}, not {status!r}")
    item = find(db_session=db_session, domain=domain, ref_id=ref_id, key=key)
    if item is None or item.status != OPEN:
        return False
    item.status, item.closed_at, item.next_remind_at = status, utcnow(), None
    db_session.flush()
    return True


def reassign(
    *, db_session: Session, domain: str, ref_id: int, assignee: str, key: str | None = None
) -> DueItem:
    """Give the open item to someone else; their reminders follow the same schedule."""
    item = find(db_session=db_session, domain=domain, ref_id=ref_id, key=key)
    if item is None or item.status != OPEN:
        raise ReminderError(f"Nothing open for {item_key(domain, ref_id, key)} to reassign.")
    if item.assignee != assignee:
        before, item.assignee, item.snoozed_until = item.assignee, assignee, None
        ledger.append(
            REASSIGNED,
            {"item": item.key, "from": before, "to": assignee},
            db_session=db_session,
        )
        db_session.flush()
    return item


def snooze(item_id: int, days: int, *, db_session: Session, user_id: str) -> Snoozed:
    """Push the item's next reminder back by 1, 3 or 7 days; only its assignee may."""
    if days not in SNOOZE_DAYS:
        raise ReminderError("Snooze for 1, 3 or 7 days.")
    item = db_session.get(DueItem, item_id)
    if item is None or item.status != OPEN:
        raise ReminderError("That reminder is no longer open: nothing to snooze.")
    # The reminder (and its buttons) went to the assignee; a value naming another item is not theirs.
    if user_id != item.assignee:
        raise ReminderError("Only the person this reminder is for can snooze it.")
    until = utcnow() + timedelta(days=days)
    item.snoozed_until = until
    item.next_remind_at = until
    ledger.append(
        SNOOZED,
        {"item": item.key, "by": user_id, "until": until.isoformat()},
        db_session=db_session,
    )
    db_session.flush()
    return Snoozed(item.id, item.domain, item.ref_id, until)


def open_items(
    *, db_session: Session, assignee: str | None = None, domain: str | None = None
) -> list[DueItem]:
    """Open items, soonest due first, optionally one person's or one domain's."""
    query = select(DueItem).where(DueItem.status == OPEN)
    if assignee is not None:
        query = query.where(DueItem.assignee == assignee)
    if domain is not None:
        query = query.where(DueItem.domain == domain)
    return list(db_session.scalars(query.order_by(DueItem.due_at, DueItem.id)))


def overdue_items(
    *, db_session: Session, now: datetime, domain: str | None = None
) -> list[DueItem]:
    """Open items whose due time has passed at `now`, oldest first."""
    query = select(DueItem).where(DueItem.status == OPEN, DueItem.due_at < now)
    if domain is not None:
        query = query.where(DueItem.domain == domain)
    return list(db_session.scalars(query.order_by(DueItem.due_at, DueItem.id)))
