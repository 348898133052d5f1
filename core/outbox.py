"""What the paced sender delivers: one row per message, queued once per key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import Outbox

# "As soon as possible": earlier than any clock a run may be given (`jobs run --now` in the past).
ASAP = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Ref:
    """What a message is about, kept in columns so that after-send hooks never parse keys."""

    type: str  # CAMPAIGN, EVIDENCE_REQUEST or LEDGER
    id: int


CAMPAIGN = "campaign"
EVIDENCE_REQUEST = "evidence_request"
LEDGER = "ledger"


def enqueue(
    key: str,
    kind: str,
    recipient: str,
    payload: dict[str, Any],
    *,
    ref: Ref,
    db_session: Session,
    not_before: datetime | None = None,
) -> bool:
    """Queue a message once per key; False when that key was already queued.

    The payload is plain data; the sender renders it by kind at send time.
    """
    if db_session.scalar(select(Outbox.id).where(Outbox.key == key)) is not None:
        return False
    try:
        with db_session.begin_nested():
            db_session.add(
                Outbox(
                    key=key,
                    kind=kind,
                    recipient=recipient,
                    payload=payload,
                    ref_type=ref.type,
                    ref_id=ref.id,
                    not_before=not_before or ASAP,
                )
            )
            db_session.flush()
    except IntegrityError:
        return False
    return True
