"""Questionnaire figures: `python benchmarks/bench_questionnaire.py [--json]`. Prints, asserts nothing.

Answers benchmarks/questionnaire_questions.yaml (308 questions) as one XLSX from examples/register.csv,
examples/library.csv and the examples/policies KNOWLEDGE_DIR, and prints the share answered from the
expected source and the share left needs_review for the tune split, the held-back split (never used
to choose thresholds) and all questions, and the time for the whole file warm and cold.
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

import torch
import yaml
from openpyxl import Workbook
from rich.console import Console
from rich.table import Table

from core.config import Settings
from core.db import Database
from core.evidence.register import import_rows, read_rows, validate
from core.migrate import upgrade
from core.questionnaires.library import import_library
from core.questionnaires.model import AnsweredRow, Draft
from core.questionnaires.service import answer_questionnaire
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
import torch
from core.db import Database
from core.questionnaires.service import answer_questionnaire
from knowledge.catalogue import load_catalogue
from knowledge.embedder import get_embedder
from knowledge.search import Searcher
embedder = get_embedder()
if int(sys.argv[5]):
    torch.set_num_threads(int(sys.argv[5]))
searcher = Searcher(load_catalogue(Path(sys.argv[3])), embedder, Path(sys.argv[2]))
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


SPLITS = ("tune", "heldout", "all")


def kind_of(expected: str) -> str:
    """The kind of source a question expects: library, policy, control or none."""
    if expected == "none":
        return "none"
    if expected.startswith("LIB-"):
        return "library"
    return "policy" if expected.startswith("org.") else "control"


def right(draft: Draft, expected: str) -> bool:
    """Answered from the expected source, or left needs_review when nothing should answer it."""
    if expected == "none":
        return draft.status == "needs_review"
    return draft.status != "needs_review" and expected in {s.id for s in draft.sources}


def score(rows: list[AnsweredRow], questions: list[dict[str, str]], split: str) -> dict[str, Any]:
    """Right-source and needs_review shares of one split, overall and per kind of expected source."""
    pairs = [
        (row, item)
        for row, item in zip(rows, questions, strict=True)
        if split == "all" or item.get("split", "tune") == split
    ]
    hits: Counter[str] = Counter()
    total: Counter[str] = Counter()
    statuses: Counter[str] = Counter(row.draft.status for row, _ in pairs)
    misses: list[str] = []
    for row, item in pairs:
        kind = kind_of(item["source"])
        total[kind] += 1
        ok = right(row.draft, item["source"])
        hits[kind] += ok
        if not ok:
            got = ", ".join(s.id for s in row.draft.sources[:3]) or "-"
            misses.append(
                f"{item['question']} — expected {item['source']}, got {row.draft.status}: {got}"
            )
    n = len(pairs) or 1
    return {
        "questions": len(pairs),
        "right_source": sum(hits.values()) / n,
        "needs_review": statuses["needs_review"] / n,
        "statuses": dict(statuses),
        "by_kind": {k: {"right": hits[k], "of": total[k]} for k in sorted(total)},
        "misses": misses,
    }


def timed_runs(
    db: Database, searcher: Searcher, content: bytes, runs: int
) -> tuple[list[AnsweredRow], list[float]]:
    """Answer the file `runs` times in this process; the rows and each run's seconds."""
    timings = []
    rows: list[AnsweredRow] = []
    for _ in range(runs):  # the first run also embeds the library's questions
        start = time.perf_counter()
        with db.session_scope() as session:
            rows = answer_questionnaire(
                "q.xlsx", content, db_session=session, searcher=searcher, zone=UTC
            ).rows
        timings.append(time.perf_counter() - start)
    return rows, timings


def cold_run(url: str, path: Path, threads: int) -> float:
    """Seconds for a new process to load everything and answer the file (index cached)."""
    argv = [sys.executable, "-c", COLD, url, str(index_dir()), str(POLICIES), str(path)]
    done = subprocess.run(
        [*argv, str(threads)], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return float(done.stdout.split()[-1])


def measure(threads: int, runs: int) -> dict[str, Any]:
    """Answer the benchmark file warm and cold; the figures per split and the times."""
    questions = load_questions()
    content = workbook(questions)
    catalogue = load_catalogue(POLICIES)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        db = prepare(url, catalogue)
        start = time.perf_counter()
        embedder = get_embedder()
        if threads:
            torch.set_num_threads(threads)
        searcher = Searcher(catalogue, embedder, index_dir())
        loaded = time.perf_counter() - start
        rows, timings = timed_runs(db, searcher, content, runs)
        path = Path(tmp) / "q.xlsx"
        path.write_bytes(content)
        cold = cold_run(url, path, threads)
    return {
        "splits": {split: score(rows, questions, split) for split in SPLITS},
        "warm_seconds": min(timings[1:] or timings),
        "first_in_process_seconds": timings[0],
        "model_and_index_seconds": loaded,
        "cold_seconds": cold,
        "torch_threads": torch.get_num_threads(),
    }


def show(figures: dict[str, Any], misses: bool) -> None:
    """The figures as a table per split, then the times."""
    console = Console()
    table = Table("figure", *SPLITS, title="Questionnaire benchmark")
    splits = [figures["splits"][s] for s in SPLITS]
    table.add_row("questions", *(str(f["questions"]) for f in splits))
    table.add_row("answered from the right source", *(f"{f['right_source']:.1%}" for f in splits))
    table.add_row("needs_review", *(f"{f['needs_review']:.1%}" for f in splits))
    for kind in splits[-1]["by_kind"]:
        table.add_row(
            f"  right, expected {kind}",
            *(f"{f['by_kind'][kind]['right']}/{f['by_kind'][kind]['of']}" for f in splits),
        )
    console.print(table)
    times = Table(f"time (torch threads: {figures['torch_threads']})", "seconds")
    times.add_row(
        "whole file, warm (model, index, library loaded)", f"{figures['warm_seconds']:.2f}"
    )
    times.add_row(
        "whole file, first run in a process with the model loaded",
        f"{figures['first_in_process_seconds']:.2f}",
    )
    times.add_row("whole file, cold (new process, index cached)", f"{figures['cold_seconds']:.2f}")
    console.print(times)
    if misses:
        for split in ("tune", "heldout"):
            for miss in figures["splits"][split]["misses"]:
                console.print(f"  - [{split}] {miss}", highlight=False)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--misses", action="store_true", help="list the questions answered wrongly")
    parser.add_argument(
        "--threads", type=int, default=0, help="torch threads (default: the bot's own setting)"
    )
    parser.add_argument("--runs", type=int, default=3, help="warm runs in one process")
    args = parser.parse_args()
    figures = measure(args.threads, args.runs)
    if args.json:
        for split in figures["splits"].values():
            split.pop("misses")
        print(json.dumps(figures))
        return
    show(figures, args.misses)


if __name__ == "__main__":
    main()
