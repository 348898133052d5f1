"""Reading CSV and XLSX files people send: encodings, workbooks that will not open, and rows as grids."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core.questionnaires.model import QuestionnaireError

FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: an encrypted .xlsx or an old .xls
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes Windows-1252 leaves undefined: text holding them is not Windows-1252 either.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


@dataclass(frozen=True)
class CsvText:
    """A decoded CSV: its text, the encoding it was in and the delimiter it uses."""

    text: str
    encoding: str
    delimiter: str


def file_format(name: str) -> str:
    """csv or xlsx from the file name; anything else is refused."""
    suffix = PurePath(name).suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    if suffix == ".xls":
        raise QuestionnaireError(
            f"{name} is an old Excel 97–2003 workbook: save it as .xlsx (File › Save As) and send it again."
        )
    raise QuestionnaireError(
        f"{name}: send a .xlsx or .csv file (this one is '{suffix or 'no extension'}')."
    )


def decode_csv(content: bytes, name: str) -> CsvText:
    """Text of a CSV: UTF-8 (with or without BOM), UTF-16/32 with BOM, UTF-16 without, or Windows-1252."""
    text, encoding = _decode(content, name)
    if not text.strip():
        raise QuestionnaireError(f"{name} is empty: there are no rows in it.")
    sample = text[:20000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    return CsvText(text, encoding, delimiter)


def _decode(content: bytes, name: str) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            try:
                return content.decode(encoding), encoding
            except UnicodeDecodeError:
                raise QuestionnaireError(
                    f"{name} starts like {encoding.upper()} but is not valid {encoding.upper()}: "
                    "save it again as CSV UTF-8 and send it again."
                ) from None
    even, odd = content[0:2000:2], content[1:2000:2]
    if content and (odd.count(0) > len(odd) * 0.4 or even.count(0) > len(even) * 0.4):
        encoding = "utf-16-le" if odd.count(0) >= even.count(0) else "utf-16-be"
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            pass
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_problem = exc.start
    bad = next((b for b in content if b in _CP1252_UNDEFINED), None)
    if bad is None:
        return content.decode("cp1252"), "cp1252"
    raise QuestionnaireError(
        f"{name} is not UTF-8 (byte {content[utf8_problem]:#04x} at position {utf8_problem}), "
        f"UTF-16 or Windows-1252 (byte {bad:#04x} is undefined there). "
        "Save it as 'CSV UTF-8' and send it again."
    )


def csv_records(decoded: CsvText) -> list[tuple[int, list[str]]]:
    """Records with the line each starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(decoded.text, newline=""), delimiter=decoded.delimiter)
    out: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            out.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise QuestionnaireError(f"line {reader.line_num}: not valid CSV ({exc}).") from None
    return out


# An .xlsx is a ZIP: a small upload can unpack to gigabytes. Real questionnaires stay far below.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Cells (and the text they hold) are what loading a workbook costs memory for: about 450 bytes a
# cell once loaded. Real questionnaires have a few tens of thousands; these caps keep the worst
# allowed file within a few hundred MB (benchmarks/bench_workbook_memory.py prints the figure).
MAX_CELLS = 500_000
MAX_TEXT_BYTES = 40 * 1024 * 1024  # the sheets' XML and the shared strings, unpacked
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")  # a <c> element, with or without a prefix
_CHUNK = 1 << 20


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def _check_archive(content: bytes, name: str) -> None:
    """Refuse a workbook too big to load, from its ZIP directory and a streamed count of its cells."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            unpacked = sum(info.file_size for info in infos)
            if unpacked > MAX_UNPACKED_BYTES:
                raise QuestionnaireError(
                    f"{name} unpacks to {_mb(unpacked)}, more than a questionnaire needs "
                    f"(at most {_mb(MAX_UNPACKED_BYTES)}). Save only the sheets with "
                    "questions, or send it as CSV."
                )
            sheets = [i for i in infos if _is_sheet_part(i.filename)]
            text = sum(i.file_size for i in sheets if i.filename.startswith("xl/worksheets/"))
            text += sum(i.file_size for i in sheets if i.filename.endswith("sharedStrings.xml"))
            if text > MAX_TEXT_BYTES:
                raise QuestionnaireError(
                    f"{name} holds {_mb(text)} of cell data, more than a questionnaire needs "
                    f"(at most {_mb(MAX_TEXT_BYTES)}). Save only the sheets with questions, "
                    "or send it as CSV."
                )
            cells = _count_cells(archive, [i for i in sheets if "worksheets/" in i.filename])
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
        return  # not a readable ZIP: load_workbook's own error explains it
    if cells > MAX_CELLS:
        raise QuestionnaireError(
            f"{name} has more than {MAX_CELLS:,} cells, more than a questionnaire needs. Save a "
            "copy with only the sheets that hold questions (and no formatted empty rows), or "
            "send it as CSV."
        )


def _is_sheet_part(filename: str) -> bool:
    return filename.endswith(".xml") and (
        "worksheets/" in filename or filename.endswith("sharedStrings.xml")
    )


def _count_cells(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> int:
    """Cells in the sheets' XML, read a chunk at a time; stops once over MAX_CELLS."""
    total = 0
    for info in parts:
        with archive.open(info) as part:
            tail = b""
            while chunk := part.read(_CHUNK):
                data = tail + chunk
                cut = data.rfind(b"<")  # no element starts across the cut
                cut = len(data) if cut < 0 else cut
                total += len(_CELL.findall(data, 0, cut))
                tail = data[cut:]
                if total > MAX_CELLS:
                    return total
            total += len(_CELL.findall(tail))
    return total


def open_workbook(content: bytes, name: str, *, read_only: bool = False) -> Workbook:
    """The workbook, clear errors when it won't open or is too big.

    read_only: streamed, with formulas read as their last computed values (for reading);
    otherwise loaded whole with formulas kept (for writing back). Close a read-only one.
    """
    if not content:
        raise QuestionnaireError(f"{name} is empty: there are no rows in it.")
    if content.startswith(_OLE2):
        if "EncryptedPackage".encode("utf-16-le") in content:
            raise QuestionnaireError(
                f"{name} is password-protected, so I cannot read it. Remove the password "
                "(File › Info › Protect Workbook › Encrypt with Password, clear it), save and send it again."
            )
        raise QuestionnaireError(
            f"{name} is an old Excel 97–2003 workbook: save it as .xlsx and send it again."
        )
    _check_archive(content, name)
    try:
        return load_workbook(io.BytesIO(content), read_only=read_only, data_only=read_only)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        ValueError,
        TypeError,
        OSError,
        EOFError,
    ):
        raise QuestionnaireError(
            f"{name} is not a readable .xlsx workbook (it may be damaged or only named .xlsx). "
            "Open it in Excel, save it as .xlsx and send it again."
        ) from None


def cell_text(value: Any) -> str:
    """A cell's value as text (numbers and dates as Excel shows them by default)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def grid(name: str, content: bytes) -> list[tuple[int, list[str]]]:
    """Every non-blank row of the file's first sheet as text, with its line (CSV) or row (XLSX) number."""
    if file_format(name) == "csv":
        rows = csv_records(decode_csv(content, name))
    else:
        book = open_workbook(content, name, read_only=True)
        try:
            sheet = book.worksheets[0]
            rows = [
                (n, [cell_text(v) for v in values])
                for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
        finally:
            book.close()
    kept = [(n, [c.strip() for c in row]) for n, row in rows if any(c.strip() for c in row)]
    if not kept:
        raise QuestionnaireError(f"{name} is empty: there are no rows in it.")
    return kept
