"""The reminder engine's tick: claim each due reminder and escalation, then queue it in the outbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from core import ledger
from core.db import Database, affected
from core.outbox import Ref, enqueue
from core.reminders import registry, schedule
from core.reminders.models import OPEN, DueItem
from core.reminders.service import close_item
from jobs import people

log = logging.getLogger(__name__)

REMINDER = "reminder"
ESCALATION = "reminder_escalation"
DUE_ITEM = "due_item"  # the outbox Ref type of both kinds
ESCALATED = "reminder_escalated"  # ledger kind


@dataclass(frozen=True)
class ReminderRules:
    """When and where reminders go (from settings)."""

    default_zone: ZoneInfo
    days_before: int
    escalate_after: int
    start_hour: int
    end_hour: int
    security_channel: str | None


def tick(now: datetime, *, db: Database, client: WebClient | None, rules: ReminderRules) -> int:
    """Queue the reminders and escalations due at `now`; returns how many were queued.

    Assignees' time zones are looked up in Slack first, outside the write that claims and queues.
    """
    profiles = {}
    if client is not None:
        with db.session_scope() as session:
            due = {item.assignee for item in _candidates(now, db_session=session)}
            wanted = people.stale(due, db_session=session)
        profiles = people.fetch(client, wanted)
    with db.session_scope() as session:
        people.remember(profiles, db_session=session)
        queued = 0
        for item in _candidates(now, db_session=session):
            try:
                with session.begin_nested():  # one bad describer must not stop the others
                    queued += _work(item, now, rules, db_session=session)
            except Exception:  # noqa: BLE001 - logged; the item is retried at the next tick
                log.exception("reminder for due item %s failed; retrying next tick", item.id)
        return queued


def _candidates(now: datetime, *, db_session: Session) -> list[DueItem]:
    """Open items that may need a reminder or an escalation now (read only)."""
    reminder_due = or_(DueItem.next_remind_at.is_(None), DueItem.next_remind_at <= now)
    # Every escalation waits at least a day after the due time; the exact wait is checked per item.
    escalation_due = DueItem.escalated_at.is_(None) & (DueItem.due_at <= now - timedelta(days=1))
    query = select(DueItem).where(DueItem.status == OPEN, or_(reminder_due, escalation_due))
    return list(db_session.scalars(query.order_by(DueItem.due_at, DueItem.id)))


def _work(item: DueItem, now: datetime, rules: ReminderRules, *, db_session: Session) -> int:
    """Queue what is due for one item: its reminder and its escalation."""
    if item.next_remind_at is None:
        first = schedule.first_remind_at(item.due_at, rules.days_before)
        _claim(db_session, item, None, first, None)
        db_session.refresh(item)
    remind = item.next_remind_at is not None and item.next_remind_at <= now
    snoozed = item.snoozed_until is not None and item.snoozed_until > now
    after = item.escalate_after_days or rules.escalate_after
    escalate = item.escalated_at is None and now >= schedule.escalation_due(item.due_at, after)
    if not (remind and not snoozed) and not escalate:
        return 0
    content = registry.describe(item, db_session=db_session)
    if content is None:  # already finished: nothing to remind anyone of
        close_item(db_session=db_session, domain=item.domain, ref_id=item.ref_id, key=item.key)
        return 0
    queued = 0
    if remind and not snoozed:
        queued += _remind(item, content, now, rules, db_session=db_session)
    if escalate:
        queued += _escalate(item, content, now, rules, db_session=db_session)
    return queued


def _claim(
    db_session: Session, item: DueItem, old: datetime | None, new: datetime, sent: int | None
) -> bool:
    """Move next_remind_at from old to new only if nobody else has: the claim of one reminder."""
    values: dict[str, object] = {"next_remind_at": new}
    if sent is not None:
        values["reminders_sent"] = sent
    was = DueItem.next_remind_at.is_(None) if old is None else DueItem.next_remind_at == old
    return (
        affected(db_session, update(DueItem).where(DueItem.id == item.id, was).values(values)) == 1
    )


def _remind(
    item: DueItem,
    content: dict[str, Any],
    now: datetime,
    rules: ReminderRules,
    *,
    db_session: Session,
) -> int:
    """Claim and queue one reminder to the assignee, in their working hours."""
    zone = people.zone_of(item.assignee, db_session=db_session, default=rules.default_zone)
    at = people.next_working_time(now, zone, rules.start_hour, rules.end_hour)
    old = item.next_remind_at
    if at > now:
        _claim(db_session, item, old, at, None)  # wait for working hours
        return 0
    sent = item.reminders_sent + 1
    if not _claim(db_session, item, old, schedule.next_after(now, item.due_at, zone), sent):
        return 0  # another worker (or run) took this one
    stage = schedule.stage(now, item.due_at, zone)
    payload = _payload(item, content, stage, now, zone)
    return _queue(
        item, f"{REMINDER}:{item.id}:{sent}", REMINDER, item.assignee, payload, db_session
    )


def _escalate(
    item: DueItem,
    content: dict[str, Any],
    now: datetime,
    rules: ReminderRules,
    *,
    db_session: Session,
) -> int:
    """Claim and queue the one escalation (to escalate_to, else the security channel)."""
    target = item.escalate_to or rules.security_channel
    if not target:
        return 0
    claimed = update(DueItem).where(DueItem.id == item.id, DueItem.escalated_at.is_(None))
    if affected(db_session, claimed.values(escalated_at=now)) != 1:
        return 0
    zone = people.zone_of(item.assignee, db_session=db_session, default=rules.default_zone)
    payload = _payload(item, content, schedule.ESCALATION, now, zone)
    ledger.append(
        ESCALATED,
        {"item": item.key, "assignee": item.assignee, "to": target, "due": item.due_at.isoformat()},
        db_session=db_session,
    )
    key = f"{ESCALATION}:{item.id}:{item.due_at:%Y%m%d}"
    return _queue(item, key, ESCALATION, target, payload, db_session)


def _payload(
    item: DueItem, content: dict[str, Any], stage: str, now: datetime, zone: ZoneInfo
) -> dict[str, Any]:
    """What the outbox row carries: plain data the bot renders per domain."""
    return {
        "domain": item.domain,
        "item_id": item.id,
        "ref_id": item.ref_id,
        "assignee": item.assignee,
        "stage": stage,
        "due": item.due_at.isoformat(),
        "zone": zone.key,  # days are shown in the zone they were counted in
        "overdue_days": schedule.overdue_days(now, item.due_at, zone),
        "content": content,
    }


def _queue(
    item: DueItem, key: str, kind: str, to: str, payload: dict[str, Any], db_session: Session
) -> int:
    """Queue one message about the item (1), or nothing when its key was queued before (0)."""
    return int(enqueue(key, kind, to, payload, ref=Ref(DUE_ITEM, item.id), db_session=db_session))
