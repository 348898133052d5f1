"""Reading the register: every control, or one control with its versions and evidence requests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.evidence.service import control_by_ref
from core.models import EvidenceRequest, OrgControl, OrgControlVersion


@dataclass(frozen=True)
class ControlRecord:
    """One control as `register show` prints it: the control, its history and its requests."""

    control: OrgControl
    versions: list[OrgControlVersion]  # oldest first
    requests: list[EvidenceRequest]  # by due date


def register_controls(*, db_session: Session) -> list[OrgControl]:
    """Every control in the register, by its ID."""
    return list(db_session.scalars(select(OrgControl).order_by(OrgControl.ref)))


def control_record(ref: str, *, db_session: Session) -> ControlRecord | None:
    """The control with this ID (ignoring case) with its versions and evidence requests, or None."""
    control = control_by_ref(ref, db_session=db_session)
    if control is None:
        return None
    versions = db_session.scalars(
        select(OrgControlVersion)
        .where(OrgControlVersion.control_id == control.id)
        .order_by(OrgControlVersion.version)
    )
    requests = db_session.scalars(
        select(EvidenceRequest)
        .where(EvidenceRequest.control_id == control.id)
        .order_by(EvidenceRequest.due_at)
    )
    return ControlRecord(control, list(versions), list(requests))
