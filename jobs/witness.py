"""Post the ledger head to SECURITY_CHANNEL on a schedule: a copy a database administrator cannot rewrite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.models import LedgerWitness, Outbox
from core.outbox import LEDGER, Ref, enqueue

WITNESS = "ledger_witness"


def tick(now: datetime, *, db_session: Session, channel: str | None, interval_hours: int) -> bool:
    """Queue a witness post when the last one is older than the interval and the head moved."""
    if not channel:
        return False
    seq, head = ledger.head(db_session=db_session)
    if seq == 0:
        return False
    last = db_session.scalars(
        select(LedgerWitness).order_by(LedgerWitness.id.desc()).limit(1)
    ).first()
    if last is not None and (
        last.hash == head or last.posted_at > now - timedelta(hours=interval_hours)
    ):
        return False
    text = f":lock: Evidence ledger head at record {seq}: `{head}` (posted {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC)."
    return enqueue(
        f"witness:{seq}:{head[:16]}",
        WITNESS,
        channel,
        {"text": text, "head": head},
        ref=Ref(LEDGER, seq),
        db_session=db_session,
    )


def record(db_session: Session, row: Outbox) -> None:
    """After-send hook: keep the witnessed head so `evidence verify` can check against it."""
    if row.status != "sent" or row.ref_type != LEDGER or row.ref_id is None:
        return
    record = db_session.get(ledger.LedgerRecord, row.ref_id)
    if record is not None and record.hash == row.payload.get("head"):
        db_session.add(
            LedgerWitness(seq=record.seq, hash=record.hash, channel=row.channel, ts=row.ts)
        )
