"""Peak memory for the worst workbook a questionnaire may be: `python benchmarks/bench_workbook_memory.py`.

Builds a workbook just under every cap (cells, cell data, questions), then, in a fresh process,
opens it as the bot does (a streamed read-only pass to find the questions, then the whole workbook
for writing answers back) and writes it back with every question answered. Prints the process's
resident memory before (the serving baseline: the bot's modules imported) and its peak after, and
the time taken. Target: at most 300 MB above the baseline. Prints, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from core.questionnaires import tables
from core.questionnaires.sheets import MAX_QUESTIONS

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = 25

CHILD = """
import io, json, resource, sys, time
def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
import bot.app  # noqa: F401  the serving process's modules
from core.questionnaires import AnsweredRow, Draft
from core.questionnaires.sheets import open_questionnaire
content = open(sys.argv[1], "rb").read()
baseline = rss_mb()
start = time.perf_counter()
q = open_questionnaire("worst.xlsx", content)
draft = Draft("Yes. " + "x" * 200, "suggested", 0.5)
rows = [AnsweredRow(x.row, x.text, draft, sheet=s.title, id=x.id) for s, x in q.entries()]
out = q.write(rows)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"baseline_mb": baseline, "peak_mb": peak, "seconds": seconds,
                  "questions": len(rows), "out_bytes": len(out)}))
"""


def worst_workbook(path: Path, cells: int, text_bytes: int) -> dict[str, int]:
    """Questions with IDs, a choice and a comment column, and filler text up to the caps."""
    rows = min(MAX_QUESTIONS, cells // COLUMNS) - 1
    per_cell = max(1, text_bytes // (rows * COLUMNS) - 60)  # about 60 bytes of XML per cell
    book = Workbook(write_only=True)
    book.create_sheet("Cover").append(["Vendor assessment"])
    sheet = book.create_sheet("Questions")
    choice = DataValidation(type="list", formula1='"Yes,No,N/A"')
    choice.add(f"C2:C{rows + 1}")
    sheet.data_validations.append(choice)
    filler = [f"Notes {c}" for c in range(COLUMNS - 4)]
    sheet.append(["ID", "Question", "Answer", "Comments", *filler])
    for n in range(1, rows + 1):
        text = f"Is control {n} in place and reviewed? " + "q" * per_cell
        sheet.append(
            [
                f"Q-{n}",
                text,
                None,
                None,
                *(f"{n}.{c} " + "f" * per_cell for c in range(COLUMNS - 4)),
            ]
        )
    book.save(path)
    return {"rows": rows, "cells": (rows + 1) * COLUMNS - 2 * rows, "chars_per_cell": per_cell}


def measure(cells: int, text_bytes: int) -> dict[str, float | int]:
    """Build the workbook, check the caps accept it, and measure a fresh process answering it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "worst.xlsx"
        start = time.perf_counter()
        shape = worst_workbook(path, cells, text_bytes)
        built = time.perf_counter() - start
        content = path.read_bytes()
        tables._check_archive(content, "worst.xlsx")  # refused files never get this far
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures.update(shape, file_bytes=len(content), build_seconds=built)
    figures["above_baseline_mb"] = figures["peak_mb"] - figures["baseline_mb"]
    return figures


def main() -> None:
    """Measure the worst allowed workbook and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    # A little under each cap: the largest file still accepted.
    figures = measure(int(tables.MAX_CELLS * 0.98), int(tables.MAX_TEXT_BYTES * 0.95))
    if args.json:
        print(json.dumps(figures))
        return
    print(
        f"worst allowed workbook: {figures['cells']:,} cells, {figures['questions']:,} questions, "
        f"{figures['file_bytes'] / 1e6:.1f} MB file (caps: {tables.MAX_CELLS:,} cells, "
        f"{tables.MAX_TEXT_BYTES // (1024 * 1024)} MB of cell data, {MAX_QUESTIONS:,} questions)"
    )
    print(f"serving baseline RSS: {figures['baseline_mb']:.0f} MB")
    print(f"peak RSS:             {figures['peak_mb']:.0f} MB")
    print(f"above baseline:       {figures['above_baseline_mb']:.0f} MB (target <= 300 MB)")
    print(f"open + write back:    {figures['seconds']:.1f} s")


if __name__ == "__main__":
    main()
