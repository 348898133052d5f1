"""Writing an answered questionnaire back: into its own answer columns, or in four appended ones."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.questionnaires.layout import ADDED, SheetLayout, normal_header
from core.questionnaires.model import AnsweredRow, fold, sources_text
from core.questionnaires.sheets import Questionnaire
from core.spreadsheet import neutralise, safe_row

REVIEW_SHEET = "Answer review"
REVIEW_COLUMNS = ("Sheet", "Row", "ID", "Question", "Answer", "Status", "Confidence", "Sources")
SUGGESTION = "Suggestion to confirm (an approved answer to a different question): "
_CHOICE_WORDS = {"Yes": ("yes", "y"), "No": ("no", "n"), "N/A": ("n/a", "na", "not applicable")}


def write(q: Questionnaire, answered: list[AnsweredRow]) -> bytes:
    """The file as it came with the answers filled in, in its format."""
    if q.format == "csv":
        return _write_csv(q, {a.row: a for a in answered})
    assert q._book is not None
    by_sheet: dict[str, dict[int, AnsweredRow]] = {}
    for a in answered:
        by_sheet.setdefault(a.sheet, {})[a.row] = a
    for each in q.layouts:
        sheet = q._book[each.title]
        rows = by_sheet.get(each.title, {})
        if each.in_place:
            _fill_in_place(sheet, each, rows)
        else:
            _append_columns(sheet, each, rows)
    if any(each.in_place for each in q.layouts):
        _review_sheet(q._book, answered)
    buffer = io.BytesIO()
    q._book.save(buffer)
    return buffer.getvalue()


def explanation(a: AnsweredRow) -> str:
    """What the comment column says: the answer, or a library answer offered only as a suggestion."""
    if a.draft.answer:
        return a.draft.answer
    return SUGGESTION + a.draft.suggestion if a.draft.suggestion else ""


def pick_choice(choice: str | None, allowed: tuple[str, ...]) -> str | None:
    """The allowed value meaning the drafted Yes/No/N/A, or None when the list has none."""
    if choice is None:
        return None
    words = _CHOICE_WORDS.get(choice, ())
    for value in allowed:
        folded = fold(value)
        if folded in words or folded.split(" ")[0].strip(",.-") in words:
            return value
    return None


def _fill_in_place(sheet: Worksheet, each: SheetLayout, rows: dict[int, AnsweredRow]) -> None:
    """The sheet's own choice and comment cells, only where empty: nothing else changes."""
    for n, a in rows.items():
        if each.choice_column is not None:
            value = pick_choice(a.draft.choice, each.choices)
            cell = sheet.cell(n, each.choice_column)
            if value is not None and cell.value in (None, ""):
                cell.value = neutralise(value)
        if each.comment_column is not None:
            text = explanation(a)
            cell = sheet.cell(n, each.comment_column)
            if text and cell.value in (None, ""):
                cell.value = neutralise(text)


def _append_columns(sheet: Worksheet, each: SheetLayout, rows: dict[int, AnsweredRow]) -> None:
    headers = [normal_header(c.value) for c in sheet[each.header_row]]
    columns = [c + 1 for c in added_columns(headers)]
    template = sheet.cell(each.header_row, each.question_column)
    for column, title in zip(columns, ADDED, strict=True):
        cell = sheet.cell(each.header_row, column, title)
        if template.has_style:
            cell.font = template.font.copy()
            cell.fill = template.fill.copy()
            cell.border = template.border.copy()
    sheet.column_dimensions[get_column_letter(columns[0])].width = 70
    sheet.column_dimensions[get_column_letter(columns[3])].width = 40
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, a in rows.items():
        for column, value in zip(columns, cells(a), strict=True):
            cell = sheet.cell(row, column, neutralise(value))
            cell.alignment = wrap


def _review_sheet(book: Workbook, answered: list[AnsweredRow]) -> None:
    """A sheet of its own listing each row's status and sources (delete it before sending)."""
    title, n = REVIEW_SHEET, 1
    while title in book.sheetnames:
        n += 1
        title = f"{REVIEW_SHEET} {n}"
    sheet = book.create_sheet(title)
    sheet.append(REVIEW_COLUMNS)
    for a in answered:
        draft = a.draft
        sheet.append(
            safe_row(
                [
                    a.sheet,
                    a.row,
                    a.id,
                    a.question,
                    explanation(a),
                    draft.status,
                    round(draft.confidence, 2),
                    sources_text(draft.sources),
                ]
            )
        )


def added_columns(headers: list[str]) -> list[int]:
    """0-based columns for the added values: the existing ones of that name (a re-run), else new."""
    out: list[int] = []
    next_free = len(headers)
    while next_free and not headers[next_free - 1]:
        next_free -= 1
    for title in ADDED:
        if title.lower() in headers:
            out.append(headers.index(title.lower()))
        else:
            out.append(next_free)
            next_free += 1
    return out


def cells(a: AnsweredRow | None) -> list[Any]:
    """Answer, Status, Confidence and Sources of one row (blank when not drafted)."""
    if a is None:
        return ["", "", "", ""]
    draft = a.draft
    return [explanation(a), draft.status, round(draft.confidence, 2), sources_text(draft.sources)]


def _write_csv(q: Questionnaire, by_row: dict[int, AnsweredRow]) -> bytes:
    header_row = q.header_row
    header = q._records[header_row - 1]
    columns = added_columns([normal_header(h) for h in header])
    width = max(len(header), max(columns) + 1)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=q._delimiter, lineterminator="\r\n")
    for n, record in enumerate(q._records, start=1):
        if n < header_row:
            writer.writerow(safe_row(record))
            continue
        row = list(record) + [""] * (width - len(record))
        values = list(ADDED) if n == header_row else cells(by_row.get(n))
        if n == header_row or n in by_row:
            for index, value in zip(columns, values, strict=True):
                row[index] = value
        writer.writerow(safe_row(row))
    # A BOM tells Excel the file is UTF-8 (it would guess Windows-1252 otherwise).
    return (("\ufeff" if q._bom else "") + buffer.getvalue()).encode("utf-8")
