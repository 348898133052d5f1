"""How a customer's workbook is laid out: which sheets hold questions, and which column is which."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.questionnaires.tables import cell_text

HEADER_SCAN_ROWS = 20
MAX_COLUMNS = 100  # columns read per row: real questionnaires use a few dozen
MAX_HEADER_CHARS = 80  # longer cells are instructions or questions, not column headers
ADDED = ("Answer", "Status", "Confidence", "Sources")
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
ID_HEADERS = ("id", "#", "no", "no.", "ref", "ref.", "reference", "item", "number", "nr", "nr.")
# A choice (yes/no) column or a free-text answer column, by header.
ANSWER_HEADERS = (
    "answer",
    "answers",
    "response",
    "responses",
    "yes/no",
    "yes / no",
    "y/n",
    "yes/no/n/a",
    "compliant",
    "compliance",
    "vendor answer",
    "vendor response",
    "your answer",
    "your response",
    "supplier response",
)
COMMENT_WORDS = (
    "comment",
    "explanation",
    "additional info",
    "additional information",
    "notes",
    "remarks",
    "details",
    "justification",
    "description",
    "elaborat",
)
# Sheets that explain, score or define, by words in their name: never questions.
SKIPPED_SHEETS = (
    "cover",
    "instruction",
    "introduction",
    "intro",
    "read me",
    "readme",
    "glossary",
    "definition",
    "scoring",
    "score",
    "summary",
    "overview",
    "contents",
    "change log",
    "changelog",
    "version",
    "legend",
    "lists",
    "lookup",
    "dashboard",
    "about",
    "guidance",
)
_ID_VALUE = re.compile(r"^[A-Za-z]{1,8}[-_ .]?\d+(\.\d+)*[a-z]?$|^\d+(\.\d+)+$|^\d+$")


def normal_header(value: Any) -> str:
    """A header as compared: lower case, single spaces, no trailing ':' or '*'."""
    return " ".join(cell_text(value).split()).lower().rstrip(":* ")


def skipped_sheet(title: str) -> bool:
    """A cover, instructions, glossary or scoring sheet, by its name."""
    name = " ".join(re.split(r"[\W_]+", title.lower()))
    return any(re.search(rf"\b{word}", name) for word in SKIPPED_SHEETS)


def question_rank(header: str) -> int | None:
    """How surely a header names the question column (lower is surer), None when it does not."""
    if not header or len(header) > MAX_HEADER_CHARS:
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


def is_id_header(header: str) -> bool:
    """`ID`, `Ref`, `Question ID`, `Control #`: a numbering column."""
    words = header.replace("(", " ").replace(")", " ").split()
    return header in ID_HEADERS or bool(words and words[-1] in _ID_WORDS)


def is_answer_header(header: str) -> bool:
    """`Answer`, `Response`, `Yes/No`, `CSP CAIQ Answer`: where the customer wants the answer."""
    if not header or len(header) > MAX_HEADER_CHARS:
        return False
    return header in ANSWER_HEADERS or header.endswith((" answer", " response"))


def is_comment_header(header: str) -> bool:
    """`Comments`, `Explanation`, `Additional information`: where the explanation goes."""
    if not header or len(header) > MAX_HEADER_CHARS:
        return False
    return any(word in header for word in COMMENT_WORDS)


def looks_like_id(value: str) -> bool:
    """`GNRL-02`, `IAM-04.1`, `1.2.3`, `7`: a question's own reference."""
    return bool(_ID_VALUE.match(value.strip()))


@dataclass(frozen=True)
class Question:
    """One question: its row, its own ID (or ""), its text and the section heading above it."""

    row: int
    text: str
    id: str = ""
    section: str = ""


