"""Cells that are safe to open in a spreadsheet: every CSV (and any XLSX) the project writes uses this."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

# OWASP "CSV injection": a cell starting with one of these is read as a formula by Excel,
# LibreOffice and Google Sheets (tab and CR too, because some importers strip them first).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell that would start a formula gets a leading ' (shown as text); others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Sequence[Any]) -> list[Any]:
    """One row ready for a writer: None becomes an empty cell, formulas are neutralised."""
    return ["" if value is None else neutralise(value) for value in row]


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A UTF-8 CSV with a header row, every cell neutralised."""
    buffer = io.StringIO()
    # RFC 4180 line ends: with "\n" alone a CR inside a cell would be written unquoted.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return buffer.getvalue().encode("utf-8")
