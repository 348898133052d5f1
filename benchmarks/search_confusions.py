"""Which entries the tune split's questions land on instead of the right one.

`python benchmarks/search_confusions.py [--category situational --category typo]`. Only the tune
split is loaded and ranked: the held-back split stays unseen, so catalogue wording can be tuned
against this output without tuning on the figures that are reported. Prints, asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from core.config import Settings
from knowledge.catalogue import load_standard
from knowledge.embedder import get_embedder
from knowledge.search import Searcher

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_search import index_dir  # noqa: E402 - sibling modules of this script
from bench_search_eval import CATEGORIES, TOP_K, Question, declined, first_rank, load_questions  # noqa: E402

DEFAULT_CATEGORIES = ("situational", "typo")


def tune_questions(categories: set[str]) -> list[Question]:
    """The tune split's questions in the chosen categories (never the held-back ones)."""
    return [q for q in load_questions() if q.split == "tune" and q.category in categories]


def confusions(
    questions: list[Question], tops: list[list[str]], refused: list[bool]
) -> list[tuple[Question, int, list[str], bool]]:
    """Questions the bot gets wrong: right entry not first, in scope but declined, or off-topic answered."""
    out = []
    for question, got, no in zip(questions, tops, refused, strict=True):
        rank = first_rank(got, question.expected)
        if (question.expected and (no or rank != 1)) or (not question.expected and not no):
            out.append((question, rank, got, no))
    return out


def show(questions: list[Question], wrong: list[tuple[Question, int, list[str], bool]]) -> None:
    """Per category hit@1, each miss with expected vs got, then the most frequent pairs."""
    for category in CATEGORIES:
        members = [q for q in questions if q.category == category]
        if members:
            missed = sum(1 for q, *_ in wrong if q.category == category)
            print(f"{category:12} n={len(members):3}  right={1 - missed / len(members):.3f}")
    pairs: Counter[tuple[str, str]] = Counter()
    for question, rank, got, no in wrong:
        first = got[0] if got else "-"
        expected = ", ".join(sorted(question.expected)) or "(off-topic)"
        pairs[(expected, first)] += 1
        state = "declined" if no else f"rank {rank or '>10'}"
        print(f"\n[{question.category}] {state}: expected {expected}; got {', '.join(got[:4])}")
        print(f"    {question.q}")
    print("\nexpected -> first (count):")
    for (expected, first), n in pairs.most_common():
        print(f"  {expected} -> {first} ({n})")


def main() -> None:
    """Parse arguments, rank the tune split, print its confusions."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--category",
        action="append",
        choices=CATEGORIES,
        help=f"categories to show (repeatable; default {', '.join(DEFAULT_CATEGORIES)})",
    )
    chosen = set(parser.parse_args().category or DEFAULT_CATEGORIES)
    questions = tune_questions(chosen)
    searcher = Searcher(load_standard(), get_embedder(), index_dir=index_dir())
    tops = [[h.entry.id for h in searcher.search(q.q, k=TOP_K).hits] for q in questions]
    refused = declined(searcher, questions, Settings().answer_min_score)
    show(questions, confusions(questions, tops, refused))


if __name__ == "__main__":
    main()
