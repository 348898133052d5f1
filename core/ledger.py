"""The append-only, hash-chained evidence ledger, and its verification."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from core.evidence.verifier import GENESIS, canonical, chain_hash
from core.models import LedgerRecord, LedgerWitness, utcnow

__all__ = ["GENESIS", "LedgerRecord", "append", "head", "verify", "count", "canonical"]


# Record kinds read back by other modules (the export counts failed quiz attempts).
QUIZ_FAILED = "quiz_failed"
ANSWER = "answer"  # one per answer the bot gave, on any surface
# An answer recorded above that Slack did not accept even after retries (the person never saw it).
ANSWER_UNDELIVERED = "answer_undelivered"


def record_hash(prev_hash: str, seq: int, recorded_at: datetime, kind: str, payload: str) -> str:
    """SHA-256 over the previous hash and this record's canonical fields.

    The hashing itself lives in the verifier shipped inside every export, so the auditor's
    verify.py and the bot can never disagree on it.
    """
    return chain_hash(prev_hash, seq, recorded_at.isoformat(), kind, payload)


def _lock(db_session: Session) -> None:
    # Appends are serialised so two writers cannot both take the same seq.
    if db_session.get_bind().dialect.name == "postgresql":
        db_session.execute(text("SELECT pg_advisory_xact_lock(270012022)"))


def append(kind: str, payload: dict[str, Any], *, db_session: Session) -> LedgerRecord:
    """Append one event; the caller's unit of work commits it."""
    _lock(db_session)
    last = db_session.scalars(
        select(LedgerRecord).order_by(LedgerRecord.seq.desc()).limit(1)
    ).first()
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS
    # Microseconds dropped: every backend stores and returns the same instant.
    recorded_at = utcnow().replace(microsecond=0)
    body = canonical(payload)
    record = LedgerRecord(
        seq=seq,
        recorded_at=recorded_at,
        kind=kind,
        payload=body,
        prev_hash=prev,
        hash=record_hash(prev, seq, recorded_at, kind, body),
    )
    db_session.add(record)
    db_session.flush()
    return record


def head(*, db_session: Session) -> tuple[int, str]:
    """The newest (seq, hash), or (0, GENESIS) for an empty ledger."""
    last = db_session.scalars(
        select(LedgerRecord).order_by(LedgerRecord.seq.desc()).limit(1)
    ).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


@dataclass(frozen=True)
class Verification:
    """The outcome of walking the chain."""

    ok: bool
    records: int
    head: str
    problem: str | None = None
    bad_seq: int | None = None
    kinds: dict[str, int] = field(default_factory=dict)  # records walked, per kind

    @property
    def answers(self) -> int:
        """How many of the walked records are answers the bot gave."""
        return self.kinds.get(ANSWER, 0)


def verify(*, db_session: Session) -> Verification:
    """Walk the chain: the first altered, removed or reordered record is named."""
    prev = GENESIS
    count = 0
    kinds: Counter[str] = Counter()
    # Streamed in batches: a long ledger is walked without holding every record in memory.
    records = select(LedgerRecord).order_by(LedgerRecord.seq).execution_options(yield_per=1000)
    for record in db_session.scalars(records):
        count += 1
        kinds[record.kind] += 1
        problem = _link_problem(record, expected_seq=count, prev=prev)
        if problem is not None:
            return Verification(False, count, prev, *problem)
        prev = record.hash
    problem = _witness_problem(last_seq=count, db_session=db_session)
    if problem is not None:
        return Verification(False, count, prev, *problem)
    return Verification(True, count, prev, kinds=dict(kinds))


def _link_problem(record: LedgerRecord, *, expected_seq: int, prev: str) -> tuple[str, int] | None:
    """Why a record does not follow the one before it (and which seq to name), or None."""
    if record.seq != expected_seq:
        return f"record {expected_seq} is missing (next is {record.seq})", expected_seq
    if record.prev_hash != prev:
        return (
            f"record {record.seq} does not follow record {record.seq - 1} (removed or reordered)",
            record.seq,
        )
    actual = record_hash(prev, record.seq, record.recorded_at, record.kind, record.payload)
    if actual != record.hash:
        return f"record {record.seq} ({record.kind}) was altered", record.seq
    return None


def _witness_problem(*, last_seq: int, db_session: Session) -> tuple[str, int] | None:
    """How the newest witnessed hash disagrees with the chain (missing or changed), or None."""
    witnessed = db_session.scalars(
        select(LedgerWitness).order_by(LedgerWitness.seq.desc()).limit(1)
    ).first()
    if witnessed is None:
        return None
    if witnessed.seq > last_seq:
        return (
            f"record {witnessed.seq} was witnessed on {witnessed.posted_at:%Y-%m-%d} UTC but is missing",
            witnessed.seq,
        )
    match = db_session.get(LedgerRecord, witnessed.seq)
    if match is None or match.hash != witnessed.hash:
        return f"record {witnessed.seq} differs from its witnessed hash", witnessed.seq
    return None


def count(*, db_session: Session) -> int:
    """How many records the ledger holds."""
    return int(db_session.scalar(select(func.count(LedgerRecord.seq))) or 0)
