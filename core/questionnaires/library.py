"""The answer library: approved answers with sources, history and a ledger record for every change."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import ledger
from core.imports import nul_message, rows_problem, size_problem
from core.models import LibraryEntry, LibraryEntryVersion, OrgControl, utcnow
from core.questionnaires.model import (
    LibraryImportError,
    QuestionnaireError,
    Source,
    fold,
    question_key,
    sources_text,
    split_sources,
)
from core.questionnaires.tables import file_format, grid
from core.spreadsheet import FORMULA_STARTS, csv_bytes, safe_row
from knowledge.catalogue import Catalogue

COLUMNS = ("question", "answer", "sources")
# Written by `library export`; read back without complaint, but an import records its own approver.
EXPORT_COLUMNS = ("question", "answer", "sources", "approved_by", "approved_at", "version")
APPROVED = "library_approved"
CHANGED = "library_changed"


@dataclass
class LibraryImport:
    """What an import changed, by question."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def restore(value: str) -> str:
    """Undo the leading ' that neutralising put before a formula-like cell (export, then import)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def resolve_source(
    raw: str, kind: str | None, *, catalogue: Catalogue, refs: dict[str, str]
) -> Source | None:
    """A typed source as a register control, policy or catalogue ID (exact IDs only), or None."""
    if kind in (None, "control") and raw.lower() in refs:
        return Source(refs[raw.lower()], "control")
    if kind == "library" and raw.upper().startswith("LIB-") and raw[4:].isdigit():
        return Source(raw.upper(), "library")
    if kind in (None, "policy", "catalogue"):
        entry, _ = catalogue.resolve(raw)
        if entry is not None:
            return Source(entry.id, "policy" if entry.framework == "org" else "catalogue")
    return None


def register_refs(*, db_session: Session) -> dict[str, str]:
    """Register refs by their lower-case form."""
    return {ref.lower(): ref for ref in db_session.scalars(select(OrgControl.ref))}


Imported = tuple[str, str, tuple[Source, ...]]


def read_import(
    name: str, content: bytes, *, db_session: Session, catalogue: Catalogue
) -> list[Imported]:
    """Validate every row of a library file; raise LibraryImportError listing each problem by line."""
    too_big = size_problem(name, len(content))
    if too_big:
        raise LibraryImportError([too_big])
    try:
        rows = grid(name, content)
    except QuestionnaireError as exc:
        raise LibraryImportError([str(exc)]) from None
    refused = rows_problem(name, len(rows) - 1) or next(
        (nul_message(name, line) for line, cells in rows if any("\x00" in c for c in cells)),
        None,
    )
    if refused:
        raise LibraryImportError([refused])
    line, header = rows[0]
    header = check_header(line, header)
    refs = register_refs(db_session=db_session)
    problems: list[str] = []
    seen: dict[str, int] = {}
    out: list[Imported] = []
    for line, cells in rows[1:]:
        row = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
        read, row_problems = read_row(line, row, catalogue=catalogue, refs=refs)
        key = fold(read[0])
        if read[0] and key in seen:
            row_problems.append(f"line {line}: the question repeats line {seen[key]}")
        seen.setdefault(key, line)
        problems.extend(row_problems)
        if not row_problems:
            out.append(read)
    if not out and not problems:
        problems.append(f"{name} holds no questions under its header")
    if problems:
        raise LibraryImportError(problems)
    return out


def check_header(line: int, cells: list[str]) -> list[str]:
    """The header in lower case, or LibraryImportError naming missing and unknown columns."""
    header = [h.lower() for h in cells]
    missing = [c for c in ("question", "answer") if c not in header]
    unknown = [h for h in header if h and h not in EXPORT_COLUMNS]
    if missing or unknown:
        what = f"missing column(s) {', '.join(missing)}" if missing else ""
        what += ("; " if what else "") + (
            f"unknown column(s) {', '.join(unknown)}" if unknown else ""
        )
        raise LibraryImportError([f"line {line}: {what}; expected {', '.join(COLUMNS)}"])
    return header


def read_row(
    line: int, row: dict[str, str], *, catalogue: Catalogue, refs: dict[str, str]
) -> tuple[Imported, list[str]]:
    """One row's question, answer and resolved sources, and its problems (by line)."""
    question = " ".join(restore(row.get("question", "")).split())
    answer = restore(row.get("answer", "")).strip()
    problems = [
        f"line {line}: {c} is empty"
        for c, v in (("question", question), ("answer", answer))
        if not v
    ]
    sources: list[Source] = []
    for raw, kind in split_sources(restore(row.get("sources", ""))):
        source = resolve_source(raw, kind, catalogue=catalogue, refs=refs)
        if source is None:
            problems.append(
                f"line {line}: source '{raw}' is not a register control, policy or catalogue ID"
                " (import the register first if it is a control)"
            )
        elif source not in sources:
            sources.append(source)
    return (question, answer, tuple(sources)), problems


