"""The incident's timeline: messages of its working thread kept with author, time, text and files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.evidence.service import FileUpload, store_blob
from core.incidents.models import TimelineEntry
from core.incidents.service import get, record
from core.models import utcnow

MAX_TEXT = 40_000  # Slack caps a message at 40,000 characters


@dataclass(frozen=True)
class RefusedFile:
    """A file of the message that could not be kept, and why (too big, not downloadable)."""

    name: str
    reason: str


@dataclass(frozen=True)
class Message:
    """One thread message as Slack delivered it, its files already downloaded (or refused)."""

    ts: str
    author: str
    at: datetime
    text: str
    files: tuple[FileUpload | RefusedFile, ...] = ()


def add_message(
    incident_id: int, message: Message, *, db_session: Session, max_bytes: int
) -> TimelineEntry:
    """Keep one thread message (once per ts); on a closed incident it is kept and marked late."""
    incident = get(incident_id, db_session=db_session)
    found = db_session.scalars(
        select(TimelineEntry).where(
            TimelineEntry.incident_id == incident.id, TimelineEntry.ts == message.ts
        )
    ).first()
    if found is not None:
        return found  # Slack delivered the message twice
    kept: list[dict[str, str]] = []
    for item in message.files:
        if isinstance(item, RefusedFile):
            kept.append({"name": item.name, "refused": item.reason})
        elif len(item.content) > max_bytes:
            kept.append(
                {"name": item.name, "refused": f"over EVIDENCE_MAX_BYTES ({max_bytes:,} bytes)"}
            )
        else:
            digest = store_blob(item, db_session=db_session, max_bytes=max_bytes)
            kept.append({"name": item.name, "sha256": digest})
    text = message.text.replace("\x00", "")[:MAX_TEXT]
    entry = TimelineEntry(
        incident_id=incident.id,
        ts=message.ts,
        author=message.author,
        at=message.at,
        text=text,
        files=kept,
        late=incident.status == "closed",
        recorded_at=utcnow(),
    )
    db_session.add(entry)
    db_session.flush()
    entry.ledger_seq = record(
        "timeline",
        incident,
        db_session=db_session,
        ts=message.ts,
        author=message.author,
        at=message.at.isoformat(),
        text=text,
        files=kept,
        late=entry.late,
    )
    return entry
