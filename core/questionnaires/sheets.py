"""A questionnaire file: find the sheets and columns that hold its questions, list them, read them back."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from core.questionnaires import layout as lay
from core.questionnaires.layout import Question, SheetLayout
from core.questionnaires.model import AnsweredRow, QuestionnaireError
from core.questionnaires.tables import (
    cell_text,
    csv_records,
    decode_csv,
    file_format,
    open_workbook,
)

# Kept for callers that import them from here.
ADDED = lay.ADDED
HEADER_SCAN_ROWS = lay.HEADER_SCAN_ROWS
normal_header = lay.normal_header

# Twice the largest file the project answers in its tests (10,000 rows): every question costs a
# search, and a file far beyond that is more likely a mistake than a questionnaire.
MAX_QUESTIONS = 20_000


def find_column(rows: list[list[Any]], column: str | None, name: str) -> tuple[int, int]:
    """(header row index, column index), both 0-based, of the question column in the first rows."""
    found = lay.find_header(rows, column)
    if found is not None:
        return found
    headers = lay.headers_found(rows)
    if column is not None:
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
    """An opened questionnaire: the sheets with questions, and what is needed to write it back."""

    name: str
    format: str
    layouts: list[SheetLayout]
    _records: list[list[str]] = field(default_factory=list, repr=False)
    _delimiter: str = ","
    _bom: bool = False
    _book: Workbook | None = field(default=None, repr=False)

    @property
    def header_row(self) -> int:
        """The first question sheet's header row (1-based)."""
        return self.layouts[0].header_row

    @property
    def question_column(self) -> int:
        """The first question sheet's question column (1-based)."""
        return self.layouts[0].question_column

    @property
    def questions(self) -> list[Question]:
        """Every question, sheet by sheet in workbook order."""
        return [q for each in self.layouts for q in each.questions]

    def entries(self) -> Iterator[tuple[SheetLayout, Question]]:
        """Each question with the layout of its sheet."""
        for each in self.layouts:
            for q in each.questions:
                yield each, q

    def write(self, answered: list[AnsweredRow]) -> bytes:
        """The file as it came, with the answers in its own answer columns or four appended ones."""
        from core.questionnaires.writing import write

        return write(self, answered)

    def describe(self) -> list[str]:
        """The sheets and columns used, one line each (CSV: the columns)."""
        return [each.describe() for each in self.layouts]


def open_questionnaire(
    name: str, content: bytes, *, column: str | None = None, sheets: Sequence[str] = ()
) -> Questionnaire:
    """Open a .csv or .xlsx questionnaire and find its questions (every question sheet of a workbook)."""
    if file_format(name) == "csv":
        return _open_csv(name, content, column)
    return _open_xlsx(name, content, column, list(sheets))


def _open_csv(name: str, content: bytes, column: str | None) -> Questionnaire:
    decoded = decode_csv(content, name)
    records = [record for _, record in csv_records(decoded)]
    r, c = find_column(records, column, name)
    layout = lay.start_layout("", records[r], r, c)
    layout.choice_column = layout.comment_column = None  # a CSV gains the four columns
    lay.collect(layout, ((n, rec) for n, rec in enumerate(records, start=1) if n > r + 1))
    lay.finish(layout, set())
    q = Questionnaire(name, "csv", [layout], records, decoded.delimiter)
    q._bom = decoded.encoding != "utf-8"
    return _checked(q)


def _open_xlsx(name: str, content: bytes, column: str | None, wanted: list[str]) -> Questionnaire:
    reading = open_workbook(content, name, read_only=True)
    try:
        layouts = _read_layouts(reading, name, column, wanted)
    finally:
        reading.close()
    book = open_workbook(content, name)  # whole, formulas kept: it is written back
    for each in layouts:
        sheet = book[each.title]
        lay.finish(each, _merged_headings(sheet, each.question_column))
        _answer_columns(book, sheet, each)
    q = Questionnaire(name, "xlsx", [each for each in layouts if each.questions], _book=book)
    if not q.layouts:
        first = layouts[0]
        raise QuestionnaireError(
            f"{name} has a question column (sheet '{first.title}', row {first.header_row}) "
            "but no questions under it."
        )
    return _checked(q)


