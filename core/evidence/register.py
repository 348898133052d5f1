"""The control register: parse a CSV or YAML file, validate every row, import all-or-nothing."""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.evidence.periods import valid_cadence
from core.models import OrgControl, OrgControlVersion, utcnow

COLUMNS = (
    "id",
    "title",
    "requirements",
    "owner",
    "cadence",
    "expected_evidence",
    "applicable",
    "justification",
    "manager",
)
REQUIRED = ("id", "title", "requirements", "owner", "cadence")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TRUE = {"yes", "y", "true", "1", "applicable"}
_FALSE = {"no", "n", "false", "0", "not applicable", "excluded"}


class RegisterImportError(Exception):
    """The file has problems; nothing was imported. Each problem names its line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "register not imported, nothing changed:\n" + "\n".join(f"  {p}" for p in problems)
        )


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
        }


@dataclass
class ImportResult:
    """What an import changed."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unresolved_owners: list[str] = field(default_factory=list)


def read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Raw rows with their line numbers from a CSV or YAML file."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegisterImportError([f"{path.name}: cannot be read ({exc})"]) from None
    if path.suffix.lower() in {".yaml", ".yml"}:
        return _yaml_rows(content, path.name)
    if path.suffix.lower() == ".csv":
        return _csv_rows(content, path.name)
    raise RegisterImportError([f"{path.name}: use a .csv, .yaml or .yml file"])


def _csv_rows(content: str, name: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(content))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RegisterImportError(
            [
                f"{name} line 1: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}"
            ]
        )
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise RegisterImportError(
            [
                f"{name} line 1: unknown column(s) {', '.join(unknown)}; expected {', '.join(COLUMNS)}"
            ]
        )
    reader.fieldnames = header
    return [
        (reader.line_num, dict(row))
        for row in reader
        if any((v or "").strip() for v in row.values() if isinstance(v, str))
    ]


def _yaml_rows(content: str, name: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        node = yaml.compose(content)
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RegisterImportError(
            [f"{name} line {mark.line + 1 if mark else '?'}: not valid YAML"]
        ) from None
    items = data.get("controls") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise RegisterImportError([f"{name}: expected a list of controls (or a 'controls:' list)"])
    lines: list[int] = []
    seq = node.value if node is not None and isinstance(node.value, list) else None
    if isinstance(data, dict) and node is not None:
        for key, value in node.value:
            if key.value == "controls":
                seq = value.value
    for i in range(len(items)):
        lines.append(seq[i].start_mark.line + 1 if seq and i < len(seq) else i + 1)
    out = []
    for line, item in zip(lines, items, strict=True):
        if not isinstance(item, dict):
            raise RegisterImportError(
                [f"{name} line {line}: each control must be a mapping of columns"]
            )
        unknown = [k for k in item if str(k).lower() not in COLUMNS]
        if unknown:
            raise RegisterImportError(
                [f"{name} line {line}: unknown field(s) {', '.join(map(str, unknown))}"]
            )
        out.append((line, {str(k).lower(): v for k, v in item.items()}))
    return out


def _split(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in re.split(r"[,;]", str(value or "")) if p.strip()]


def validate(
    raw_rows: list[tuple[int, dict[str, Any]]],
    *,
    resolve_requirement: Callable[[str], str | None],
    known_ids: Collection[str],
) -> list[ControlRow]:
    """Check every row; raise RegisterImportError listing every problem by line."""
    problems: list[str] = []
    rows: list[ControlRow] = []
    seen: dict[str, int] = {}
    for line, raw in raw_rows:

        def text(key: str, raw: dict[str, Any] = raw) -> str:
            value = raw.get(key)
            return "" if value is None else str(value).strip()

        ref = text("id")
        where = f"line {line}" + (f" ({ref})" if ref else "")
        row_problems = [f"{where}: {key} is empty" for key in REQUIRED if not text(key)]
        if ref and not _REF.match(ref):
            row_problems.append(f"{where}: id may hold letters, digits, '.', '_' and '-' only")
        if ref in seen:
            row_problems.append(f"{where}: id {ref} is already used on line {seen[ref]}")
        owner = text("owner")
        if owner and not (_USER_ID.match(owner) or _EMAIL.match(owner)):
            row_problems.append(
                f"{where}: owner '{owner}' is neither an email nor a Slack user ID (U…)"
            )
        manager = text("manager") or None
        if manager and not (_USER_ID.match(manager) or _EMAIL.match(manager)):
            row_problems.append(
                f"{where}: manager '{manager}' is neither an email nor a Slack user ID"
            )
        cadence = text("cadence").lower()
        if cadence and not valid_cadence(cadence):
            row_problems.append(
                f"{where}: cadence '{cadence}' must be monthly, quarterly, semiannual, annual or a cron expression"
            )
        requirements: list[str] = []
        for req in _split(raw.get("requirements")):
            resolved = resolve_requirement(req)
            if resolved is None:
                close = difflib.get_close_matches(req.upper(), list(known_ids), n=3, cutoff=0.6)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                row_problems.append(f"{where}: requirement '{req}' is not a catalogue ID{hint}")
            elif resolved not in requirements:
                requirements.append(resolved)
        applicable_raw = text("applicable").lower() or "yes"
        if applicable_raw not in _TRUE | _FALSE:
            row_problems.append(f"{where}: applicable must be yes or no, not '{applicable_raw}'")
        applicable = applicable_raw not in _FALSE
        if not applicable and not text("justification"):
            row_problems.append(f"{where}: a control that is not applicable needs a justification")
        if ref:
            seen.setdefault(ref, line)
        if row_problems:
            problems.extend(row_problems)
            continue
        rows.append(
            ControlRow(
                line,
                ref,
                text("title"),
                requirements,
                owner,
                cadence,
                text("expected_evidence"),
                applicable,
                text("justification"),
                manager,
            )
        )
    if not raw_rows:
        problems.append("the file holds no controls")
    if problems:
        raise RegisterImportError(problems)
    return rows


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
    for row in rows:
        owner_id = row.owner if _USER_ID.match(row.owner) else resolve_user(row.owner)
        if owner_id is None:
            result.unresolved_owners.append(row.owner)
        manager_id = None
        if row.manager:
            manager_id = row.manager if _USER_ID.match(row.manager) else resolve_user(row.manager)
        control = existing.get(row.ref)
        snapshot = row.snapshot()
        if control is None:
            control = OrgControl(ref=row.ref, version=1, **snapshot)
            db_session.add(control)
            result.created.append(row.ref)
        elif _snapshot_of(control) == snapshot:
            result.unchanged.append(row.ref)
            continue
        else:
            for key, value in snapshot.items():
                setattr(control, key, value)
            control.version += 1
            control.updated_at = utcnow()
            result.updated.append(row.ref)
        control.owner_user_id = owner_id
        control.manager_user_id = manager_id
        db_session.flush()
        db_session.add(
            OrgControlVersion(
                control_id=control.id, version=control.version, snapshot=snapshot, changed_by=actor
            )
        )
        ledger.append(
            "register_change",
            {"control": row.ref, "version": control.version, "by": actor, **snapshot},
            db_session=db_session,
        )
    return result


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
    }
