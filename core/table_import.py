"""Reading a register file (CSV or XLSX) into rows keyed by column, every problem named by its line."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from core.errors import DomainError
from core.questionnaires.model import QuestionnaireError
from core.questionnaires.tables import grid
from core.review_cadence import MONTHS, valid_review_cadence

_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

RawRows = list[tuple[int, dict[str, str]]]


class _Row(Protocol):
    line: int
    ref: str


RowT = TypeVar("RowT", bound=_Row)


class TableImportError(DomainError):
    """The file has problems; nothing was imported. Each problem names its line."""

    def __init__(self, what: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"{what} not imported, nothing changed:\n" + "\n".join(f"  {p}" for p in problems)
        )


def read_table(
    path: Path, *, what: str, columns: Sequence[str], required: Sequence[str]
) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as {column: text} with their line (CSV) or row (XLSX) number."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise TableImportError(
            what, [f"{path.name}: cannot be read ({exc.strerror or exc})"]
        ) from None
    try:
        rows = grid(path.name, content)
    except QuestionnaireError as exc:
        raise TableImportError(what, [str(exc)]) from None
    first_line, header_cells = rows[0]
    header = [h.strip().lower() for h in header_cells]
    expected = f"expected {', '.join(columns)}"
    missing = [c for c in required if c not in header]
    if missing:
        raise TableImportError(
            what, [f"line {first_line}: missing column(s) {', '.join(missing)}; {expected}"]
        )
    unknown = [h for h in header if h and h not in columns]
    if unknown:
        raise TableImportError(
            what, [f"line {first_line}: unknown column(s) {', '.join(unknown)}; {expected}"]
        )
    out = []
    for line, cells in rows[1:]:
        padded = list(cells) + [""] * (len(header) - len(cells))
        out.append((line, {h: padded[i] for i, h in enumerate(header) if h}))
    if not out:
        raise TableImportError(what, [f"{path.name} holds a header but no rows"])
    return out


def split_list(value: Any) -> list[str]:
    """A cell holding several values separated by commas or semicolons."""
    return [p.strip() for p in re.split(r"[,;]", str(value or "")) if p.strip()]


def ref_problems(ref: str, line: int, seen: dict[str, tuple[int, str]]) -> list[str]:
    """What is wrong with a row's ID: its characters, or a repeat (case does not tell IDs apart)."""
    problems = []
    if ref and not _REF.match(ref):
        problems.append("id may hold letters, digits, '.', '_' and '-' only")
    if ref.lower() in seen:
        first_line, first_ref = seen[ref.lower()]
        case = "" if first_ref == ref else f" as {first_ref} (case does not tell ids apart)"
        problems.append(f"id {ref} is already used on line {first_line}{case}")
    elif ref:
        seen[ref.lower()] = (line, ref)
    return problems


def is_user_id(value: str) -> bool:
    """A Slack user ID (U… or W…)."""
    return bool(_USER_ID.match(value))


def is_person(value: str) -> bool:
    """An email or a Slack user ID."""
    return bool(_USER_ID.match(value) or _EMAIL.match(value))


def case_twins(new_refs: Sequence[str], stored_refs: Sequence[str]) -> dict[str, str]:
    """New refs that differ from a stored one only in case, mapped to the stored one."""
    stored = {ref.lower(): ref for ref in stored_refs}
    exact = set(stored_refs)
    return {r: stored[r.lower()] for r in new_refs if r not in exact and r.lower() in stored}


@dataclass
class ImportResult:
    """What an import changed."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def owners_in(raw_rows: RawRows) -> list[str]:
    """The owners the rows name, once each: to look up in Slack before the import's transaction."""
    return list(dict.fromkeys(o for _, raw in raw_rows if (o := raw.get("owner", "").strip())))


def validate_rows(
    raw_rows: RawRows,
    *,
    what: str,
    required: Sequence[str],
    read_row: Callable[[int, dict[str, str]], tuple[RowT | None, list[str]]],
) -> list[RowT]:
    """Check every row (empty required cells, its ID, then read_row's own checks); raise
    TableImportError listing every problem by line."""
    problems: list[str] = []
    rows: list[RowT] = []
    seen: dict[str, tuple[int, str]] = {}
    for line, raw in raw_rows:
        ref = raw.get("id", "").strip()
        row_problems = [f"{key} is empty" for key in required if not raw.get(key, "").strip()]
        row_problems += ref_problems(ref, line, seen)
        row, more = read_row(line, raw)
        row_problems += more
        where = f"line {line}" + (f" ({ref})" if ref else "")
        problems.extend(f"{where}: {p}" for p in row_problems)
        if not row_problems and row is not None:
            rows.append(row)
    if problems:
        raise TableImportError(what, problems)
    return rows


def refuse_case_twins(rows: Sequence[_Row], stored_refs: Sequence[str], *, what: str) -> None:
    """A new ref differing from a stored one only in case would be a second entry people cannot
    tell apart when they type it: refuse the file before anything is written."""
    twins = case_twins([row.ref for row in rows], stored_refs)
    if twins:
        raise TableImportError(
            what,
            [
                f"line {row.line} ({row.ref}): the register already has {twins[row.ref]}; "
                "use that id (case does not tell ids apart)"
                for row in rows
                if row.ref in twins
            ],
        )


def owner_cell(
    raw: dict[str, str], people: Mapping[str, str | None]
) -> tuple[str, str | None, list[str]]:
    """The row's owner as typed, their Slack user ID (from people) and why it is refused, if it is."""
    owner = raw.get("owner", "").strip()
    owner_id = people.get(owner) if owner else None
    if owner and not is_person(owner):
        return owner, owner_id, [f"owner '{owner}' is neither an email nor a Slack user ID (U…)"]
    if owner and owner_id is None:
        return owner, owner_id, [f"owner '{owner}' is not a member of this Slack workspace"]
    return owner, owner_id, []


def cadence_cell(raw: dict[str, str]) -> tuple[str, list[str]]:
    """The row's review_cadence (lower case) and why it is refused, if it is."""
    cadence = raw.get("review_cadence", "").strip().lower()
    if cadence and not valid_review_cadence(cadence):
        return cadence, [f"review_cadence '{cadence}' must be one of {', '.join(MONTHS)}"]
    return cadence, []
