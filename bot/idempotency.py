"""Handle each Slack event and interaction once, across processes, with a unique key in the database."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import affected
from core.models import ProcessedRequest, utcnow

log = logging.getLogger(__name__)

PENDING, ABANDONED, DONE = "pending", "abandoned", "done"
# A pending key older than this was left by a process that died without stopping cleanly.
CRASHED_AFTER = timedelta(minutes=15)
# Work that was taken up this many times without finishing is given up (and logged), not retried.
MAX_RUNS = 3


def _mapping(value: Any) -> dict[str, Any]:
    # Signed bodies still come in odd shapes (a string where an object belongs): treat as absent.
    return value if isinstance(value, dict) else {}


def request_key(body: dict[str, Any]) -> str | None:
    """A stable key for a request body: the event_id, or the interaction's trigger/action IDs."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("command") and body.get("trigger_id"):
        return f"command:{body['trigger_id']}"
    actions = body.get("actions")
    if body.get("type") == "block_actions" and isinstance(actions, list) and actions:
        action = _mapping(actions[0])
        return (
            f"action:{body.get('trigger_id')}:{action.get('action_id')}:{action.get('action_ts')}"
        )
    view = _mapping(body.get("view"))
    if body.get("type") == "view_submission" and view:
        # A form refused with field errors keeps its id and hash when it is corrected and sent
        # again, so what was typed is part of the key: only an identical resubmission is a repeat.
        state = json.dumps(view.get("state") or {}, sort_keys=True, default=str).encode()
        return f"view:{view.get('id')}:{view.get('hash')}:{hashlib.sha256(state).hexdigest()[:16]}"
    return None


def claim(key: str, *, db_session: Session, body: dict[str, Any] | None = None) -> bool:
    """True when this process is the first to see key; False for a duplicate.

    With a body the key is recorded as pending work (the body kept) until finish() is called.
    """
    state, kept = (PENDING, json.dumps(body)) if body is not None else (DONE, None)
    try:
        with db_session.begin_nested():
            db_session.add(ProcessedRequest(key=key[:200], state=state, body=kept))
            db_session.flush()
    except IntegrityError:
        return False
    return True


def finish(key: str, *, db_session: Session) -> None:
    """The work for key has been done (or has failed and the person was told): forget the body."""
    db_session.execute(
        update(ProcessedRequest)
        .where(ProcessedRequest.key == key[:200])
        .values(state=DONE, body=None)
    )


def abandon(keys: list[str], *, db_session: Session) -> None:
    """Keys whose work a stopping process could not finish: the next start takes them up."""
    if keys:
        db_session.execute(
            update(ProcessedRequest)
            .where(
                ProcessedRequest.key.in_([k[:200] for k in keys]), ProcessedRequest.state == PENDING
            )
            .values(state=ABANDONED)
        )


def take_unfinished(*, db_session: Session, now: datetime | None = None) -> list[dict[str, Any]]:
    """Claim the bodies of abandoned work (and of work left pending by a crash) to run again."""
    moment = now or utcnow()
    left = (ProcessedRequest.state == ABANDONED) | (
        (ProcessedRequest.state == PENDING)
        & (ProcessedRequest.received_at < moment - CRASHED_AFTER)
    )
    bodies = []
    columns = ProcessedRequest.key, ProcessedRequest.state, ProcessedRequest.body
    for row in db_session.execute(select(*columns, ProcessedRequest.attempts).where(left)):
        given_up = row.attempts >= MAX_RUNS or not row.body
        if given_up:
            log.warning("unfinished Slack request %s given up after %d runs", row.key, row.attempts)
        # Conditional on the state read, so two starting replicas never both take the same key.
        taken = affected(
            db_session,
            update(ProcessedRequest)
            .where(ProcessedRequest.key == row.key, ProcessedRequest.state == row.state)
            .values(
                state=DONE if given_up else PENDING,
                body=None if given_up else row.body,
                received_at=moment,
                attempts=ProcessedRequest.attempts + 1,
            ),
        )
        if taken == 1 and not given_up:
            bodies.append(json.loads(row.body))
    return bodies
