"""A questionnaire file: find its question column, list its questions, write it back with answers added."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.questionnaires.model import AnsweredRow, QuestionnaireError, sources_text
from core.questionnaires.tables import (
    cell_text,
    csv_records,
    decode_csv,
    file_format,
    open_workbook,
)
from core.spreadsheet import neutralise, safe_row

ADDED = ("Answer", "Status", "Confidence", "Sources")
HEADER_SCAN_ROWS = 20
# Header names of a question column, best first; anything containing "question" comes after.
QUESTION_HEADERS = (
    "question",
    "questions",
    "control question",
    "question text",
    "security question",
    "assessment question",
    "questionnaire question",
    "requirement",
    "requirements",
    "control requirement",
    "query",
)
_ID_WORDS = ("id", "#", "no", "no.", "number", "ref", "reference", "num")


def normal_header(value: Any) -> str:
    """A header as compared: lower case, single spaces, no trailing ':' or '*'."""
    return " ".join(cell_text(value).split()).lower().rstrip(":* ")


def _rank(header: str) -> int | None:
    if not header:
        return None
    if header in QUESTION_HEADERS:
        return QUESTION_HEADERS.index(header)
    words = header.replace("(", " ").replace(")", " ").split()
    if words and words[-1] in _ID_WORDS:
        return None  # "Question ID", "Question #": the numbering, not the text
    if "question" in header:
        return len(QUESTION_HEADERS)
    if "requirement" in header:
        return len(QUESTION_HEADERS) + 1
    return None


def find_column(rows: list[list[Any]], column: str | None, name: str) -> tuple[int, int]:
    """(header row index, column index), both 0-based, of the question column in the first rows."""
    best: tuple[int, int, int] | None = None
    wanted = normal_header(column) if column is not None else None
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        for c, value in enumerate(row):
            header = normal_header(value)
            if wanted is not None:
                if header and header == wanted:
                    return r, c
                continue
            rank = _rank(header)
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, r, c)
    if best is not None:
        return best[1], best[2]
    found = next((row for row in rows[:HEADER_SCAN_ROWS] if any(cell_text(v) for v in row)), [])
    headers = ", ".join(f"'{cell_text(v)}'" for v in found if cell_text(v))[:400] or "none"
    if wanted is not None:
        raise QuestionnaireError(
            f"{name} has no column headed '{column}'. Headers found: {headers}. "
            "Use --column with one of them."
        )
    raise QuestionnaireError(
        f"{name}: no question column found (a header such as Question, Requirement or "
        f"Control question). Headers found: {headers}. Use --column NAME to choose one."
    )


@dataclass
class Questionnaire:
    """An opened questionnaire: its questions by row and what is needed to write it back."""

    name: str
    format: str
    header_row: int  # 1-based
    question_column: int  # 1-based
    questions: list[tuple[int, str]]  # (1-based row, question text)
    _records: list[list[str]] = field(default_factory=list, repr=False)
    _delimiter: str = ","
    _bom: bool = False
    _book: Workbook | None = field(default=None, repr=False)
    _sheet: str | None = None

    def write(self, answered: list[AnsweredRow]) -> bytes:
        """The file as it came, with Answer, Status, Confidence and Sources filled in, in its format."""
        by_row = {a.row: a for a in answered}
        if self.format == "csv":
            return self._write_csv(by_row)
        return self._write_xlsx(by_row)

    def _write_csv(self, by_row: dict[int, AnsweredRow]) -> bytes:
        header = self._records[self.header_row - 1]
        columns = _added_columns([normal_header(h) for h in header])
        width = max(len(header), max(columns) + 1)
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=self._delimiter, lineterminator="\r\n")
        for n, record in enumerate(self._records, start=1):
            if n < self.header_row:
                writer.writerow(safe_row(record))
                continue
            row = list(record) + [""] * (width - len(record))
            values = list(ADDED) if n == self.header_row else _cells(by_row.get(n))
            if n == self.header_row or n in by_row:
                for index, value in zip(columns, values, strict=True):
                    row[index] = value
            writer.writerow(safe_row(row))
        # A BOM tells Excel the file is UTF-8 (it would guess Windows-1252 otherwise).
        return (("\ufeff" if self._bom else "") + buffer.getvalue()).encode("utf-8")

    def _write_xlsx(self, by_row: dict[int, AnsweredRow]) -> bytes:
        assert self._book is not None and self._sheet is not None
        sheet = self._book[self._sheet]
        headers = [normal_header(c.value) for c in sheet[self.header_row]]
        columns = [c + 1 for c in _added_columns(headers)]
        template = sheet.cell(self.header_row, self.question_column)
        for column, title in zip(columns, ADDED, strict=True):
            cell = sheet.cell(self.header_row, column, title)
            if template.has_style:
                cell.font = template.font.copy()
                cell.fill = template.fill.copy()
                cell.border = template.border.copy()
        sheet.column_dimensions[get_column_letter(columns[0])].width = 70
        sheet.column_dimensions[get_column_letter(columns[3])].width = 40
        wrap = Alignment(wrap_text=True, vertical="top")
        for row, answered in by_row.items():
            for column, value in zip(columns, _cells(answered), strict=True):
                cell = sheet.cell(row, column, value)
                cell.alignment = wrap
        for each in self._book.worksheets:
            _neutralise_sheet(each)
        buffer = io.BytesIO()
        self._book.save(buffer)
        return buffer.getvalue()


def _added_columns(headers: list[str]) -> list[int]:
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


def _cells(answered: AnsweredRow | None) -> list[Any]:
    if answered is None:
        return ["", "", "", ""]
    draft = answered.draft
    return [draft.answer, draft.status, round(draft.confidence, 2), sources_text(draft.sources)]


def _neutralise_sheet(sheet: Worksheet) -> None:
    # Every cell written is made safe: a text value that would start a formula is shown as text.
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell, MergedCell) or not isinstance(cell.value, str):
                continue
            safe = neutralise(cell.value)
            if safe != cell.value:
                cell.value = safe
                cell.data_type = "s"


def _heading_cells(sheet: Worksheet) -> set[tuple[int, int]]:
    """Top-left cells of merges across several columns: section titles, not questions."""
    return {(m.min_row, m.min_col) for m in sheet.merged_cells.ranges if m.max_col > m.min_col}


def open_questionnaire(name: str, content: bytes, *, column: str | None = None) -> Questionnaire:
    """Open a .csv or .xlsx questionnaire and list its questions (first sheet with a question column)."""
    if file_format(name) == "csv":
        return _open_csv(name, content, column)
    return _open_xlsx(name, content, column)


def _open_csv(name: str, content: bytes, column: str | None) -> Questionnaire:
    decoded = decode_csv(content, name)
    records = [record for _, record in csv_records(decoded)]
    r, c = find_column(records, column, name)
    questions = [
        (n, " ".join(rec[c].split()))
        for n, rec in enumerate(records, start=1)
        if n > r + 1 and c < len(rec) and rec[c].strip()
    ]
    q = Questionnaire(name, "csv", r + 1, c + 1, questions, records, decoded.delimiter)
    q._bom = decoded.encoding != "utf-8"
    return _checked(q)


def _open_xlsx(name: str, content: bytes, column: str | None) -> Questionnaire:
    book = open_workbook(content, name)
    # Checked first: iterating a sheet's rows creates the cells it visits.
    empty = all(_is_blank(s) for s in book.worksheets)
    problem: QuestionnaireError | None = None
    for sheet in book.worksheets:
        rows = [list(v) for v in sheet.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True)]
        try:
            r, c = find_column(rows, column, name)
        except QuestionnaireError as exc:
            problem = problem or exc
            continue
        questions = _sheet_questions(sheet, r, c)
        q = Questionnaire(name, "xlsx", r + 1, c + 1, questions, _book=book, _sheet=sheet.title)
        return _checked(q)
    if empty:
        raise QuestionnaireError(f"{name} is empty: there are no rows in it.")
    assert problem is not None
    raise problem


def _sheet_questions(sheet: Worksheet, r: int, c: int) -> list[tuple[int, str]]:
    """The questions under the header in row r+1, column c+1, skipping merged section titles."""
    headings = _heading_cells(sheet)
    questions = []
    for n, (value,) in enumerate(
        sheet.iter_rows(min_row=r + 2, min_col=c + 1, max_col=c + 1, values_only=True),
        start=r + 2,
    ):
        text = " ".join(cell_text(value).split())
        if text and (n, c + 1) not in headings:
            questions.append((n, text))
    return questions


def _is_blank(sheet: Worksheet) -> bool:
    return all(cell.value is None for row in sheet.iter_rows() for cell in row)


# Twice the largest file the project answers in its tests (10,000 rows): every question costs a
# search, and a file far beyond that is more likely a mistake than a questionnaire.
MAX_QUESTIONS = 20_000


def _checked(q: Questionnaire) -> Questionnaire:
    if not q.questions:
        raise QuestionnaireError(
            f"{q.name} has a question column (row {q.header_row}) but no questions under it."
        )
    if len(q.questions) > MAX_QUESTIONS:
        raise QuestionnaireError(
            f"{q.name} has {len(q.questions):,} questions; I answer up to {MAX_QUESTIONS:,} per "
            "file. Split it into smaller files and send them one by one."
        )
    return q
