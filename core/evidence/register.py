"""The control register: parse a CSV or YAML file, validate every row, import all-or-nothing."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.evidence.periods import valid_cadence
from core.evidence.register_file import REQUIRED, RegisterImportError, read_rows
from core.models import OrgControl, OrgControlVersion, utcnow
from core.requirements import requirement_resolver
from knowledge.catalogue import Catalogue

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TRUE = {"yes", "y", "true", "1", "applicable"}
_FALSE = {"no", "n", "false", "0", "not applicable", "excluded"}


@dataclass
class ControlRow:
    """One validated register row."""

    line: int
    ref: str
    title: str
    requirements: list[str]
    owner: str
    cadence: str
    expected_evidence: str = ""
    applicable: bool = True
    justification: str = ""
    manager: str | None = None
    owner_role: str | None = None

    def snapshot(self) -> dict[str, Any]:
        """The fields that define a version."""
        return {
            "title": self.title,
            "requirements": self.requirements,
            "owner": self.owner,
            "cadence": self.cadence,
            "expected_evidence": self.expected_evidence,
            "applicable": self.applicable,
            "justification": self.justification,
            "manager": self.manager,
            "owner_role": self.owner_role,
        }


@dataclass
class ImportResult:
    """What an import changed."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unresolved_owners: list[str] = field(default_factory=list)


def _split(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in re.split(r"[,;]", str(value or "")) if p.strip()]


def load_register(path: Path, *, catalogue: Catalogue) -> list[ControlRow]:
    """Read and validate a register file against the catalogue; nothing is written."""
    return validate(
        read_rows(path),
        resolve_requirement=requirement_resolver(catalogue),
        known_ids=list(catalogue.entries),
    )


def validate(
    raw_rows: list[tuple[int, dict[str, Any]]],
    *,
    resolve_requirement: Callable[[str], str | None],
    known_ids: Collection[str],
) -> list[ControlRow]:
    """Check every row; raise RegisterImportError listing every problem by line."""
    problems: list[str] = []
    rows: list[ControlRow] = []
    # An ID in lower case -> the first line that used it, as written there: people type refs in
    # any case, so AC-01 and ac-01 would be one control to them.
    seen: dict[str, tuple[int, str]] = {}
    for line, raw in raw_rows:
        row, unknown = _read_row(line, raw, resolve_requirement)
        where = f"line {line}" + (f" ({row.ref})" if row.ref else "")
        row_problems = _row_problems(row, raw, seen, unknown, known_ids)
        if row.ref:
            seen.setdefault(row.ref.lower(), (line, row.ref))
        if row_problems:
            problems.extend(f"{where}: {p}" for p in row_problems)
        else:
            rows.append(row)
    if not raw_rows:
        problems.append("the file holds no controls")
    if problems:
        raise RegisterImportError(problems)
    return rows


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def _read_row(
    line: int, raw: dict[str, Any], resolve_requirement: Callable[[str], str | None]
) -> tuple[ControlRow, list[str]]:
    """The row as its fields read, and the requirement IDs the catalogue does not know."""
    requirements: list[str] = []
    unknown: list[str] = []
    for typed in _split(raw.get("requirements")):
        resolved = resolve_requirement(typed)
        if resolved is None:
            unknown.append(typed)
        elif resolved not in requirements:
            requirements.append(resolved)
    row = ControlRow(
        line=line,
        ref=_text(raw, "id"),
        title=_text(raw, "title"),
        requirements=requirements,
        owner=_text(raw, "owner"),
        cadence=_text(raw, "cadence").lower(),
        expected_evidence=_text(raw, "expected_evidence"),
        applicable=_applicable(raw) not in _FALSE,
        justification=_text(raw, "justification"),
        manager=_text(raw, "manager") or None,
        owner_role=_text(raw, "owner_role") or None,
    )
    return row, unknown


def _applicable(raw: dict[str, Any]) -> str:
    return _text(raw, "applicable").lower() or "yes"