@dataclass
class SheetLayout:
    """One sheet's question table: 1-based header row and columns, and its questions."""

    title: str
    header_row: int
    question_column: int
    headers: list[str]
    id_column: int | None = None
    choice_column: int | None = None
    comment_column: int | None = None
    choices: tuple[str, ...] = ()
    questions: list[Question] = field(default_factory=list)
    _candidates: list[Candidate] = field(default_factory=list, repr=False)

    @property
    def in_place(self) -> bool:
        """Answers go into the sheet's own answer columns (else the four columns are appended)."""
        return self.choice_column is not None or self.comment_column is not None

    def describe(self) -> str:
        """Which rows and columns are used, as the run prints it."""
        where = f"sheet '{self.title}'" if self.title else "the file"
        parts = [f"{where}: header row {self.header_row}"]
        if self.id_column:
            parts.append(f"ID {self._name(self.id_column)}")
        parts.append(f"question {self._name(self.question_column)}")
        if self.choice_column:
            allowed = "/".join(self.choices) or "any value"
            parts.append(f"answer {self._name(self.choice_column)} ({allowed})")
        if self.comment_column:
            parts.append(f"comment {self._name(self.comment_column)}")
        if not self.in_place:
            parts.append("answer columns appended")
        return ", ".join(parts) + f"; {len(self.questions)} questions"

    def _name(self, column: int) -> str:
        from openpyxl.utils import get_column_letter

        header = self.headers[column - 1] if column <= len(self.headers) else ""
        return f"{get_column_letter(column)} '{header}'" if header else get_column_letter(column)


def find_header(rows: Sequence[Sequence[Any]], column: str | None) -> tuple[int, int] | None:
    """(row, column), 0-based, of the question column's header among the first rows, or None."""
    best: tuple[int, int, int] | None = None
    wanted = normal_header(column) if column is not None else None
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        for c, value in enumerate(row):
            header = normal_header(value)
            if wanted is not None:
                if header and header == wanted:
                    return r, c
                continue
            rank = question_rank(header)
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, r, c)
    return (best[1], best[2]) if best is not None else None


def headers_found(rows: Sequence[Sequence[Any]]) -> str:
    """The first non-blank row's cells, quoted, for an error message."""
    found = next((row for row in rows[:HEADER_SCAN_ROWS] if any(cell_text(v) for v in row)), [])
    return ", ".join(f"'{cell_text(v)}'" for v in found if cell_text(v))[:400] or "none"


def start_layout(title: str, header: Sequence[Any], r: int, c: int) -> SheetLayout:
    """A sheet's layout from its header row: ID, choice and comment columns by their names."""
    headers = [normal_header(v) for v in header]
    layout = SheetLayout(title, r + 1, c + 1, [cell_text(v) for v in header])
    if {"status", "confidence", "sources"} <= set(headers):
        return layout  # a file this project answered before: its appended columns again
    for n, name in enumerate(headers, start=1):
        if n == layout.question_column or not name:
            continue
        if layout.id_column is None and n < layout.question_column and is_id_header(name):
            layout.id_column = n
        elif n > layout.question_column and layout.choice_column is None and is_answer_header(name):
            layout.choice_column = n
        elif (
            n > layout.question_column and layout.comment_column is None and is_comment_header(name)
        ):
            layout.comment_column = n
    return layout


def collect(layout: SheetLayout, rows: Iterable[tuple[int, Sequence[Any]]]) -> None:
    """Read the rows under the header: candidate questions, the cells left of them, and headings."""
    q = layout.question_column - 1
    for n, values in rows:
        text = " ".join(cell_text(values[q]).split()) if q < len(values) else ""
        others = [cell_text(v) for i, v in enumerate(values) if i != q and cell_text(v)]
        if text:
            left = tuple(cell_text(v) for v in values[:q])
            layout._candidates.append(Candidate(n, text, left, bool(others)))
        elif len(others) == 1 and not looks_like_id(others[0]):
            layout._candidates.append(Candidate(n, others[0], (), False, heading=True))