def approve(
    question: str,
    answer: str,
    sources: tuple[Source, ...] | list[Source],
    *,
    db_session: Session,
    actor: str,
    via: str,
) -> tuple[LibraryEntry, str]:
    """Create or change the library answer to question; returns it and created/updated/unchanged."""
    question = " ".join(question.split())
    answer = answer.strip()
    if not question or not answer:
        raise QuestionnaireError("An approved answer needs both the question and the answer text.")
    stored = [s.as_json() for s in sources]
    entry = db_session.scalars(
        select(LibraryEntry).where(LibraryEntry.key == question_key(question))
    ).first()
    if entry is not None and entry.answer == answer and list(entry.sources) == stored:
        return entry, "unchanged"
    outcome = "updated" if entry is not None else "created"
    if entry is None:
        entry = LibraryEntry(key=question_key(question), question=question, version=0)
        db_session.add(entry)
    entry.question, entry.answer, entry.sources = question, answer, stored
    entry.approved_by, entry.approved_at = actor, utcnow()
    entry.version += 1
    db_session.flush()
    record_version(entry, outcome, via, db_session=db_session)
    return entry, outcome


def record_version(entry: LibraryEntry, outcome: str, via: str, *, db_session: Session) -> None:
    """Keep the entry's new version in its history and in the ledger."""
    db_session.add(
        LibraryEntryVersion(
            entry_id=entry.id,
            version=entry.version,
            question=entry.question,
            answer=entry.answer,
            sources=entry.sources,
            changed_by=entry.approved_by,
            changed_at=entry.approved_at,
            via=via,
        )
    )
    ledger.append(
        APPROVED if outcome == "created" else CHANGED,
        {
            "entry": entry.id,
            "version": entry.version,
            "question": entry.question,
            "answer": entry.answer,
            "sources": entry.sources,
            "by": entry.approved_by,
            "via": via,
        },
        db_session=db_session,
    )


def import_library(
    name: str, content: bytes, *, db_session: Session, catalogue: Catalogue, actor: str
) -> LibraryImport:
    """Import a CSV/XLSX of question, answer[, sources]: all rows or none."""
    result = LibraryImport()
    for question, answer, sources in read_import(
        name, content, db_session=db_session, catalogue=catalogue
    ):
        _, outcome = approve(
            question, answer, sources, db_session=db_session, actor=actor, via="import"
        )
        getattr(result, outcome).append(question)
    return result


def entries(*, db_session: Session) -> list[LibraryEntry]:
    """Every library entry, oldest first."""
    return list(db_session.scalars(select(LibraryEntry).order_by(LibraryEntry.id)))


def count(*, db_session: Session) -> int:
    """How many answers the library holds."""
    return int(db_session.scalar(select(func.count(LibraryEntry.id))) or 0)


def history(entry_id: int, *, db_session: Session) -> list[LibraryEntryVersion]:
    """Every version of one entry, oldest first."""
    return list(
        db_session.scalars(
            select(LibraryEntryVersion)
            .where(LibraryEntryVersion.entry_id == entry_id)
            .order_by(LibraryEntryVersion.version)
        )
    )


def as_json(entry: LibraryEntry) -> dict[str, Any]:
    """One entry as `library list --json` prints it."""
    return {
        "id": entry.id,
        "question": entry.question,
        "answer": entry.answer,
        "sources": list(entry.sources),
        "approved_by": entry.approved_by,
        "approved_at": entry.approved_at.isoformat(),
        "version": entry.version,
    }


def export(name: str, *, db_session: Session) -> bytes:
    """The library as CSV or XLSX (by name), every cell neutralised; importable again as it is."""
    rows = [
        [
            e.question,
            e.answer,
            sources_text(Source.parse_all(e.sources)),
            e.approved_by,
            e.approved_at.isoformat(),
            e.version,
        ]
        for e in entries(db_session=db_session)
    ]
    if file_format(name) == "csv":
        return csv_bytes(EXPORT_COLUMNS, rows)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Answer library"
    sheet.append(safe_row(EXPORT_COLUMNS))
    for row in rows:
        sheet.append(safe_row(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
