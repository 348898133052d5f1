"""The incident modals' submissions read into service calls' arguments; refusals shown under fields."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from bot.blocks.common import submitted
from bot.errors import FieldError
from bot.ids import Block
from core.incidents.service import IncidentError, Report
from core.incidents.triage import Change

# The service names the input at fault; this is where each one is in the modals.
FIELD_BLOCKS = {
    "description": Block.INCIDENT_WHAT,
    "noticed_at": Block.INCIDENT_NOTICED,
    "systems": Block.INCIDENT_SYSTEMS,
    "kind": Block.INCIDENT_KIND,
    "severity": Block.INCIDENT_SEVERITY,
    "status": Block.INCIDENT_STATUS,
    "affected_systems": Block.INCIDENT_AFFECTED,
    "notified_at": Block.INCIDENT_NOTIFIED_AT,
    "whom": Block.INCIDENT_NOTIFIED_WHOM,
    "root_cause": Block.INCIDENT_ROOT_CAUSE,
    "lessons": Block.INCIDENT_LESSONS,
    "action": Block.INCIDENT_ACTION_TEXT,
    "owner": Block.INCIDENT_ACTION_OWNER,
    "due_at": Block.INCIDENT_ACTION_DUE,
}


def as_field_error(error: IncidentError, default: str) -> FieldError:
    """The service's refusal as an error under the input it concerns (default: under `default`)."""
    return FieldError(str(error), FIELD_BLOCKS.get(error.field or "", default))


def _text(view: dict[str, Any], block: str) -> str:
    return str(submitted(view, block) or "")


def _moment(view: dict[str, Any], block: str) -> datetime | None:
    raw = submitted(view, block, "selected_date_time")
    if raw is None:
        return None
    try:
        return datetime.fromtimestamp(int(raw), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise FieldError("Pick a date and time.", block) from None


def _choice(view: dict[str, Any], block: str) -> str | None:
    picked = submitted(view, block, "selected_option") or {}
    value = picked.get("value") if isinstance(picked, dict) else None
    return str(value) if value is not None else None


def _yes_no(view: dict[str, Any], block: str) -> bool | None:
    value = _choice(view, block)
    return None if value is None else value == "yes"


def parse_report(view: dict[str, Any], reporter: str) -> Report:
    """The report modal as a Report (the service checks it)."""
    return Report(
        reporter=reporter,
        description=_text(view, Block.INCIDENT_WHAT),
        noticed_at=_moment(view, Block.INCIDENT_NOTICED),
        systems=_text(view, Block.INCIDENT_SYSTEMS),
        personal_data=bool(_yes_no(view, Block.INCIDENT_PERSONAL)),
    )


def parse_triage(view: dict[str, Any]) -> tuple[Change, datetime | None, str]:
    """The triage modal: the change, and when / whom a breach was notified (if given)."""
    handler = submitted(view, Block.INCIDENT_HANDLER, "selected_user")
    change = Change(
        kind=_choice(view, Block.INCIDENT_KIND),
        severity=_choice(view, Block.INCIDENT_SEVERITY),
        handler=str(handler) if handler else None,
        status=_choice(view, Block.INCIDENT_STATUS),
        affected_systems=_text(view, Block.INCIDENT_AFFECTED).strip() or None,
        personal_data_breach=_yes_no(view, Block.INCIDENT_BREACH),
    )
    return (
        change,
        _moment(view, Block.INCIDENT_NOTIFIED_AT),
        _text(view, Block.INCIDENT_NOTIFIED_WHOM),
    )


def parse_action(view: dict[str, Any], zone: tzinfo) -> tuple[str, str, datetime]:
    """A corrective action: what, whose, due at the end of the picked day in zone."""
    owner = str(submitted(view, Block.INCIDENT_ACTION_OWNER, "selected_user") or "")
    picked = submitted(view, Block.INCIDENT_ACTION_DUE, "selected_date")
    try:
        day = date.fromisoformat(str(picked))
    except ValueError:
        raise FieldError("Pick the day it is due.", Block.INCIDENT_ACTION_DUE) from None
    due = datetime.combine(day + timedelta(days=1), time(0), zone) - timedelta(seconds=1)
    return _text(view, Block.INCIDENT_ACTION_TEXT), owner, due.astimezone(UTC)
