"""The risk and supplier registers as the auditor export and the SoA take them (one small hook each)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Settings
from core.evidence.export_links import BlobLinks
from core.models import OrgControl
from core.risks import export as risk_export
from core.risks.export import risk_files
from core.risks.models import Risk
from core.risks.scale import RiskScale
from core.suppliers import export as supplier_export
from core.suppliers.export import supplier_files
from core.suppliers.models import Supplier


@dataclass(frozen=True)
class RegisterOptions:
    """The settings the register pages need: the risk scale and the assurance warning days."""

    scale: RiskScale = field(default_factory=RiskScale)
    days_before: int = 30

    @classmethod
    def from_settings(cls, settings: Settings) -> RegisterOptions:
        """RISK_* and SUPPLIER_ASSURANCE_DAYS_BEFORE from settings."""
        return cls(RiskScale.from_settings(settings), settings.supplier_assurance_days_before)


def register_files(
    *,
    db_session: Session,
    options: RegisterOptions,
    zone: tzinfo,
    now: datetime,
    blobs: BlobLinks | None = None,
) -> dict[str, bytes]:
    """The pages and CSVs of each register that holds anything (none for an empty one)."""
    files: dict[str, bytes] = {}
    if db_session.scalars(select(Risk.id).limit(1)).first() is not None:
        files.update(risk_files(db_session=db_session, scale=options.scale, zone=zone, now=now))
    if db_session.scalars(select(Supplier.id).limit(1)).first() is not None:
        files.update(
            supplier_files(
                db_session=db_session,
                days_before=options.days_before,
                zone=zone,
                now=now,
                blobs=blobs,
            )
        )
    return files


def register_seqs(*, db_session: Session) -> set[int]:
    """The ledger records the risk and supplier registers' rows and files name."""
    return risk_export.ledger_seqs(db_session=db_session) | supplier_export.ledger_seqs(
        db_session=db_session
    )


def risks_treated(*, db_session: Session) -> dict[str, list[str]]:
    """Catalogue ID -> the risks it treats: named on the risk, or through a register control."""
    implements = {c.ref: list(c.requirements) for c in db_session.scalars(select(OrgControl))}
    out: dict[str, list[str]] = {}
    for risk in db_session.scalars(select(Risk).order_by(Risk.ref)):
        ids = list(risk.requirements) + [
            i for ref in risk.controls for i in implements.get(ref, [])
        ]
        for requirement in dict.fromkeys(ids):
            out.setdefault(requirement, []).append(risk.ref)
    return out
