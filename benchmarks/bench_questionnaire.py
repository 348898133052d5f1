"""Questionnaire figures: `python benchmarks/bench_questionnaire.py [--json]`. Prints, asserts nothing.

Answers benchmarks/questionnaire_questions.yaml (308 questions) as one XLSX from examples/register.csv,
examples/library.csv and the examples/policies KNOWLEDGE_DIR, and prints the share answered from the
expected source, the share left needs_review, and the time for the whole file warm and cold.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from openpyxl import Workbook
from rich.console import Console
from rich.table import Table

from core.config import Settings
from core.db import Database
from core.evidence.register import import_rows, read_rows, validate
from core.migrate import upgrade
from core.questionnaires.library import import_library
from core.questionnaires.service import AnsweredFile, answer_questionnaire
from knowledge.catalogue import Catalogue, load_catalogue
from knowledge.embedder import get_embedder
from knowledge.search import Searcher

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "benchmarks" / "questionnaire_questions.yaml"
POLICIES = ROOT / "examples" / "policies"
UTC = ZoneInfo("UTC")

# A new process answering the file: settings, model, catalogue, cached index, library, drafting.
COLD = """
import sys, time
from pathlib import Path
from zoneinfo import ZoneInfo
start = time.perf_counter()
from core.db import Database
from core.questionnaires.service import answer_questionnaire
from knowledge.catalogue import load_catalogue
from knowledge.embedder import get_embedder
from knowledge.search import Searcher
searcher = Searcher(load_catalogue(Path(sys.argv[3])), get_embedder(), Path(sys.argv[2]))
with Database(sys.argv[1]).session_scope() as session:
    answer_questionnaire("q.xlsx", Path(sys.argv[4]).read_bytes(), db_session=session,
                         searcher=searcher, zone=ZoneInfo("UTC"))
print(time.perf_counter() - start)
"""


def index_dir() -> Path:
    """The bot's INDEX_DIR, anchored at the repo root when relative."""
    path = Settings().index_dir
    return path if path.is_absolute() else ROOT / path


def load_questions() -> list[dict[str, str]]:
    """The benchmark questions with their expected sources."""
    return list(yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"])


def workbook(questions: list[dict[str, str]]) -> bytes:
    """The questions as a customer would send them: an ID column, the question, a notes column."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ID", "Question", "Notes"])
    for n, item in enumerate(questions, start=1):
        sheet.append([f"Q{n}", item["question"], ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def prepare(url: str, catalogue: Catalogue) -> Database:
    """A fresh database with the example register and library."""
    upgrade(url)
    db = Database(url)

    def resolve(raw: str) -> str | None:
        entry, _ = catalogue.resolve(raw)
        return entry.id if entry is not None else None

    rows = validate(
        read_rows(ROOT / "examples" / "register.csv"),
        resolve_requirement=resolve,
        known_ids=list(catalogue.entries),
    )
    with db.session_scope() as session:
        import_rows(rows, db_session=session, actor="bench")
        import_library(
            "library.csv",
            (ROOT / "examples" / "library.csv").read_bytes(),
            db_session=session,
            catalogue=catalogue,
            actor="bench",
        )
    return db


def score(answered: AnsweredFile, questions: list[dict[str, str]]) -> dict[str, Any]:
    """Right-source and needs_review shares, overall and per kind of expected source."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    misses: list[str] = []
    for row, item in zip(answered.rows, questions, strict=True):
        expected = item["source"]
        kind = (
            "none"
            if expected == "none"
            else "library"
            if expected.startswith("LIB-")
            else "policy"
            if expected.startswith("org.")
            else "control"
        )
        draft = row.draft
        statuses[draft.status] += 1
        total[kind] += 1
        if expected == "none":
            ok = draft.status == "needs_review"
        else:
            ok = draft.status != "needs_review" and expected in {s.id for s in draft.sources}
        right[kind] += ok
        if not ok:
            got = ", ".join(s.id for s in draft.sources[:3]) or "-"
            misses.append(f"{item['question']} — expected {expected}, got {draft.status}: {got}")
    n = len(questions)
    return {
        "questions": n,
        "right_source": sum(right.values()) / n,
        "needs_review": statuses["needs_review"] / n,
        "statuses": dict(statuses),
        "by_kind": {k: {"right": right[k], "of": total[k]} for k in sorted(total)},
        "misses": misses,
    }


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--misses", action="store_true", help="list the questions answered wrongly")
    args = parser.parse_args()
    questions = load_questions()
    content = workbook(questions)
    catalogue = load_catalogue(POLICIES)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        db = prepare(url, catalogue)
        start = time.perf_counter()
        searcher = Searcher(catalogue, get_embedder(), index_dir())
        loaded = time.perf_counter() - start
        timings = []
        for _ in range(3):  # the first run also embeds the library's questions
            start = time.perf_counter()
            with db.session_scope() as session:
                answered = answer_questionnaire(
                    "q.xlsx", content, db_session=session, searcher=searcher, zone=UTC
                )
            timings.append(time.perf_counter() - start)
        path = Path(tmp) / "q.xlsx"
        path.write_bytes(content)
        cold = float(
            subprocess.run(
                [sys.executable, "-c", COLD, url, str(index_dir()), str(POLICIES), str(path)],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            ).stdout.split()[-1]
        )
    figures = score(answered, questions)
    figures.update(
        warm_seconds=min(timings[1:]),
        first_in_process_seconds=timings[0],
        model_and_index_seconds=loaded,
        cold_seconds=cold,
    )
    if args.json:
        print(json.dumps({k: v for k, v in figures.items() if k != "misses"}))
        return
    console = Console()
    table = Table(
        "figure", "value", title=f"Questionnaire benchmark ({figures['questions']} questions)"
    )
    table.add_row("answered from the right source", f"{figures['right_source']:.1%}")
    table.add_row("needs_review", f"{figures['needs_review']:.1%}")
    for kind, counts in figures["by_kind"].items():
        table.add_row(f"  right, expected {kind}", f"{counts['right']}/{counts['of']}")
    table.add_row("statuses", ", ".join(f"{k} {v}" for k, v in sorted(figures["statuses"].items())))
    table.add_row(
        "whole file, warm (model, index, library loaded)", f"{figures['warm_seconds']:.2f} s"
    )
    table.add_row(
        "whole file, first run in a process with the model loaded",
        f"{figures['first_in_process_seconds']:.2f} s",
    )
    table.add_row(
        "whole file, cold (new process, index cached)", f"{figures['cold_seconds']:.2f} s"
    )
    console.print(table)
    if args.misses:
        for miss in figures["misses"]:
            console.print(f"  - {miss}", highlight=False)


if __name__ == "__main__":
    main()
