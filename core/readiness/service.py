"""The one readiness service: each requirement's status from the register and its evidence."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError
from core.evidence.periods import period_for
from core.incidents import operating as incidents
from core.models import EvidenceRequest, OrgControl, utcnow
from core.readiness.model import (
    ControlState,
    FrameworkReadiness,
    Readiness,
    RequirementStatus,
    Tally,
)
from core.readiness.scope import FRAMEWORK_TITLES, FRAMEWORKS, Requirement, Scope, build_scope
from core.risks.health import register_health, with_registers
from knowledge.catalogue import Catalogue

OUTSTANDING = ("open", "rejected")


class ReadinessError(DomainError):
    """Readiness cannot be measured as asked; the message says what to do."""


def control_state(
    control: OrgControl, requests: Sequence[EvidenceRequest], now: datetime, zone: ZoneInfo
) -> ControlState:
    """One control's status: current beats submitted beats overdue beats no evidence."""
    owner = control.owner_user_id or control.owner
    accepted = [r.reviewed_at for r in requests if r.status == "accepted" and r.reviewed_at]
    last = max(accepted, default=None)
    if not control.applicable:
        return ControlState(control.ref, owner, "not_applicable", None, last)
    period = period_for(control.cadence, now, zone)
    this = next((r for r in requests if r.period == period.label), None)
    late = sorted(r.due_at for r in requests if r.status in OUTSTANDING and r.due_at < now)
    if this is not None and this.status == "accepted":
        return ControlState(control.ref, owner, "current", None, last)
    # Evidence handed in for this period waits on the reviewer, not the owner, even if a past
    # period was missed: a missed period cannot be handed in any more, only the current one.
    if this is not None and this.status == "submitted":
        return ControlState(control.ref, owner, "submitted", this.due_at, last)
    if late:
        return ControlState(control.ref, owner, "overdue", late[0], last)
    due = this.due_at if this is not None else period.due
    return ControlState(control.ref, owner, "no_evidence", due, last)


def with_incidents(
    state: ControlState, control: OrgControl, now: datetime, zone: ZoneInfo, db_session: Session
) -> ControlState:
    """An incident-management control operates when its period's incidents were handled to
    closure; overdue reviews, actions or notifications make it overdue, whatever its evidence."""
    if not control.applicable or not incidents.covers(control.requirements):
        return state
    late = incidents.overdue_work(db_session=db_session, now=now)
    if late:
        note = "; ".join(what for what, _ in late[:3]) + (" …" if len(late) > 3 else "")
        return replace(state, status="overdue", due_at=late[0][1], note=note)
    start = period_for(control.cadence, now, zone).start
    if incidents.handled_to_closure(db_session=db_session, start=start, now=now):
        return replace(state, status="current", due_at=None)
    return state


def _combine(states: list[ControlState]) -> str:
    """A requirement is only as far as its least ready implementing control."""
    statuses = {s.status for s in states}
    if statuses == {"current"}:
        return "current"
    if "overdue" in statuses:
        return "overdue"
    if statuses <= {"current", "submitted"}:
        return "submitted"
    return "no_evidence"


def requirement_status(requirement: Requirement, states: list[ControlState]) -> RequirementStatus:
    """Status of one requirement from the states of the register controls that implement it."""
    applicable = [s for s in states if s.status != "not_applicable"]
    if not requirement.in_scope:
        status = "not_applicable"  # a SOC 2 category outside SOC2_CATEGORIES
    elif applicable:
        status = _combine(applicable)
    elif states and requirement.excludable:
        status = "not_applicable"  # Annex A excluded in the register, with its justification
    else:
        status = "gap"  # clauses and in-scope criteria cannot be excluded
    dues = [s.due_at for s in applicable if s.status == status and s.due_at is not None]
    accepted = [s.last_accepted for s in states if s.last_accepted is not None]
    return RequirementStatus(
        requirement.id,
        requirement.framework,
        requirement.title,
        requirement.group,
        status,
        tuple(states),
        max(accepted, default=None),
        min(dues, default=None) if status in {"overdue", "submitted", "no_evidence"} else None,
    )


def _summarise(scope: Scope, items: list[RequirementStatus]) -> tuple[FrameworkReadiness, ...]:
    out = []
    for framework in FRAMEWORKS:
        mine = [r for r in items if r.framework == framework]
        if not mine:
            continue
        groups = tuple(
            Tally.of(g.id, g.title, [r for r in mine if r.group == g.id])
            for g in scope.groups
            if g.framework == framework
        )
        title = FRAMEWORK_TITLES[framework]
        out.append(FrameworkReadiness(framework, title, Tally.of(framework, title, mine), groups))
    return tuple(out)


def readiness(
    *,
    db_session: Session,
    catalogue: Catalogue,
    soc2_categories: Sequence[str],
    zone: ZoneInfo,
    framework: str | None = None,
    now: datetime | None = None,
) -> Readiness:
    """Readiness of one framework (or both) at `now`; an empty register is an error saying what to do."""
    if framework is not None and framework not in FRAMEWORKS:
        raise ReadinessError(f"Unknown framework '{framework}': use iso27001 or soc2.")
    now = now or utcnow()
    controls = list(db_session.scalars(select(OrgControl).order_by(OrgControl.ref)))
    if not controls:
        raise ReadinessError(
            "The control register is empty, so there is nothing to measure readiness against. "
            "Import it first: `compliance-bot register import <file>` (see examples/register.csv)."
        )
    requests: dict[int, list[EvidenceRequest]] = defaultdict(list)
    for request in db_session.scalars(select(EvidenceRequest)):
        requests[request.control_id].append(request)
    implementing: dict[str, list[ControlState]] = defaultdict(list)
    health = register_health(db_session=db_session, now=now, zone=zone)  # issue 24
    for control in controls:
        state = control_state(control, requests[control.id], now, zone)
        state = with_registers(state, control.requirements, health)
        state = with_incidents(state, control, now, zone, db_session)
        for requirement_id in dict.fromkeys(control.requirements):
            implementing[requirement_id].append(state)
    scope = build_scope(catalogue, tuple(soc2_categories))
    if framework is not None:
        scope = scope.for_framework(framework)
    items = []
    for requirement in scope.requirements:
        states = [s for rid in requirement.covered_by for s in implementing.get(rid, [])]
        unique = list({s.ref: s for s in states}.values())
        items.append(requirement_status(requirement, unique))
    return Readiness(now, _summarise(scope, items), tuple(items), zone)
