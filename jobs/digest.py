"""The weekly readiness digest to SECURITY_CHANNEL: scheduled in a row, claimed, queued once."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.config import WEEKDAYS
from core.db import affected
from core.models import Outbox, ReadinessDigest
from core.outbox import Ref, enqueue
from core.readiness import Readiness, ReadinessError, readiness
from core.readiness.digest import digest_content, is_slot, next_slot
from core.risks.health import register_alerts
from knowledge.catalogue import Catalogue

log = logging.getLogger(__name__)

DIGEST = "readiness_digest"  # outbox kind
DIGEST_REF = "readiness_digest"  # outbox reference type: the digest row


@dataclass(frozen=True)
class _Plan:
    """What the digest is computed from, and when it goes out (from settings)."""

    catalogue: Catalogue
    zone: ZoneInfo
    weekday: int
    hour: int
    soc2: Sequence[str]

    def report(self, now: datetime, *, db_session: Session) -> Readiness:
        """Readiness now (ReadinessError when it cannot be computed)."""
        return readiness(
            db_session=db_session,
            catalogue=self.catalogue,
            soc2_categories=self.soc2,
            zone=self.zone,
            now=now,
        )

    def next_slot(self, now: datetime) -> datetime:
        """The next digest time after `now`."""
        return next_slot(now, self.zone, self.weekday, self.hour)


def _schedule(db_session: Session, when: datetime, baseline: dict[str, str]) -> None:
    """Add the next digest row; another worker adding the same slot first is fine."""
    try:
        with db_session.begin_nested():
            db_session.add(ReadinessDigest(scheduled_for=when, baseline=baseline))
            db_session.flush()
    except IntegrityError:
        log.info("digest for %s already scheduled by another worker", when)


def tick(
    now: datetime,
    *,
    db_session: Session,
    catalogue: Catalogue,
    channel: str | None,
    zone: ZoneInfo,
    day: str,
    hour: int,
    soc2_categories: Sequence[str],
    worker: str = "worker",
) -> bool:
    """Queue the digest when its slot has come; True when this call queued it."""
    if not channel:
        return False
    plan = _Plan(catalogue, zone, WEEKDAYS.index(day), hour, soc2_categories)
    row = next_digest(db_session)
    if row is None:  # the first run: start comparing from now
        _schedule_first(now, plan, db_session=db_session)
        return False
    if not is_slot(row.scheduled_for, zone, plan.weekday, hour):  # DIGEST_DAY/HOUR or TZ changed
        _move(row, plan.next_slot(now), db_session=db_session)
        return False
    if row.scheduled_for > now or not _claim(row, now, worker, db_session=db_session):
        return False  # not yet, or another worker has it
    try:
        report = plan.report(now, db_session=db_session)
    except ReadinessError as exc:
        log.warning("weekly readiness digest skipped: %s", exc)
        _skip(row, db_session=db_session)
        _schedule(db_session, plan.next_slot(now), {})
        return False
    content = digest_content(report, row.baseline, row.created_at)
    # Overdue risk and supplier reviews and expired assurances (issue 24).
    content["registers"] = register_alerts(db_session=db_session, now=now, zone=zone)
    queued = enqueue(
        f"digest:{row.id}",
        DIGEST,
        channel,
        content,
        ref=Ref(DIGEST_REF, row.id),
        db_session=db_session,
    )
    _schedule(db_session, plan.next_slot(now), report.snapshot())
    return queued


def _schedule_first(now: datetime, plan: _Plan, *, db_session: Session) -> None:
    """The first digest row, with readiness now as the baseline (empty if it cannot be computed)."""
    try:
        baseline = plan.report(now, db_session=db_session).snapshot()
    except ReadinessError:
        baseline = {}
    _schedule(db_session, plan.next_slot(now), baseline)


def _move(row: ReadinessDigest, when: datetime, *, db_session: Session) -> None:
    """Reschedule a digest still waiting for its slot."""
    affected(
        db_session,
        update(ReadinessDigest)
        .where(ReadinessDigest.id == row.id, ReadinessDigest.status == "scheduled")
        .values(scheduled_for=when),
    )


def _claim(row: ReadinessDigest, now: datetime, worker: str, *, db_session: Session) -> bool:
    """Take the digest for this worker only if it is still scheduled: a double run queues once."""
    claimed = affected(
        db_session,
        update(ReadinessDigest)
        .where(ReadinessDigest.id == row.id, ReadinessDigest.status == "scheduled")
        .values(status="queued", queued_at=now, claimed_by=worker),
    )
    return claimed == 1


def _skip(row: ReadinessDigest, *, db_session: Session) -> None:
    db_session.execute(
        update(ReadinessDigest).where(ReadinessDigest.id == row.id).values(status="skipped")
    )


def record(db_session: Session, row: Outbox) -> None:
    """After-send hook: note on the digest row when and where it was posted."""
    if row.status != "sent" or row.ref_type != DIGEST_REF or row.ref_id is None:
        return
    db_session.execute(
        update(ReadinessDigest)
        .where(ReadinessDigest.id == row.ref_id)
        .values(status="sent", sent_at=row.sent_at, channel=row.channel, ts=row.ts)
    )


def next_digest(db_session: Session) -> ReadinessDigest | None:
    """The scheduled digest, if any (for `jobs upcoming`)."""
    return db_session.scalars(
        select(ReadinessDigest)
        .where(ReadinessDigest.status == "scheduled")
        .order_by(ReadinessDigest.scheduled_for.desc())
        .limit(1)
    ).first()
