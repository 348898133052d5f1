"""Reading a control register file: CSV or YAML rows with their line numbers, refused early."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml

from core.errors import DomainError
from core.imports import file_size_problem, nul_problem, rows_problem, yaml_depth_problem

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
    "owner_role",
)
REQUIRED = ("id", "title", "requirements", "owner", "cadence")


class RegisterImportError(DomainError):
    """The file has problems; nothing was imported. Each problem names its line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "register not imported, nothing changed:\n" + "\n".join(f"  {p}" for p in problems)
        )


def read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Raw rows with their line numbers from a CSV or YAML file."""
    too_big = file_size_problem(path)
    if too_big:
        raise RegisterImportError([too_big])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegisterImportError(
            [f"{path.name}: cannot be read ({exc.strerror or exc})"]
        ) from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Excel's plain "CSV" is Windows-1252: guessing would put wrong letters into owners' names.
        line = raw.count(b"\n", 0, exc.start) + 1
        raise RegisterImportError(
            [
                f"{path.name} line {line}: not UTF-8 (byte {raw[exc.start]:#04x}); save it as "
                "'CSV UTF-8' (Excel: File > Save As > CSV UTF-8) and import it again"
            ]
        ) from None
    nul = nul_problem(path.name, content)
    if nul:
        raise RegisterImportError([nul])
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
    rows = []
    try:
        for row in reader:
            if any((v or "").strip() for v in row.values() if isinstance(v, str)):
                rows.append((reader.line_num, dict(row)))
    except csv.Error as exc:  # e.g. a field over the csv module's limit of 131,072 characters
        raise RegisterImportError(
            [f"{name} line {reader.line_num + 1}: not valid CSV ({exc})"]
        ) from None
    too_many = rows_problem(name, len(rows))
    if too_many:
        raise RegisterImportError([too_many])
    return rows


def _yaml_rows(content: str, name: str) -> list[tuple[int, dict[str, Any]]]:
    too_deep = yaml_depth_problem(name, content)
    if too_deep:
        raise RegisterImportError([too_deep])
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