@dataclass(frozen=True)
class Candidate:
    """A row under the header with text: a question, or a section title."""

    row: int
    text: str
    left: tuple[str, ...]  # the cells left of the question column
    more: bool  # anything else in the row
    heading: bool = False  # the text stands alone outside the question column


def _id_column(layout: SheetLayout) -> int | None:
    """The nearest column left of the question column whose values look like IDs."""
    rows = [c for c in layout._candidates if not c.heading]
    for i in range(layout.question_column - 2, -1, -1):
        seen = [c.left[i] for c in rows if i < len(c.left) and c.left[i]][:200]
        if len(seen) >= 2 and sum(map(looks_like_id, seen)) >= 0.8 * len(seen):
            return i + 1
    return None


def finish(layout: SheetLayout, merged_headings: set[int]) -> None:
    """Candidates into questions; section titles (merged, standalone, or unnumbered among numbered rows) are context."""
    if layout.id_column is None:
        layout.id_column = _id_column(layout)
    column = layout.id_column

    def ident(c: Candidate) -> str:
        return c.left[column - 1] if column and column - 1 < len(c.left) else ""

    rows = [c for c in layout._candidates if not c.heading]
    numbered = column is not None and sum(1 for c in rows if ident(c)) >= 0.6 * max(1, len(rows))
    section = ""
    for c in layout._candidates:
        alone = not c.more and not ident(c)
        if c.heading or c.row in merged_headings or (numbered and not ident(c) and alone):
            section = c.text
            continue
        layout.questions.append(Question(c.row, c.text, ident(c), section))
    layout._candidates = []


def list_choices(book: Any, sheet: Any, layout: SheetLayout, column: int) -> tuple[str, ...] | None:
    """The allowed values of a list data validation over the column's question rows, or None."""
    rows = {q.row for q in layout.questions}
    for validation in sheet.data_validations.dataValidation:
        if validation.type != "list" or not validation.formula1:
            continue
        covers = any(
            r.min_col <= column <= r.max_col and any(r.min_row <= n <= r.max_row for n in rows)
            for r in validation.sqref.ranges
        )
        if covers:
            return _values(book, sheet, str(validation.formula1))
    return None


def validated_columns(sheet: Any, layout: SheetLayout) -> list[int]:
    """Columns right of the question column with a list validation over its question rows."""
    rows = {q.row for q in layout.questions}
    found: set[int] = set()
    for validation in sheet.data_validations.dataValidation:
        if validation.type != "list":
            continue
        for r in validation.sqref.ranges:
            if any(r.min_row <= n <= r.max_row for n in rows):
                upper = min(r.max_col, layout.question_column + MAX_COLUMNS)
                found.update(c for c in range(r.min_col, upper + 1) if c > layout.question_column)
    return sorted(found)


_RANGE = re.compile(
    r"^(?:(?P<sheet>'[^']+'|[^!]+)!)?(?P<range>\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)$"
)


def _values(book: Any, sheet: Any, formula: str) -> tuple[str, ...]:
    """A validation's list: `"Yes,No,N/A"`, a range (`Lists!$A$1:$A$3`) or a defined name."""
    formula = formula.strip().lstrip("=")
    if formula.startswith('"') and formula.endswith('"'):
        return tuple(v.strip() for v in formula[1:-1].split(",") if v.strip())
    defined = book.defined_names.get(formula) or sheet.defined_names.get(formula)
    if defined is not None:
        formula = str(defined.attr_text)
    match = _RANGE.match(formula)
    if match is None:
        return ()
    target = sheet
    if match["sheet"]:
        title = match["sheet"].strip("'")
        if title not in book.sheetnames:
            return ()
        target = book[title]
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(match["range"].replace("$", ""))
    if (max_col - min_col + 1) * (max_row - min_row + 1) > 200:
        return ()
    values = [
        cell_text(v)
        for row in target.iter_rows(min_row, max_row, min_col, max_col, values_only=True)
        for v in row
    ]
    return tuple(v for v in values if v)
