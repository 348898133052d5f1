"""Search quality and speed figures: `python benchmarks/bench_search.py [--json]`. Prints, asserts nothing."""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

from core.config import Settings
from knowledge.catalogue import load_standard
from knowledge.embedder import get_embedder
from knowledge.search import Searcher

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = Path(__file__).resolve().parent / "eval_questions.yaml"
MODES = ("hybrid", "lexical", "dense")
TOP_K = 10
WARMUP, TIMED = 20, 500

# The same work the bot does on its first question after a restart, with the index already cached.
COLD_START = """
import sys
from pathlib import Path
from knowledge.answer import compose
from knowledge.catalogue import load_standard
from knowledge.embedder import get_embedder
from knowledge.search import Searcher
cat = load_standard()
searcher = Searcher(cat, get_embedder(), index_dir=Path(sys.argv[1]))
compose(searcher.search("do contractors need security training?"), cat, min_score=0.35)
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")))
"""


@dataclass(frozen=True)
class Question:
    """One evaluation question and the IDs that count as a right answer."""

    q: str
    expected: frozenset[str]


@dataclass
class Quality:
    """Hit rates and MRR of one ranker, plus what it got for each question."""

    hit1: float
    hit3: float
    mrr: float
    top: list[list[str]]


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    """Read the evaluation set."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    return [Question(row["q"], frozenset(row["expected"])) for row in rows]


def index_dir() -> Path:
    """The bot's INDEX_DIR, anchored at the repo root when relative (as when the bot runs there)."""
    path = Settings().index_dir
    return path if path.is_absolute() else ROOT / path


def quality(searcher: Searcher, questions: list[Question], mode: str) -> Quality:
    """hit@1, hit@3 and MRR over the top 10 for one ranking mode."""
    hit1 = hit3 = rr = 0.0
    top: list[list[str]] = []
    for question in questions:
        got = [h.entry.id for h in searcher.search(question.q, k=TOP_K, mode=mode).hits]
        top.append(got)
        rank = next((i for i, cid in enumerate(got[:TOP_K], 1) if cid in question.expected), 0)
        hit1 += rank == 1
        hit3 += 0 < rank <= 3
        rr += 1 / rank if rank else 0.0
    n = len(questions)
    return Quality(hit1 / n, hit3 / n, rr / n, top)


def latency_ms(searcher: Searcher, questions: list[Question]) -> list[float]:
    """Warm hybrid query times in ms, cycling through the questions after a warm-up."""
    texts = [q.q for q in questions]
    for i in range(WARMUP):
        searcher.search(texts[i % len(texts)], k=TOP_K)
    times = []
    for i in range(TIMED):
        start = time.perf_counter()
        searcher.search(texts[i % len(texts)], k=TOP_K)
        times.append((time.perf_counter() - start) * 1000)
    return times


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def cold_start(cached: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a fresh process answering one question."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", COLD_START, str(cached)], cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"cold-start process failed:\n{done.stderr}")
    # The child reports VmHWM: RUSAGE_CHILDREN would carry this big parent's peak over the fork.
    return seconds, int(done.stdout.split()[-1]) / 1024


def build_seconds(searcher: Searcher) -> float:
    """Time to embed and index the whole catalogue from scratch (model already loaded)."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        Searcher(searcher.catalogue, searcher.embedder, index_dir=Path(tmp), force_rebuild=True)
        return time.perf_counter() - start


def run() -> dict:
    """Measure everything once and return the figures."""
    questions = load_questions()
    cached = index_dir()
    catalogue = load_standard()
    # Building here also writes the cache the cold-start subprocess then loads.
    searcher = Searcher(catalogue, get_embedder(), index_dir=cached)
    scores = {mode: quality(searcher, questions, mode) for mode in MODES}
    times = latency_ms(searcher, questions)
    # Peak while serving, before the from-scratch build below adds its own embedding batches.
    serving_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cold_s, cold_rss = cold_start(cached)
    build_s = build_seconds(searcher)
    hybrid = scores["hybrid"]
    return {
        "questions": len(questions),
        "entries": len(catalogue.entries),
        "quality": {m: {"hit@1": s.hit1, "hit@3": s.hit3, "mrr": s.mrr} for m, s in scores.items()},
        "speed": {
            "p50_ms": statistics.median(times),
            "p99_ms": percentile(times, 99),
            "queries": len(times),
            "cold_start_s": cold_s,
            "index_build_s": build_s,
            "serving_peak_rss_mb": serving_rss,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "cold_start_peak_rss_mb": cold_rss,
        },
        "misses": [
            {"q": q.q, "expected": sorted(q.expected), "got": got[:3]}
            for q, got in zip(questions, hybrid.top, strict=True)
            if not q.expected & set(got[:3])
        ],
    }


def verdict(ok: bool) -> str:
    """A coloured yes/no for the targets column."""
    return "[green]yes[/]" if ok else "[red]no[/]"


def show(figures: dict) -> None:
    """Print the quality, speed and misses tables."""
    console = Console()
    q, s = figures["quality"], figures["speed"]
    title = f"Search quality: {figures['questions']} questions, {figures['entries']} entries"
    table = Table("ranker", "hit@1", "hit@3", f"MRR@{TOP_K}", title=title)
    for mode, row in q.items():
        table.add_row(mode, f"{row['hit@1']:.3f}", f"{row['hit@3']:.3f}", f"{row['mrr']:.3f}")
    console.print(table)
    h3 = q["hybrid"]["hit@3"]
    beats = all(h3 > q[m]["hit@3"] for m in MODES if m != "hybrid")
    table = Table("measure", "figure", "target", "met", title="Targets (2-core machine)")
    table.add_row("hybrid hit@3", f"{h3:.3f}", ">= 0.90", verdict(h3 >= 0.90))
    table.add_row("hybrid hit@3 vs baselines", "", "> lexical and dense", verdict(beats))
    rows = [
        (f"warm p50 ({s['queries']} queries)", s["p50_ms"], "ms", 20),
        ("warm p99", s["p99_ms"], "ms", 60),
        ("cold start to first answer", s["cold_start_s"], "s", 6),
        ("peak RSS, this process while serving", s["serving_peak_rss_mb"], "MB", 700),
        ("peak RSS, this process (incl. rebuild)", s["peak_rss_mb"], "MB", 700),
        ("peak RSS, cold-start process", s["cold_start_peak_rss_mb"], "MB", 700),
    ]
    for name, value, unit, limit in rows:
        table.add_row(name, f"{value:.1f} {unit}", f"<= {limit} {unit}", verdict(value <= limit))
    table.add_row("full index build", f"{s['index_build_s']:.1f} s", "(no target)", "")
    console.print(table)
    table = Table(title="Hybrid misses (not in top 3)")
    for name in ("question", "expected", "got (top 3)"):
        table.add_column(name, overflow="fold")  # IDs wrap whole rather than end in an ellipsis
    for miss in figures["misses"]:
        table.add_row(miss["q"], ", ".join(miss["expected"]), ", ".join(miss["got"]))
    console.print(table)


def main() -> None:
    """Parse arguments, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    as_json = parser.parse_args().json
    figures = run()
    if as_json:
        print(json.dumps(figures, indent=2))
    else:
        show(figures)


if __name__ == "__main__":
    main()
