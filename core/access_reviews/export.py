"""The auditor's view of access reviews: access_reviews.csv, a page per review, the snapshots reviewed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access_reviews.models import (
    AccessAccount,
    AccessRemoval,
    AccessReview,
    AccessReviewItem,
    AccessSnapshot,
)
from core.evidence.export_files import zip_path
from core.evidence.export_links import BlobLinks
from core.localtime import local_moment
from core.models import Blob
from core.spreadsheet import csv_bytes

CSV_NAME = "access_reviews.csv"
HEADER = [
    "review_id",
    "review_status",
    "system",
    "snapshot_sha256",
    "account_id",
    "email",
    "person",
    "privileged",
    "flags",
    "reviewer",
    "assigned_because",
    "decision",
    "reason",
    "decided_by",
    "decided_at",
    "removal_id",
    "removal_status",
    "removal_done_by",
    "removal_done_at",
    "removal_verified_at",
    "exception_by",
    "exception_reason",
    "ledger_seq",
    "snapshot_ledger_seq",
]
_env = Environment(
    loader=PackageLoader("core.access_reviews", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
)


@dataclass(frozen=True)
class Row:
    """One account of one review, as the CSV and the page show it."""

    review: AccessReview
    item: AccessReviewItem
    account: AccessAccount
    snapshot: AccessSnapshot
    removal: AccessRemoval | None


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def review_rows(review: AccessReview, *, db_session: Session) -> list[Row]:
    """Every account of the review with its decision and removal, by system then account."""
    removals = {
        r.item_id: r
        for r in db_session.scalars(
            select(AccessRemoval).where(AccessRemoval.review_id == review.id)
        )
    }
    found = db_session.execute(
        select(AccessReviewItem, AccessAccount, AccessSnapshot)
        .join(AccessAccount, AccessAccount.id == AccessReviewItem.account_id)
        .join(AccessSnapshot, AccessSnapshot.id == AccessAccount.snapshot_id)
        .where(AccessReviewItem.review_id == review.id)
        .order_by(AccessReviewItem.system, AccessAccount.account_id)
    ).all()
    return [Row(review, i, a, s, removals.get(i.id)) for i, a, s in found]


def csv_row(row: Row) -> list[Any]:
    """One CSV line; ledger_seq names the decision's ledger record, snapshot_ledger_seq the snapshot's."""
    m = row.removal
    return [
        row.review.id,
        row.review.status,
        row.item.system,
        row.snapshot.sha256,
        row.account.account_id,
        row.account.email or "",
        row.account.person_email or "",
        "yes" if row.item.privileged else "no",
        " ".join(row.item.flags),
        row.item.reviewer,
        row.item.assigned_because,
        row.item.decision or "undecided",
        row.item.reason or "",
        row.item.decided_by or "",
        _iso(row.item.decided_at),
        m.id if m else "",
        m.status if m else "",
        (m.done_by or "") if m else "",
        _iso(m.done_at) if m else "",
        _iso(m.verified_at) if m else "",
        (m.exception_by or "") if m else "",
        (m.exception_reason or "") if m else "",
        row.item.ledger_seq or "",
        row.snapshot.ledger_seq or "",
    ]


def review_csv(review: AccessReview, *, db_session: Session) -> bytes:
    """One review's rows as CSV (the evidence a closed review hands in)."""
    return csv_bytes(HEADER, [csv_row(r) for r in review_rows(review, db_session=db_session)])


