"""Workbook figures: `python benchmarks/bench_questionnaire_workbook.py [--json] [--misses]`. Asserts nothing.

Lays out the benchmark questions (benchmarks/questionnaire_questions.yaml) and the polarity and
over-reuse questions of benchmarks/questionnaire_workbook.yaml as a customer's workbook (cover,
instructions, a hidden list sheet, one sheet per domain with IDs, section rows, a Yes/No column with a
list validation and a comments column), answers it from examples/register.csv, examples/library.csv and
the examples/policies KNOWLEDGE_DIR, and prints per split (tune, held-back, all): the share of rows
drafted, the share drafted from the expected source, polarity errors, and the time for the workbook.
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from bench_questionnaire import POLICIES, ROOT, index_dir, load_questions, prepare, right
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from core.questionnaires.model import AnsweredRow
from core.questionnaires.service import answer_questionnaire
from knowledge.catalogue import load_catalogue
from knowledge.embedder import get_embedder
from knowledge.search import Searcher

LAYOUT = ROOT / "benchmarks" / "questionnaire_workbook.yaml"
SPLITS = ("tune", "heldout", "all")
NOT_APPLICABLE = {"PH-01"}  # the example register excludes it: a Yes contradicts it
HEAD = Font(bold=True, color="FFFFFF")
FILL = PatternFill("solid", fgColor="305496")


def items() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The layout, and every question with its sheet, section, ID, expected source, kind and split."""
    layout = yaml.safe_load(LAYOUT.read_text(encoding="utf-8"))
    placed: dict[str, list[dict[str, Any]]] = {s["title"]: [] for s in layout["sheets"]}
    where = {
        source: (sheet["title"], section["title"])
        for sheet in layout["sheets"]
        for section in sheet["sections"]
        for source in section["sources"]
    }
    for q in load_questions():
        sheet, section = where[q["source"]]
        placed[sheet].append({**q, "section": section, "kind": "base"})
    for q in layout["extra"]:
        sections = next(s["sections"] for s in layout["sheets"] if s["title"] == q["sheet"])
        placed[q["sheet"]].append({**q, "source": "none", "section": sections[-1]["title"]})
    out: list[dict[str, Any]] = []
    for sheet in layout["sheets"]:
        order = [s["title"] for s in sheet["sections"]]
        rows = sorted(placed[sheet["title"]], key=lambda q: order.index(q["section"]))
        for n, q in enumerate(rows, start=1):
            out.append({**q, "sheet": sheet["title"], "id": f"{sheet['prefix']}-{n:02d}"})
    return layout, out


def workbook(layout: dict[str, Any], questions: list[dict[str, Any]]) -> bytes:
    """The workbook a customer would send, blank answers and all."""
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Cover"
    cover.append(["Vendor Security Assessment"])
    cover.merge_cells("A1:D1")
    cover["A1"].font = Font(bold=True, size=16)
    for row in (["Vendor", None], ["Assessment date", None], ["Completed by", None]):
        cover.append(row)
    guide = book.create_sheet("Instructions")
    guide.append(["Column", "How to complete it"])
    guide.append(["Question ID", "Our reference for the question; keep it unchanged."])
    guide.append(["Question", "What we ask. Questions about this form go to your account manager."])
    guide.append(["Answer", "Pick Yes, No or N/A from the drop-down list."])
    guide.append(
        ["Comments", "Describe how you meet the requirement; name documents we may ask for."]
    )
    for sheet_spec in layout["sheets"]:
        sheet = book.create_sheet(sheet_spec["title"])
        header = sheet_spec["header"]
        sheet.append([sheet_spec["title"]])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        sheet.append([])
        sheet.append(header)
        for cell in sheet[3]:
            cell.font, cell.fill = HEAD, FILL
        section = None
        for q in (q for q in questions if q["sheet"] == sheet_spec["title"]):
            if q["section"] != section:
                section = q["section"]
                sheet.append([None, section])
            sheet.append([q["id"], q["question"]])
        formula = '"Yes,No,N/A"' if sheet_spec.get("literal_list") else "Lists!$A$1:$A$3"
        choice = DataValidation(type="list", formula1=formula, allow_blank=True)
        choice.add(f"C4:C{sheet.max_row}")
        sheet.add_data_validation(choice)
        sheet.column_dimensions["B"].width = 70
    lists = book.create_sheet("Lists")
    for value in ("Yes", "No", "N/A"):
        lists.append([value])
    lists.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def polarity_error(row: AnsweredRow, q: dict[str, Any]) -> bool:
    """A Yes/No the organisation's records do not support, or an admission of an event."""
    choice, answer = row.draft.choice, row.draft.answer.lower()
    if q["kind"] == "event":
        return choice is not None or answer.startswith(("yes", "no"))
    if q["source"] in NOT_APPLICABLE:
        return choice in ("Yes", "No")
    return q["source"] == "none" and choice == "Yes"


