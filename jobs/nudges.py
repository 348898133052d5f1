"""Evidence nudges: before the due date, on it, then overdue with growing gaps; escalation; snooze."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.db import Database, affected
from core.errors import DomainError
from core.models import EvidenceRequest, OrgControl, utcnow
from core.outbox import EVIDENCE_REQUEST, Ref, enqueue
from jobs import people

NUDGE = "evidence_nudge"
ESCALATION = "evidence_escalation"
OVERDUE_GAPS = (1, 2, 4, 7, 14)  # days between overdue reminders, then every 14


class SnoozeError(DomainError):
    """A snooze that cannot be done; the message says why."""


def first_nudge_at(request: EvidenceRequest, days_before: int) -> datetime:
    """When the first reminder for a request is due."""
    return max(request.period_start, request.due_at - timedelta(days=days_before))


def _after(request: EvidenceRequest, sent: int, now: datetime, zone: ZoneInfo) -> datetime:
    """The next reminder time after one just sent at `now` (days as the owner in zone counts them)."""
    # Midnight starting the due day where the owner is: UTC midnight would fall on the evening
    # before for anyone west of UTC, and their "due today" reminder would never come.
    local_due = request.due_at.astimezone(zone).date()
    due_day = datetime.combine(local_due, time(), tzinfo=zone).astimezone(UTC)
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


@dataclass(frozen=True)
class NudgeRules:
    """When and where nudges go (from settings)."""

    default_zone: ZoneInfo
    days_before: int
    escalate_after: int
    start_hour: int
    end_hour: int
    security_channel: str | None


def tick(now: datetime, *, db: Database, client: WebClient | None, rules: NudgeRules) -> int:
    """Queue the nudges and escalations due at `now`; returns how many were queued.

    Owners' time zones are looked up in Slack first, outside the write that claims and queues.
    """
    profiles = {}
    if client is not None:
        with db.session_scope() as session:
            wanted = people.stale(_owners_due(now, rules, db_session=session), db_session=session)
        profiles = people.fetch(client, wanted)
    with db.session_scope() as session:
        people.remember(profiles, db_session=session)
        return _queue_due(now, rules, db_session=session)


def _open_requests(db_session: Session) -> list[tuple[EvidenceRequest, OrgControl]]:
    rows = db_session.execute(
        select(EvidenceRequest, OrgControl)
        .join(OrgControl, OrgControl.id == EvidenceRequest.control_id)
        .where(EvidenceRequest.status.in_(["open", "rejected"]), OrgControl.applicable)
        .order_by(EvidenceRequest.id)
    )
    return [(request, control) for request, control in rows]


def _due(request: EvidenceRequest, next_at: datetime, now: datetime) -> bool:
    return next_at <= now and (request.snoozed_until is None or request.snoozed_until <= now)


def _owners_due(now: datetime, rules: NudgeRules, *, db_session: Session) -> set[str]:
    """Owners who may get a nudge now (read only)."""
    return {
        control.owner_user_id
        for request, control in _open_requests(db_session)
        if control.owner_user_id
        and _due(request, request.next_nudge_at or first_nudge_at(request, rules.days_before), now)
    }


def _queue_due(now: datetime, rules: NudgeRules, *, db_session: Session) -> int:
    queued = 0
    for request, control in _open_requests(db_session):
        if request.next_nudge_at is None:
            db_session.execute(
                update(EvidenceRequest)
                .where(EvidenceRequest.id == request.id, EvidenceRequest.next_nudge_at.is_(None))
                .values(next_nudge_at=first_nudge_at(request, rules.days_before))
            )
            db_session.refresh(request)
        assert request.next_nudge_at is not None
        owner = control.owner_user_id
        if owner and _due(request, request.next_nudge_at, now):
            queued += _nudge(request, control, owner, now, rules, db_session=db_session)
        if request.escalated_at is None and now >= request.due_at + timedelta(
            days=rules.escalate_after
        ):
            queued += _escalate(request, control, now, rules, db_session=db_session)
    return queued


def _nudge(
    request: EvidenceRequest,
    control: OrgControl,
    owner: str,
    now: datetime,
    rules: NudgeRules,
    *,
    db_session: Session,
) -> int:
    """Claim and queue one nudge, in the owner's working hours."""
    zone = people.zone_of(owner, db_session=db_session, default=rules.default_zone)
    at = people.next_working_time(now, zone, rules.start_hour, rules.end_hour)
    old = request.next_nudge_at
    assert old is not None
    if at > now:
        _claim(db_session, request.id, old, at, None)  # wait for working hours
        return 0
    sent = request.nudges_sent + 1
    if not _claim(db_session, request.id, old, _after(request, sent, now, zone), sent):
        return 0
    content = _nudge_content(request, control, now, zone)
    return _queue(request, f"nudge:{request.id}:{sent}", NUDGE, owner, content, db_session)


