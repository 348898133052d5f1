"""The weekly readiness digest to SECURITY_CHANNEL: scheduled in a row, claimed, queued once."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.config import WEEKDAYS
from core.db import affected
from core.models import Outbox, ReadinessDigest
from core.outbox import Ref, enqueue
from core.readiness import ReadinessError, readiness
from core.readiness.digest import digest_content, is_slot, next_slot
from knowledge.catalogue import Catalogue

log = logging.getLogger(__name__)

DIGEST = "readiness_digest"  # outbox kind
DIGEST_REF = "readiness_digest"  # outbox reference type: the digest row


def _snapshot(
    now: datetime, *, db_session: Session, catalogue: Catalogue, zone: ZoneInfo, soc2: Sequence[str]
) -> dict[str, str] | None:
    try:
        report = readiness(
            db_session=db_session, catalogue=catalogue, soc2_categories=soc2, zone=zone, now=now
        )
    except ReadinessError:
        return None
    return report.snapshot()


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
    weekday = WEEKDAYS.index(day)
    row = db_session.scalars(
        select(ReadinessDigest)
        .where(ReadinessDigest.status == "scheduled")
        .order_by(ReadinessDigest.scheduled_for.desc())
        .limit(1)
    ).first()
    if row is None:  # the first run: start comparing from now
        baseline = _snapshot(
            now, db_session=db_session, catalogue=catalogue, zone=zone, soc2=soc2_categories
        )
        _schedule(db_session, next_slot(now, zone, weekday, hour), baseline or {})
        return False
    if not is_slot(row.scheduled_for, zone, weekday, hour):  # DIGEST_DAY/HOUR or TZ changed
        affected(
            db_session,
            update(ReadinessDigest)
            .where(ReadinessDigest.id == row.id, ReadinessDigest.status == "scheduled")
            .values(scheduled_for=next_slot(now, zone, weekday, hour)),
        )
        return False
    if row.scheduled_for > now:
        return False
    claimed = affected(
        db_session,
        update(ReadinessDigest)
        .where(ReadinessDigest.id == row.id, ReadinessDigest.status == "scheduled")
        .values(status="queued", queued_at=now, claimed_by=worker),
    )
    if claimed != 1:
        return False  # another worker has it
    try:
        report = readiness(
            db_session=db_session,
            catalogue=catalogue,
            soc2_categories=soc2_categories,
            zone=zone,
            now=now,
        )
    except ReadinessError as exc:
        log.warning("weekly readiness digest skipped: %s", exc)
        db_session.execute(
            update(ReadinessDigest).where(ReadinessDigest.id == row.id).values(status="skipped")
        )
        _schedule(db_session, next_slot(now, zone, weekday, hour), {})
        return False
    content = digest_content(report, row.baseline, row.created_at)
    queued = enqueue(
        f"digest:{row.id}",
        DIGEST,
        channel,
        content,
        ref=Ref(DIGEST_REF, row.id),
        db_session=db_session,
    )
    _schedule(db_session, next_slot(now, zone, weekday, hour), report.snapshot())
    return queued


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
        select(ReadinessDigest).where(ReadinessDigest.status == "scheduled").limit(1)
    ).first()
