"""`risk import`: read a CSV/XLSX risk register, validate every row, import all-or-nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import OrgControl
from core.requirements import requirement_resolver
from core.review_cadence import next_review
from core.risks.due import schedule_review
from core.risks.models import Risk
from core.risks.scale import TREATMENTS, RiskScale
from core.risks.service import save_version, snapshot_of, sync_actions
from core.table_import import (
    ImportResult,
    RawRows,
    cadence_cell,
    owner_cell,
    read_table,
    refuse_case_twins,
    split_list,
    validate_rows,
)
from knowledge.catalogue import Catalogue

WHAT = "risk register"
COLUMNS = (
    "id",
    "title",
    "description",
    "owner",
    "assets",
    "likelihood",
    "impact",
    "treatment",
    "controls",
    "treatment_plan",
    "residual_likelihood",
    "residual_impact",
    "review_cadence",
)
REQUIRED = ("id", "title", "owner", "likelihood", "impact", "treatment", "review_cadence")
_PLAN_STEP = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*[:\-–]?\s*(.+)$", re.S)

# A typed control: ("control", register ref) or ("requirement", catalogue ID), or None if unknown.
ControlResolver = Callable[[str], tuple[str, str] | None]


@dataclass
class RiskRow:
    """One validated row of the risk register."""

    line: int
    ref: str
    title: str
    description: str
    owner: str
    owner_user_id: str
    assets: list[str]
    likelihood: int
    impact: int
    treatment: str
    controls: list[str]
    requirements: list[str]
    plan: list[dict[str, str]]
    residual_likelihood: int
    residual_impact: int
    review_cadence: str

    def snapshot(self) -> dict[str, Any]:
        """The fields that define a version."""
        return {k: v for k, v in self.__dict__.items() if k not in {"line", "ref", "owner_user_id"}}


def read_risks(path: Path) -> RawRows:
    """The file's rows with their line numbers (nothing is validated or written yet)."""
    return read_table(path, what=WHAT, columns=COLUMNS, required=REQUIRED)


def validate(
    raw_rows: RawRows,
    *,
    scale: RiskScale,
    resolve_control: ControlResolver,
    people: Mapping[str, str | None],
) -> list[RiskRow]:
    """Check every row; raise TableImportError listing every problem by line."""
    return validate_rows(
        raw_rows,
        what=WHAT,
        required=REQUIRED,
        read_row=lambda line, raw: _read_row(line, raw, scale, resolve_control, people),
    )


def _read_row(
    line: int,
    raw: dict[str, str],
    scale: RiskScale,
    resolve_control: ControlResolver,
    people: Mapping[str, str | None],
) -> tuple[RiskRow | None, list[str]]:
    """The row as its fields read, and what is wrong with them, in the order of the columns."""
    owner, owner_id, problems = owner_cell(raw, people)
    scores = {}
    for key in ("likelihood", "impact", "residual_likelihood", "residual_impact"):
        scores[key], problem = _score(raw, key, scale)
        if problem:
            problems.append(problem)
    treatment = raw.get("treatment", "").strip().lower()
    if treatment and treatment not in TREATMENTS:
        problems.append(f"treatment '{treatment}' must be one of {', '.join(TREATMENTS)}")
    controls, requirements = [], []
    for typed in split_list(raw.get("controls")):
        found = resolve_control(typed)
        if found is None:
            problems.append(f"control '{typed}' is neither a register control nor a catalogue ID")
        elif found[0] == "control" and found[1] not in controls:
            controls.append(found[1])
        elif found[0] == "requirement" and found[1] not in requirements:
            requirements.append(found[1])
    plan, plan_problems = plan_steps(raw.get("treatment_plan", ""))
    problems += plan_problems
    cadence, cadence_problems = cadence_cell(raw)
    problems += cadence_problems
    if problems or owner_id is None:
        return None, problems
    row = RiskRow(
        line=line,
        ref=raw["id"].strip(),
        title=raw["title"].strip(),
        description=raw.get("description", "").strip(),
        owner=owner,
        owner_user_id=owner_id,
        assets=split_list(raw.get("assets")),
        likelihood=scores["likelihood"] or 0,
        impact=scores["impact"] or 0,
        treatment=treatment,
        controls=controls,
        requirements=requirements,
        plan=plan,
        # No residual scores given: the treatment has not changed the risk yet.
        residual_likelihood=scores["residual_likelihood"] or scores["likelihood"] or 0,
        residual_impact=scores["residual_impact"] or scores["impact"] or 0,
        review_cadence=cadence,
    )
    return row, []


def _score(raw: dict[str, str], key: str, scale: RiskScale) -> tuple[int | None, str | None]:
    text = raw.get(key, "").strip()
    if not text:
        return None, None
    if not text.isdigit() or not scale.in_scale(int(text)):
        return None, f"{key} '{text}' is outside the scale: use a whole number 1 to {scale.top}"
    return int(text), None


def plan_steps(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """Treatment plan steps 'YYYY-MM-DD what', separated by ';' or new lines."""
    steps, problems = [], []
    for part in (p.strip() for p in re.split(r"[;\n]", text or "") if p.strip()):
        match = _PLAN_STEP.match(part)
        due = _day(match.group(1)) if match else None
        if match is None or due is None:
            problems.append(
                f"treatment_plan step '{part[:60]}' must start with its due date, "
                "e.g. '2027-03-31 Roll out MFA'"
            )
            continue
        steps.append({"due": due.isoformat(), "text": match.group(2).strip()})
    return steps, problems


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def import_rows(
    rows: list[RiskRow], *, db_session: Session, actor: str, now: datetime
) -> ImportResult:
    """Create or update risks in place, keeping every version and recording each in the ledger."""
    result = ImportResult()
    existing = {r.ref: r for r in db_session.scalars(select(Risk))}
    refuse_case_twins(rows, list(existing), what=WHAT)
    for row in rows:
        risk = existing.get(row.ref)
        if (
            risk is not None
            and snapshot_of(risk) == row.snapshot()
            and (risk.owner_user_id == row.owner_user_id)
        ):
            result.unchanged.append(row.ref)
            continue
        (result.created if risk is None else result.updated).append(row.ref)
        risk = _save(row, risk, now, db_session)
        sync_actions(risk, db_session=db_session, now=now)
        save_version(risk, actor=actor, how="import", db_session=db_session)
        schedule_review(risk, db_session=db_session)
    return result


def _save(row: RiskRow, risk: Risk | None, now: datetime, db_session: Session) -> Risk:
    """A new risk at version 1 (first review one cadence away), or the stored one at its next version."""
    if risk is None:
        risk = Risk(ref=row.ref, version=1, next_review_at=next_review(row.review_cadence, now))
        db_session.add(risk)
    else:
        if risk.review_cadence != row.review_cadence:
            risk.next_review_at = next_review(row.review_cadence, risk.last_reviewed_at or now)
        risk.version += 1
    for key, value in row.snapshot().items():
        setattr(risk, key, value)
    risk.owner_user_id = row.owner_user_id
    risk.updated_at = now
    db_session.flush()
    return risk


def control_resolver(catalogue: Catalogue, *, db_session: Session) -> ControlResolver:
    """Resolve a typed control: a register control's ID (any case) first, else a catalogue ID."""
    register = {ref.lower(): ref for ref in db_session.scalars(select(OrgControl.ref))}
    resolve_requirement = requirement_resolver(catalogue)

    def resolve(typed: str) -> tuple[str, str] | None:
        if typed.lower() in register:
            return "control", register[typed.lower()]
        found = resolve_requirement(typed)
        return None if found is None else ("requirement", found)

    return resolve