def _page(review: AccessReview, rows: list[Row], paths: dict[int, str], zone: tzinfo) -> bytes:
    counts = Counter(r.item.decision for r in rows)
    snapshots = {r.snapshot.id: r.snapshot for r in rows}
    removals = sorted((r.removal for r in rows if r.removal), key=lambda m: m.id)

    def when(value: datetime | None) -> str:
        return local_moment(value, zone) if value else ""

    return (
        _env.get_template("review.html")
        .render(
            review={
                **{k: getattr(review, k) for k in ("id", "systems", "status", "reviewer_mode")},
                "created_by": review.created_by,
                "closed_by": review.closed_by,
                "created_at": when(review.created_at),
                "due_at": when(review.due_at),
                "closed_at": when(review.closed_at),
            },
            counts={
                "items": len(rows),
                "kept": counts["keep"],
                "revoked": counts["revoke"],
                "undecided": counts[None],
            },
            snapshots=[
                {
                    "system": rows_system(rows, s.id),
                    "source": s.source,
                    "taken_at": when(s.taken_at),
                    "accounts": s.accounts,
                    "sha256": s.sha256,
                    "path": paths.get(s.id, ""),
                }
                for s in snapshots.values()
            ],
            rows=[
                {
                    "system": r.item.system,
                    "account_id": r.account.account_id,
                    "person": r.account.person_email or "",
                    "privileged": r.item.privileged,
                    "flags": " ".join(r.item.flags),
                    "reviewer": r.item.reviewer,
                    "assigned_because": r.item.assigned_because,
                    "decision": r.item.decision,
                    "reason": r.item.reason or "",
                    "decided_by": r.item.decided_by or "",
                    "decided_at": when(r.item.decided_at),
                    "ledger_seq": r.item.ledger_seq or "",
                }
                for r in rows
            ],
            removals=[
                {
                    **{k: getattr(m, k) for k in ("id", "system", "account", "owner", "status")},
                    **{
                        k: getattr(m, k)
                        for k in ("done_by", "note", "exception_by", "exception_reason")
                    },
                    "created_at": when(m.created_at),
                    "done_at": when(m.done_at),
                    "verified_at": when(m.verified_at),
                }
                for m in removals
            ],
        )
        .encode()
    )


def rows_system(rows: list[Row], snapshot_id: int) -> str:
    """The system a snapshot belongs to, from the rows that use it."""
    return next(r.item.system for r in rows if r.snapshot.id == snapshot_id)


def _reviews(
    db_session: Session, start: datetime | None, end: datetime | None
) -> list[AccessReview]:
    return [
        r
        for r in db_session.scalars(select(AccessReview).order_by(AccessReview.id))
        if (start is None or r.created_at >= start) and (end is None or r.created_at <= end)
    ]


def export_files(
    *,
    db_session: Session,
    zone: tzinfo,
    start: datetime | None = None,
    end: datetime | None = None,
    blobs: BlobLinks | None = None,
) -> dict[str, bytes]:
    """access_reviews.csv, access_reviews/review-<id>.html and the snapshots reviewed ({} if none).

    Each snapshot copied is tied in `blobs` to the ledger record stating its SHA-256.
    """
    reviews = _reviews(db_session, start, end)
    if not reviews:
        return {}
    files: dict[str, bytes] = {}
    lines: list[list[Any]] = []
    for review in reviews:
        rows = review_rows(review, db_session=db_session)
        paths = _snapshots(rows, files, db_session=db_session, blobs=blobs)
        files[f"access_reviews/review-{review.id}.html"] = _page(review, rows, paths, zone)
        lines += [csv_row(r) for r in rows]
    files[CSV_NAME] = csv_bytes(HEADER, lines)
    return files


def ledger_seqs(
    *, db_session: Session, start: datetime | None = None, end: datetime | None = None
) -> set[int]:
    """The ledger records the export's access review rows and snapshots name."""
    seqs: set[int | None] = set()
    for review in _reviews(db_session, start, end):
        for r in review_rows(review, db_session=db_session):
            seqs.update((r.item.ledger_seq, r.snapshot.ledger_seq))
    return {s for s in seqs if s is not None}


def _snapshots(
    rows: list[Row], files: dict[str, bytes], *, db_session: Session, blobs: BlobLinks | None
) -> dict[int, str]:
    """Copy each reviewed snapshot's exact bytes into the export; where each went."""
    paths: dict[int, str] = {}
    for snapshot in {r.snapshot.id: r.snapshot for r in rows}.values():
        blob = db_session.get(Blob, snapshot.sha256)
        if blob is None:
            continue
        path = zip_path(snapshot.sha256, snapshot.source)
        files[path] = blob.content
        paths[snapshot.id] = path
        if blobs is not None and snapshot.ledger_seq is not None:
            blobs.add(path, snapshot.ledger_seq, "payload.sha256")
    return paths