def _nudge_content(
    request: EvidenceRequest, control: OrgControl, now: datetime, zone: ZoneInfo
) -> dict[str, object]:
    """What a nudge says, as plain data; days are counted in the owner's own time zone."""
    today, due_day = now.astimezone(zone).date(), request.due_at.astimezone(zone).date()
    return {
        "request_id": request.id,
        "control_ref": control.ref,
        "control_title": control.title,
        "period": request.period,
        "due": request.due_at.isoformat(),
        "zone": zone.key,  # the due day is shown in the zone the days were counted in
        "overdue_days": max(0, (today - due_day).days),
        "due_today": today == due_day,
        "expected": control.expected_evidence,
    }


def _queue(
    request: EvidenceRequest,
    key: str,
    kind: str,
    to: str,
    content: dict[str, object],
    db_session: Session,
) -> int:
    """Queue one message about the request (1), or nothing when its key was queued before (0)."""
    ref = Ref(EVIDENCE_REQUEST, request.id)
    return int(enqueue(key, kind, to, content, ref=ref, db_session=db_session))


def _escalate(
    request: EvidenceRequest,
    control: OrgControl,
    now: datetime,
    rules: NudgeRules,
    *,
    db_session: Session,
) -> int:
    """Claim and queue the one escalation to the manager (or the security channel)."""
    target = control.manager_user_id or rules.security_channel
    if not target:
        return 0
    done = affected(
        db_session,
        update(EvidenceRequest)
        .where(EvidenceRequest.id == request.id, EvidenceRequest.escalated_at.is_(None))
        .values(escalated_at=now),
    )
    if done != 1:
        return 0
    owner = control.owner_user_id
    who = f"<@{owner}>" if owner else control.owner
    text = (
        f":rotating_light: Evidence for *{control.ref} {control.title}* ({request.period}) is "
        f"{(now - request.due_at).days} days overdue. Owner: {who}."
    )
    return _queue(
        request, f"escalation:{request.id}", ESCALATION, target, {"text": text}, db_session
    )


@dataclass(frozen=True)
class Snoozed:
    """Until when a request's reminders wait, and the owner's zone to say it in."""

    until: datetime
    zone: ZoneInfo


def snooze(
    request_id: int, days: int, *, db_session: Session, user_id: str, default_zone: ZoneInfo
) -> Snoozed:
    """Push the next reminder back by days (1, 3 or 7); only the control's owner may."""
    if days not in {1, 3, 7}:
        raise SnoozeError("Snooze for 1, 3 or 7 days.")
    request = db_session.get(EvidenceRequest, request_id)
    control = db_session.get(OrgControl, request.control_id) if request else None
    if request is None or control is None:
        raise SnoozeError("That evidence request no longer exists.")
    # The nudge (and its buttons) went to the owner; a button value naming another request is not theirs.
    if user_id not in {control.owner_user_id, control.owner}:
        raise SnoozeError(f"Only the owner of {control.ref} can snooze its reminders.")
    until = utcnow() + timedelta(days=days)
    request.snoozed_until = until
    request.next_nudge_at = until
    # The next reminder comes in the owner's working hours, so the day is theirs.
    return Snoozed(until, people.zone_of(user_id, db_session=db_session, default=default_zone))