def _read_layouts(
    book: Workbook, name: str, column: str | None, wanted: list[str]
) -> list[SheetLayout]:
    """One streamed pass: each question sheet's header, columns and candidate rows."""
    titles = book.sheetnames
    by_fold = {t.casefold(): t for t in titles}
    missing = [w for w in wanted if w.casefold() not in by_fold]
    if missing:
        raise QuestionnaireError(
            f"{name} has no sheet named {', '.join(repr(m) for m in missing)}. Sheets: "
            f"{', '.join(repr(t) for t in titles)}. Use --sheet with one of them."
        )
    chosen = [by_fold[w.casefold()] for w in wanted]
    order = chosen or [t for t in titles if not lay.skipped_sheet(t) and _visible(book[t])] + [
        t for t in titles if lay.skipped_sheet(t) or not _visible(book[t])
    ]
    layouts: list[SheetLayout] = []
    first_seen: list[list[Any]] | None = None
    blank = True
    for title in order:
        if layouts and not chosen and (lay.skipped_sheet(title) or not _visible(book[title])):
            break  # explanation sheets are read only when no other sheet holds questions
        rows = _rows(book[title])
        head = [list(r) for r in islice(rows, HEADER_SCAN_ROWS)]
        blank = blank and not any(cell_text(v) for r in head for v in r)
        found = lay.find_header(head, column)
        if found is None:
            if first_seen is None and any(cell_text(v) for r in head for v in r):
                first_seen = head
            continue
        r, c = found
        each = lay.start_layout(title, head[r], r, c)
        below = chain(enumerate(head[r + 1 :], start=r + 2), enumerate(rows, start=len(head) + 1))
        lay.collect(each, below)
        layouts.append(each)
    if layouts:
        return layouts
    if blank and first_seen is None:
        raise QuestionnaireError(f"{name} is empty: there are no rows in it.")
    find_column(first_seen or [], column, name)  # raises, naming the headers found
    raise AssertionError("unreachable")


def _visible(sheet: Any) -> bool:
    return getattr(sheet, "sheet_state", "visible") == "visible"


def _rows(sheet: Any) -> Iterator[Sequence[Any]]:
    """A read-only sheet's values row by row, at most MAX_COLUMNS wide, whatever its dimension claims."""
    sheet.reset_dimensions()
    return iter(sheet.iter_rows(max_col=lay.MAX_COLUMNS, values_only=True))


def _merged_headings(sheet: Worksheet, column: int) -> set[int]:
    """Rows whose question cell starts a merge across several columns: section titles."""
    return {
        m.min_row
        for m in sheet.merged_cells.ranges
        if m.max_col > m.min_col and m.min_col == column
    }


def _answer_columns(book: Workbook, sheet: Worksheet, each: SheetLayout) -> None:
    """The choice column's allowed values; a column without a list takes free text."""
    if each.choice_column is None and each.comment_column is not None:
        validated = [c for c in lay.validated_columns(sheet, each) if c != each.comment_column]
        each.choice_column = validated[0] if validated else None
    if each.choice_column is None:
        return
    choices = lay.list_choices(book, sheet, each, each.choice_column)
    header = each.headers[each.choice_column - 1].lower() if each.headers else ""
    if choices:
        each.choices = choices
    elif "yes" in header and "no" in header:
        each.choices = ("Yes", "No")
    elif each.comment_column is None:  # "Answer" or "Response" with no list: the explanation
        each.comment_column, each.choice_column = each.choice_column, None


def _checked(q: Questionnaire) -> Questionnaire:
    total = len(q.questions)
    if not total:
        first = q.layouts[0]
        raise QuestionnaireError(
            f"{q.name} has a question column (row {first.header_row}) but no questions under it."
        )
    if total > MAX_QUESTIONS:
        raise QuestionnaireError(
            f"{q.name} has {total:,} questions; I answer up to {MAX_QUESTIONS:,} per "
            "file. Split it into smaller files and send them one by one."
        )
    return q
