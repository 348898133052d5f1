"""Handle each Slack event and interaction once, across processes, with a unique key in the database."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import ProcessedRequest


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


def claim(key: str, *, db_session: Session) -> bool:
    """True when this process is the first to see key; False for a duplicate."""
    try:
        with db_session.begin_nested():
            db_session.add(ProcessedRequest(key=key[:200]))
            db_session.flush()
    except IntegrityError:
        return False
    return True