def score(rows: list[AnsweredRow], questions: list[dict[str, Any]], split: str) -> dict[str, Any]:
    """Drafted, right-source and polarity figures of one split."""
    pairs = [
        (row, q)
        for row, q in zip(rows, questions, strict=True)
        if split == "all" or q.get("split", "tune") == split
    ]
    n = len(pairs) or 1
    kinds: Counter[str] = Counter()
    right_kinds: Counter[str] = Counter()
    misses = []
    wrong = [
        f"{q['id']} {q['question']} — {row.draft.choice}: {row.draft.answer[:80]} "
        f"({', '.join(x.id for x in row.draft.sources[:3])})"
        for row, q in pairs
        if polarity_error(row, q)
    ]
    for row, q in pairs:
        kinds[q["kind"]] += 1
        ok = right(row.draft, q["source"])
        right_kinds[q["kind"]] += ok
        if not ok:
            got = ", ".join(s.id for s in row.draft.sources[:3]) or "-"
            misses.append(
                f"{q['id']} {q['question']} — expected {q['source']}, got {row.draft.status}: {got}"
            )
    return {
        "questions": len(pairs),
        "drafted": sum(row.draft.status != "needs_review" for row, _ in pairs) / n,
        "right_source": sum(right_kinds.values()) / n,
        "choices_filled": sum(row.draft.choice is not None for row, _ in pairs),
        "polarity_errors": sum(polarity_error(row, q) for row, q in pairs),
        "by_kind": {k: {"right": right_kinds[k], "of": kinds[k]} for k in sorted(kinds)},
        "misses": misses,
        "polarity": wrong,
    }


def measure(runs: int) -> dict[str, Any]:
    """Answer the workbook warm `runs` times; figures per split, layout found and times."""
    layout, questions = items()
    content = workbook(layout, questions)
    catalogue = load_catalogue(POLICIES)
    with tempfile.TemporaryDirectory() as tmp:
        db = prepare(f"sqlite:///{Path(tmp) / 'bench.db'}", catalogue)
        searcher = Searcher(catalogue, get_embedder(), index_dir())
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            with db.session_scope() as session:
                answered = answer_questionnaire(
                    "assessment.xlsx",
                    content,
                    db_session=session,
                    searcher=searcher,
                    zone=ZoneInfo("UTC"),
                )
            timings.append(time.perf_counter() - start)
    by_key = {(q["sheet"], q["id"]): q for q in questions}
    found = [by_key.get((row.sheet, row.id)) for row in answered.rows]
    rows = [row for row, q in zip(answered.rows, found, strict=True) if q is not None]
    matched = [q for q in found if q is not None]
    return {
        "rows_in_workbook": len(questions),
        "rows_found": len(answered.rows),
        "rows_matched": len(matched),
        "sheets_used": answered.questionnaire.describe(),
        "splits": {split: score(rows, matched, split) for split in SPLITS},
        "first_seconds": timings[0],
        "warm_seconds": min(timings[1:] or timings),
    }


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--misses", action="store_true", help="list rows answered wrongly (tune only)"
    )
    parser.add_argument("--runs", type=int, default=2, help="runs in one process")
    args = parser.parse_args()
    figures = measure(args.runs)
    if args.json:
        for split in figures["splits"].values():
            split.pop("misses")
            split.pop("polarity")
        print(json.dumps(figures))
        return
    print(f"{figures['rows_found']} of {figures['rows_in_workbook']} questions found; used:")
    for line in figures["sheets_used"]:
        print(f"  {line}")
    print(f"{'figure':34} " + " ".join(f"{s:>9}" for s in SPLITS))
    splits = [figures["splits"][s] for s in SPLITS]
    print(f"{'questions':34} " + " ".join(f"{f['questions']:>9}" for f in splits))
    print(f"{'drafted (not needs_review)':34} " + " ".join(f"{f['drafted']:>9.1%}" for f in splits))
    print(
        f"{'drafted from the right source':34} "
        + " ".join(f"{f['right_source']:>9.1%}" for f in splits)
    )
    print(f"{'Yes/No/N/A filled':34} " + " ".join(f"{f['choices_filled']:>9}" for f in splits))
    print(f"{'polarity errors':34} " + " ".join(f"{f['polarity_errors']:>9}" for f in splits))
    for kind in splits[-1]["by_kind"]:
        cells = " ".join(
            f"{f['by_kind'].get(kind, {'right': 0})['right']:>4}/{f['by_kind'].get(kind, {'of': 0})['of']:<4}"
            for f in splits
        )
        print(f"{'  right, ' + kind:34} {cells}")
    print(
        f"time for the workbook: {figures['first_seconds']:.1f} s first run, {figures['warm_seconds']:.1f} s warm"
    )
    if args.misses:
        for miss in figures["splits"]["tune"]["misses"]:
            print(f"  - {miss}")
        for wrong in figures["splits"]["all"]["polarity"]:
            print(f"  ! {wrong}")


if __name__ == "__main__":
    main()
