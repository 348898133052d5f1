"""The chain inside the export: the record each row is, and ledger.jsonl from the anchor to the head."""

from __future__ import annotations

import bisect
import hashlib
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.evidence.export_records import ExportRecords
from core.models import LedgerRecord

LEDGER_FILE = "ledger.jsonl"
# The kinds whose payload names the row they record (questions keep their seq on the row).
_INDEXED = (
    "register_change",
    "evidence_submitted",
    "evidence_accepted",
    "evidence_rejected",
    "campaign_started",
    "acknowledgement",
)


@dataclass
class LedgerIndex:
    """Where each exported row's record is in the chain (read once, payloads of a few kinds only)."""

    submissions: dict[int, int] = field(default_factory=dict)  # submission ID -> seq
    reviews: dict[tuple[str, str], int] = field(default_factory=dict)  # (control, period) -> seq
    acks: dict[tuple[int, str], int] = field(default_factory=dict)  # (campaign, user) -> seq
    campaigns: dict[int, int] = field(default_factory=dict)  # campaign ID -> seq it started
    changes: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def control(self, ref: str, before: int | None = None) -> int | None:
        """The control's newest register change (the one in force before `before`, if given)."""
        seqs = self.changes.get(ref) or []
        at = bisect.bisect_left(seqs, before) if before is not None else len(seqs)
        return seqs[at - 1] if at else None


def index_ledger(*, db_session: Session, up_to: int | None = None) -> LedgerIndex:
    """Walk the records that name rows by ID (up to the export's head) and remember where each is."""
    index = LedgerIndex()
    query = select(LedgerRecord.seq, LedgerRecord.kind, LedgerRecord.payload).where(
        LedgerRecord.kind.in_(_INDEXED)
    )
    if up_to is not None:  # a record appended while the export runs is past its head
        query = query.where(LedgerRecord.seq <= up_to)
    rows = db_session.execute(query.order_by(LedgerRecord.seq).execution_options(yield_per=1000))
    for seq, kind, payload in rows:
        _remember(index, seq, kind, json.loads(payload))
    return index


def _remember(index: LedgerIndex, seq: int, kind: str, p: dict[str, object]) -> None:
    if kind == "register_change":
        index.changes[str(p.get("control"))].append(seq)
    elif kind == "evidence_submitted":
        index.submissions[int(str(p.get("submission")))] = seq
    elif kind in ("evidence_accepted", "evidence_rejected"):
        index.reviews[(str(p.get("control")), str(p.get("period")))] = seq
    elif kind == "campaign_started":
        index.campaigns[int(str(p.get("campaign")))] = seq
    elif kind == "acknowledgement":
        index.acks[(int(str(p.get("campaign"))), str(p.get("user")))] = seq


@dataclass(frozen=True)
class ChainSpan:
    """The records an export carries: first_seq to the head, and the hash before the first."""

    first_seq: int
    anchor: str
    head: tuple[int, str]

    def manifest(self, records: int) -> dict[str, object]:
        """The manifest's "ledger" entry verify.py starts from."""
        return {
            "file": LEDGER_FILE,
            "first_seq": self.first_seq,
            "anchor": self.anchor,
            "head": {"seq": self.head[0], "hash": self.head[1]},
            "records": records,
        }


def chain_span(needed: set[int], head: tuple[int, str], *, db_session: Session) -> ChainSpan:
    """From the first record any row needs to the head; nothing needed, no records but the head."""
    wanted = {s for s in needed if 0 < s <= head[0]}
    if not wanted:
        return ChainSpan(head[0] + 1, head[1], head)
    first = min(wanted)
    record = db_session.get(LedgerRecord, first)
    anchor = record.prev_hash if record is not None else head[1]
    return ChainSpan(first, anchor, head)


def write_ledger(archive: zipfile.ZipFile, span: ChainSpan, *, db_session: Session) -> str:
    """Stream the span's records into ledger.jsonl exactly as hashed; return the file's SHA-256."""
    digest = hashlib.sha256()
    t = LedgerRecord
    rows = db_session.execute(
        select(t.seq, t.recorded_at, t.kind, t.payload, t.prev_hash, t.hash)
        .where(t.seq >= span.first_seq, t.seq <= span.head[0])
        .order_by(t.seq)
        .execution_options(yield_per=1000)
    )
    with archive.open(LEDGER_FILE, "w", force_zip64=True) as out:
        for seq, recorded_at, kind, payload, prev_hash, hash_ in rows:
            record = {"seq": seq, "recorded_at": recorded_at.isoformat(), "kind": kind}
            record.update(payload=payload, prev_hash=prev_hash, hash=hash_)
            line = json.dumps(record, ensure_ascii=False)
            data = (line + "\n").encode("utf-8")
            digest.update(data)
            out.write(data)
    return digest.hexdigest()


def needed_seqs(records: ExportRecords, index: LedgerIndex, witnessed: Iterable[int]) -> set[int]:
    """Every record the export's rows name, and the earlier records those depend on."""
    requests = {r.id: r for r in records.requests}
    controls = {c.id: c for c in records.controls}
    seqs: set[int | None] = set(witnessed)
    seqs.update(index.control(c.ref) for c in records.controls)
    for s in records.submissions:
        request = requests[s.request_id]
        ref = controls[request.control_id].ref
        seq = index.submissions.get(s.id)
        # The control as it was defined when the evidence was handed in, and the review after.
        seqs.update((seq, index.control(ref, before=seq), index.reviews.get((ref, request.period))))
    for campaign, recipient in records.acks:
        seqs.update(
            (index.acks.get((campaign.id, recipient.user_id)), index.campaigns.get(campaign.id))
        )
    seqs.update(q.ledger_seq for q in records.questions)
    return {s for s in seqs if s is not None}
