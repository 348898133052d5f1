"""Evidence nudges: before the due date, on it, then overdue with growing gaps; escalation; snooze."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.db import affected
from core.models import EvidenceRequest, OrgControl, utcnow
from core.outbox import EVIDENCE_REQUEST, Ref, enqueue
from jobs.people import next_working_time, zone_of

NUDGE = "evidence_nudge"
ESCALATION = "evidence_escalation"
OVERDUE_GAPS = (1, 2, 4, 7, 14)  # days between overdue reminders, then every 14


def first_nudge_at(request: EvidenceRequest, days_before: int) -> datetime:
    """When the first reminder for a request is due."""
    return max(request.period_start, request.due_at - timedelta(days=days_before))


def _after(request: EvidenceRequest, sent: int, now: datetime) -> datetime:
    """The next reminder time after one just sent at `now`."""
    due_day = request.due_at.replace(hour=0, minute=0, second=0, microsecond=0)
    if now < due_day:
        return due_day  # on the due date
    overdue_sent = max(0, sent - 2)  # the first two were "before" and "on the day"
    gap = OVERDUE_GAPS[min(overdue_sent, len(OVERDUE_GAPS) - 1)]
    return max(now, request.due_at) + timedelta(days=gap)


def _claim(
    db_session: Session, request_id: int, old: datetime, new: datetime, sent: int | None
) -> bool:
    values: dict[str, object] = {"next_nudge_at": new}
    if sent is not None:
        values["nudges_sent"] = sent
    done = affected(
        db_session,
        update(EvidenceRequest)
        .where(EvidenceRequest.id == request_id, EvidenceRequest.next_nudge_at == old)
        .values(values),
    )
    return done == 1


def tick(
    now: datetime,
    *,
    db_session: Session,
    client: WebClient | None,
    default_zone: ZoneInfo,
    days_before: int,
    escalate_after: int,
    start_hour: int,
    end_hour: int,
    security_channel: str | None,
) -> int:
    """Queue the nudges and escalations due at `now`; returns how many were queued."""
    queued = 0
    open_requests = list(
        db_session.scalars(
            select(EvidenceRequest).where(EvidenceRequest.status.in_(["open", "rejected"]))
        )
    )
    for request in open_requests:
        control = db_session.get(OrgControl, request.control_id)
        if control is None or not control.applicable:
            continue
        if request.next_nudge_at is None:
            db_session.execute(
                update(EvidenceRequest)
                .where(EvidenceRequest.id == request.id, EvidenceRequest.next_nudge_at.is_(None))
                .values(next_nudge_at=first_nudge_at(request, days_before))
            )
            db_session.refresh(request)
        owner = control.owner_user_id
        assert request.next_nudge_at is not None
        if (
            owner
            and request.next_nudge_at <= now
            and (request.snoozed_until is None or request.snoozed_until <= now)
        ):
            zone = zone_of(owner, db_session=db_session, client=client, default=default_zone)
            at = next_working_time(now, zone, start_hour, end_hour)
            old = request.next_nudge_at
            if at > now:
                _claim(db_session, request.id, old, at, None)  # wait for working hours
            else:
                sent = request.nudges_sent + 1
                if _claim(db_session, request.id, old, _after(request, sent, now), sent):
                    overdue = max(
                        0,
                        (now.astimezone(zone).date() - request.due_at.astimezone(zone).date()).days,
                    )
                    due_today = (
                        now.astimezone(zone).date() == request.due_at.astimezone(zone).date()
                    )
                    payload = {
                        "request_id": request.id,
                        "control_ref": control.ref,
                        "control_title": control.title,
                        "period": request.period,
                        "due": request.due_at.isoformat(),
                        "overdue_days": overdue,
                        "due_today": due_today,
                        "expected": control.expected_evidence,
                    }
                    queued += enqueue(
                        f"nudge:{request.id}:{sent}",
                        NUDGE,
                        owner,
                        payload,
                        ref=Ref(EVIDENCE_REQUEST, request.id),
                        db_session=db_session,
                    )
        if request.escalated_at is None and now >= request.due_at + timedelta(days=escalate_after):
            target = control.manager_user_id or security_channel
            if target:
                done = affected(
                    db_session,
                    update(EvidenceRequest)
                    .where(EvidenceRequest.id == request.id, EvidenceRequest.escalated_at.is_(None))
                    .values(escalated_at=now),
                )
                if done == 1:
                    who = f"<@{owner}>" if owner else control.owner
                    text = (
                        f":rotating_light: Evidence for *{control.ref} {control.title}* ({request.period}) is "
                        f"{(now - request.due_at).days} days overdue. Owner: {who}."
                    )
                    queued += enqueue(
                        f"escalation:{request.id}",
                        ESCALATION,
                        target,
                        {"text": text},
                        ref=Ref(EVIDENCE_REQUEST, request.id),
                        db_session=db_session,
                    )
    return queued


def snooze(request_id: int, days: int, *, db_session: Session, user_id: str) -> EvidenceRequest:
    """Push the next reminder back by days (1, 3 or 7)."""
    if days not in {1, 3, 7}:
        raise ValueError("snooze for 1, 3 or 7 days")
    request = db_session.get(EvidenceRequest, request_id)
    if request is None:
        raise ValueError("That evidence request no longer exists.")
    until = utcnow() + timedelta(days=days)
    request.snoozed_until = until
    request.next_nudge_at = until
    return request
