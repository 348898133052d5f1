"""Run everything that is due at one moment: plan, nudge, remind, witness, then deliver."""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, tzinfo

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.campaigns import delivery as campaign_delivery
from core.campaigns import service as campaign_service
from core.config import Settings
from core.db import Database
from core.evidence import reminders as evidence_reminders
from core.evidence.service import plan_requests
from core.localtime import local_day
from core.models import Outbox
from core.readiness.scope import standard_catalogue
from core.reminders.models import OPEN, DueItem
from jobs import campaigns, digest, reminders, witness
from jobs.delivery import DeliveryStats, Pacer, Render, deliver

log = logging.getLogger(__name__)

Upcoming = list[tuple[str, datetime | None, str]]  # (what, when, detail)

AFTER_SEND = {
    campaign_delivery.INVITE: campaign_delivery.record_delivery,
    witness.WITNESS: witness.record,
    digest.DIGEST: digest.record,
}


def worker_name() -> str:
    """host:pid, recorded on every claim."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Jobs:
    """What the scheduled work needs: database, settings and (optionally) Slack with a renderer."""

    db: Database
    settings: Settings
    client: WebClient | None
    pacer: Pacer | None = None
    render: Render | None = None  # how queued content becomes a Slack message (bot supplies it)

    def __post_init__(self) -> None:
        self.pacer = self.pacer or Pacer(self.settings.delivery_rate)
        if self.client is not None and self.render is None:
            raise ValueError("sending needs a renderer for queued messages")

    def plan(self, now: datetime) -> None:
        """Create due evidence requests and queue reminders, campaign work and witness posts."""
        s = self.settings
        with self.db.session_scope() as session:
            plan_requests(now, s.zone, db_session=session)
            evidence_reminders.sync(db_session=session, days_before=s.nudge_days_before)
        reminders.tick(now, db=self.db, client=self.client, rules=reminder_rules(s))
        campaigns.tick(
            now,
            db=self.db,
            client=self.client,
            reminder_days=s.campaign_reminder_days,
            security_channel=s.security_channel,
        )
        with self.db.session_scope() as session:
            witness.tick(
                now,
                db_session=session,
                channel=s.security_channel,
                interval_hours=s.witness_interval_hours,
            )
        with self.db.session_scope() as session:
            digest.tick(
                now,
                db_session=session,
                catalogue=standard_catalogue(),
                channel=s.security_channel,
                zone=s.zone,
                day=s.digest_day,
                hour=s.digest_hour,
                soc2_categories=s.soc2_categories,
                worker=worker_name(),
            )

    def deliver(
        self, now: datetime, *, limit: int | None = None, stop: threading.Event | None = None
    ) -> DeliveryStats:
        """Send what is queued (needs Slack)."""
        if self.client is None:
            return DeliveryStats()
        assert self.pacer is not None and self.render is not None
        render, zone = self.render, self.settings.zone
        return deliver(
            self.db,
            self.client,
            worker=worker_name(),
            pacer=self.pacer,
            render=lambda kind, content: render(kind, content, zone=zone),
            now=lambda: now,
            limit=limit,
            after_send=AFTER_SEND,
            stop=stop,
            report_to=self.settings.security_channel,
        )

    def run_due(self, now: datetime, *, stop: threading.Event | None = None) -> DeliveryStats:
        """Everything due at `now`, once."""
        self.plan(now)
        return self.deliver(now, stop=stop)

    def upcoming(self) -> Upcoming:
        """What is scheduled next: (what, when, detail)."""
        with self.db.session_scope() as session:
            return [
                *_reminders_next(session, self.settings.zone),
                *_due_items_next(session, self.settings.zone),
                *_digest_next(session),
                *_sends_next(session),
            ]


def reminder_rules(settings: Settings) -> reminders.ReminderRules:
    """When and where the reminder engine's reminders go, from the settings."""
    return reminders.ReminderRules(
        default_zone=settings.zone,
        days_before=settings.nudge_days_before,
        escalate_after=settings.escalate_after_days,
        start_hour=settings.work_start_hour,
        end_hour=settings.work_end_hour,
        security_channel=settings.security_channel,
    )


def _due_items_next(session: Session, zone: tzinfo) -> Upcoming:
    items = session.scalars(
        select(DueItem)
        .where(DueItem.status == OPEN)
        .order_by(DueItem.next_remind_at, DueItem.id)
        .limit(20)
    )
    return [
        (
            f"reminder ({item.domain})",
            item.next_remind_at,
            f"item {item.id} {item.key} to {item.assignee}, due {local_day(item.due_at, zone)}",
        )
        for item in items
    ]


def _reminders_next(session: Session, zone: tzinfo) -> Upcoming:
    return [
        (
            "campaign reminder",
            c.next_reminder_at,
            f"#{c.id} {c.title}, due {local_day(c.due_at, zone)}",
        )
        for c in campaign_service.active_campaigns(db_session=session)
    ]


def _digest_next(session: Session) -> Upcoming:
    scheduled = digest.next_digest(session)
    if scheduled is None:
        return []
    return [("readiness digest", scheduled.scheduled_for, "to SECURITY_CHANNEL")]


def _sends_next(session: Session) -> Upcoming:
    queued = session.scalars(
        select(Outbox)
        .where(Outbox.status.in_(["pending", "claimed"]))
        .order_by(Outbox.not_before)
        .limit(20)
    )
    return [
        (f"send ({row.kind})", row.not_before, f"to {row.recipient} [{row.status}]")
        for row in queued
    ]