def _row_problems(
    row: ControlRow,
    raw: dict[str, Any],
    seen: dict[str, tuple[int, str]],
    unknown: list[str],
    known_ids: Collection[str],
) -> list[str]:
    """What is wrong with one row, in the order of its columns."""
    problems = [f"{key} is empty" for key in REQUIRED if not _text(raw, key)]
    if row.ref and not _REF.match(row.ref):
        problems.append("id may hold letters, digits, '.', '_' and '-' only")
    if row.ref.lower() in seen:
        first_line, first_ref = seen[row.ref.lower()]
        case = "" if first_ref == row.ref else f" as {first_ref} (case does not tell ids apart)"
        problems.append(f"id {row.ref} is already used on line {first_line}{case}")
    if row.owner and not _is_person(row.owner):
        problems.append(f"owner '{row.owner}' is neither an email nor a Slack user ID (U…)")
    if row.manager and not _is_person(row.manager):
        problems.append(f"manager '{row.manager}' is neither an email nor a Slack user ID")
    if row.owner_role and len(row.owner_role) > 200:
        problems.append("owner_role is longer than 200 characters: give the job title only")
    if row.cadence and not valid_cadence(row.cadence):
        problems.append(
            f"cadence '{row.cadence}' must be monthly, quarterly, semiannual, annual or a cron expression"
        )
    problems += [_not_in_catalogue(typed, known_ids) for typed in unknown]
    if _applicable(raw) not in _TRUE | _FALSE:
        problems.append(f"applicable must be yes or no, not '{_applicable(raw)}'")
    if not row.applicable and not row.justification:
        problems.append("a control that is not applicable needs a justification")
    return problems


def _is_person(value: str) -> bool:
    return bool(_USER_ID.match(value) or _EMAIL.match(value))


def _not_in_catalogue(typed: str, known_ids: Collection[str]) -> str:
    close = difflib.get_close_matches(typed.upper(), list(known_ids), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"requirement '{typed}' is not a catalogue ID{hint}"


def emails_to_resolve(rows: list[ControlRow]) -> list[str]:
    """The owner and manager emails the rows name, once each: to look up before importing."""
    people = [p for row in rows for p in (row.owner, row.manager) if p]
    return list(dict.fromkeys(p for p in people if not _USER_ID.match(p)))


def _refuse_case_twins(rows: list[ControlRow], existing: dict[str, OrgControl]) -> None:
    """A new ref that differs from a stored one only in case would be a second control people
    cannot tell apart when they type it: refuse the file before anything is written."""
    stored = {ref.lower(): ref for ref in existing}
    problems = [
        f"line {row.line} ({row.ref}): the register already has {stored[row.ref.lower()]}; "
        f"use that id (case does not tell ids apart)"
        for row in rows
        if row.ref not in existing and row.ref.lower() in stored
    ]
    if problems:
        raise RegisterImportError(problems)


def import_rows(
    rows: list[ControlRow],
    *,
    db_session: Session,
    actor: str,
    resolve_user: Callable[[str], str | None] = lambda _: None,
) -> ImportResult:
    """Create or update controls in place, keeping every version and recording changes in the ledger."""
    result = ImportResult()
    existing = {c.ref: c for c in db_session.scalars(select(OrgControl))}
    _refuse_case_twins(rows, existing)
    for row in rows:
        owner_id = _user_id(row.owner, resolve_user)
        if owner_id is None:
            result.unresolved_owners.append(row.owner)
        manager_id = _user_id(row.manager, resolve_user) if row.manager else None
        control = existing.get(row.ref)
        if control is not None and _snapshot_of(control) == row.snapshot():
            result.unchanged.append(row.ref)
            continue
        (result.created if control is None else result.updated).append(row.ref)
        control = _save(row, control, db_session)
        control.owner_user_id = owner_id
        control.manager_user_id = manager_id
        db_session.flush()
        _record_version(control, row.snapshot(), actor, db_session)
    return result


def _user_id(person: str, resolve_user: Callable[[str], str | None]) -> str | None:
    return person if _USER_ID.match(person) else resolve_user(person)


def _save(row: ControlRow, control: OrgControl | None, db_session: Session) -> OrgControl:
    """A new control at version 1, or the existing one updated in place to its next version."""
    if control is None:
        control = OrgControl(ref=row.ref, version=1, **row.snapshot())
        db_session.add(control)
        return control
    for key, value in row.snapshot().items():
        setattr(control, key, value)
    control.version += 1
    control.updated_at = utcnow()
    return control


def _record_version(
    control: OrgControl, snapshot: dict[str, Any], actor: str, db_session: Session
) -> None:
    """Keep the version's snapshot and put the change in the ledger."""
    db_session.add(
        OrgControlVersion(
            control_id=control.id, version=control.version, snapshot=snapshot, changed_by=actor
        )
    )
    ledger.append(
        "register_change",
        {"control": control.ref, "version": control.version, "by": actor, **snapshot},
        db_session=db_session,
    )


def _snapshot_of(control: OrgControl) -> dict[str, Any]:
    return {
        "title": control.title,
        "requirements": list(control.requirements),
        "owner": control.owner,
        "cadence": control.cadence,
        "expected_evidence": control.expected_evidence,
        "applicable": control.applicable,
        "justification": control.justification,
        "manager": control.manager,
        "owner_role": control.owner_role,
    }
