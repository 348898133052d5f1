"""Whether the risk and supplier registers are kept up: readiness counts them, the digest lists them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.risks.models import Risk
from core.risks.service import overdue_actions, overdue_reviews
from core.suppliers import service as suppliers
from core.suppliers.models import Supplier

# The requirements a register's reviews operate (a register control implementing one of them
# counts as operating while the register's reviews are current).
RISK_REQUIREMENTS = ("6.1.2", "6.1.3", "8.2", "8.3", "CC3.1", "CC3.2", "CC3.3", "CC3.4")
SUPPLIER_REQUIREMENTS = ("A.5.19", "A.5.20", "A.5.21", "A.5.22", "CC9.2")


class _HasStatus(Protocol):
    @property
    def status(self) -> str: ...


State = TypeVar("State", bound=_HasStatus)


@dataclasses.dataclass(frozen=True)
class RegisterHealth:
    """One register: how many entries, and the earliest date something in it fell overdue."""

    requirements: tuple[str, ...]
    entries: int
    overdue_since: datetime | None

    @property
    def status(self) -> str:
        """current (kept up), overdue, or empty (the evidence alone decides)."""
        if self.overdue_since is not None:
            return "overdue"
        return "current" if self.entries else "empty"


def register_health(*, db_session: Session, now: datetime, zone: tzinfo) -> list[RegisterHealth]:
    """The risk register (reviews) and the supplier register (reviews and assurance expiry)."""
    risk_dues = [r.next_review_at for r in overdue_reviews(db_session=db_session, now=now)]
    supplier_dues = [
        s.next_review_at for s in suppliers.overdue_reviews(db_session=db_session, now=now)
    ]
    today = now.astimezone(zone).date()
    for s in suppliers.expired_assurances(db_session=db_session, today=today):
        if s.assurance_expires is not None:
            expired = datetime(
                s.assurance_expires.year,
                s.assurance_expires.month,
                s.assurance_expires.day,
                tzinfo=zone,
            )
            supplier_dues.append(expired)
    return [
        RegisterHealth(RISK_REQUIREMENTS, _count(Risk, db_session), min(risk_dues, default=None)),
        RegisterHealth(
            SUPPLIER_REQUIREMENTS, _count(Supplier, db_session), min(supplier_dues, default=None)
        ),
    ]


def _count(model: Any, db_session: Session) -> int:
    return int(db_session.scalar(select(func.count()).select_from(model)) or 0)


def with_registers(
    state: State, requirements: Iterable[str], health: list[RegisterHealth]
) -> State:
    """A control state as the registers make it: overdue while one it implements is overdue,
    current (operating) while they are kept up; unchanged for other controls or empty registers."""
    if state.status == "not_applicable":
        return state
    wanted = set(requirements)
    mine = [h for h in health if wanted & set(h.requirements) and h.status != "empty"]
    if not mine:
        return state
    late = [h.overdue_since for h in mine if h.overdue_since is not None]
    if late:
        return dataclasses.replace(state, status="overdue", due_at=min(late))  # type: ignore[type-var]
    return dataclasses.replace(state, status="current", due_at=None)  # type: ignore[type-var]


def register_alerts(*, db_session: Session, now: datetime, zone: tzinfo) -> list[dict[str, Any]]:
    """Overdue risk reviews and actions, overdue supplier reviews and expired assurances, oldest first."""
    today = now.astimezone(zone).date()
    items: list[tuple[str, str, str]] = [
        (
            f"{r.next_review_at.astimezone(zone):%Y-%m-%d}",
            f"Review of risk {r.ref} {r.title}",
            r.owner_user_id,
        )
        for r in overdue_reviews(db_session=db_session, now=now)
    ]
    for action in overdue_actions(db_session=db_session, today=today):
        risk = db_session.get(Risk, action.risk_id)
        if risk is not None:
            items.append(
                (
                    action.due.isoformat(),
                    f"Risk {risk.ref} action: {action.text}",
                    risk.owner_user_id,
                )
            )
    items += [
        (
            f"{s.next_review_at.astimezone(zone):%Y-%m-%d}",
            f"Review of supplier {s.name}",
            s.owner_user_id,
        )
        for s in suppliers.overdue_reviews(db_session=db_session, now=now)
    ]
    items += [
        (
            s.assurance_expires.isoformat(),
            f"{s.name}'s {s.assurance_type} assurance expired",
            s.owner_user_id,
        )
        for s in suppliers.expired_assurances(db_session=db_session, today=today)
        if s.assurance_expires is not None
    ]
    return [{"due": due, "what": what, "owner": owner} for due, what, owner in sorted(items)]
