"""Evidence requests as due items of the reminder engine: sync, describe, and the owner's snooze."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError
from core.models import EvidenceRequest, OrgControl
from core.reminders import registry
from core.reminders import service as reminders
from core.reminders.models import DueItem

DOMAIN = "evidence_request"
OPEN_STATUSES = ("open", "rejected")
# Outbox kinds queued before evidence moved onto the engine: rows still waiting render as before.
LEGACY_NUDGE = "evidence_nudge"


class SnoozeError(DomainError):
    """A snooze that cannot be done; the message says why."""


def _open_requests(db_session: Session) -> list[tuple[EvidenceRequest, OrgControl]]:
    rows = db_session.execute(
        select(EvidenceRequest, OrgControl)
        .join(OrgControl, OrgControl.id == EvidenceRequest.control_id)
        .where(EvidenceRequest.status.in_(OPEN_STATUSES), OrgControl.applicable)
        .order_by(EvidenceRequest.id)
    )
    return [(request, control) for request, control in rows]


def _days_before(request: EvidenceRequest, days_before: int | None) -> int | None:
    """The first reminder never comes before the period starts."""
    if days_before is None:
        return None
    return max(0, min(days_before, (request.due_at - request.period_start).days))


def open_for(
    request: EvidenceRequest,
    control: OrgControl,
    *,
    db_session: Session,
    days_before: int | None = None,
) -> DueItem:
    """The request's due item, opened or updated (owner, manager and due date follow the register)."""
    existing = reminders.find(db_session=db_session, domain=DOMAIN, ref_id=request.id)
    item = reminders.open_item(
        db_session=db_session,
        domain=DOMAIN,
        ref_id=request.id,
        # An owner not found in Slack gets no reminders, but the overdue request is still escalated.
        assignee=control.owner_user_id or "",
        due_at=request.due_at,
        escalate_to=control.manager_user_id,
        days_before=_days_before(request, days_before),
    )
    if existing is None and request.next_nudge_at is not None:
        # Requests nudged before the engine existed carry on where they were (no second escalation).
        item.next_remind_at, item.reminders_sent = request.next_nudge_at, request.nudges_sent
        item.snoozed_until, item.escalated_at = request.snoozed_until, request.escalated_at
    return item


def sync(*, db_session: Session, days_before: int) -> None:
    """Every open request has an open due item; items of requests no longer open are closed."""
    wanted = set()
    for request, control in _open_requests(db_session):
        open_for(request, control, db_session=db_session, days_before=days_before)
        wanted.add(request.id)
    for item in reminders.open_items(db_session=db_session, domain=DOMAIN):
        if item.ref_id not in wanted:
            reminders.close_item(db_session=db_session, domain=DOMAIN, ref_id=item.ref_id)


def describe(item: DueItem, *, db_session: Session) -> dict[str, Any] | None:
    """What a reminder about the request says; None once evidence is in or the control is out."""
    request = db_session.get(EvidenceRequest, item.ref_id)
    control = db_session.get(OrgControl, request.control_id) if request else None
    if request is None or control is None or request.status not in OPEN_STATUSES:
        return None
    if not control.applicable:
        return None
    expected = control.expected_evidence or ""
    return {
        "title": f"Evidence for {control.ref} {control.title} ({request.period})",
        "text": [f"Expected: {expected}"] if expected else [],
        "request_id": request.id,
        "control_ref": control.ref,
        "control_title": control.title,
        "period": request.period,
        "expected": expected,
        "owner": f"<@{control.owner_user_id}>" if control.owner_user_id else control.owner,
    }


def register() -> None:
    """Make evidence requests' reminders known to the engine."""
    registry.register(DOMAIN, describe)


def snooze_request(
    request_id: int, days: int, *, db_session: Session, user_id: str
) -> reminders.Snoozed:
    """Snooze a request's reminders (the button on its nudge); only the control's owner may."""
    if days not in reminders.SNOOZE_DAYS:
        raise SnoozeError("Snooze for 1, 3 or 7 days.")
    request = db_session.get(EvidenceRequest, request_id)
    control = db_session.get(OrgControl, request.control_id) if request else None
    if request is None or control is None:
        raise SnoozeError("That evidence request no longer exists.")
    # The nudge (and its buttons) went to the owner; a button value naming another request is not theirs.
    if user_id not in {control.owner_user_id, control.owner}:
        raise SnoozeError(f"Only the owner of {control.ref} can snooze its reminders.")
    if request.status not in OPEN_STATUSES:
        raise SnoozeError(f"Evidence for {control.ref} ({request.period}) is already in.")
    item = open_for(request, control, db_session=db_session)
    return reminders.snooze(item.id, days, db_session=db_session, user_id=user_id)
