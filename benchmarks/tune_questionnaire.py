"""Choose the drafting thresholds on the tune split only: `python benchmarks/tune_questionnaire.py`.

Searches once, then re-drafts the tune questions of benchmarks/questionnaire_questions.yaml under each
candidate threshold, one threshold at a time (two passes), keeping a change only when the share
answered from the right source rises (fewer needs_review breaks ties). The held-back questions are
never read here; bench_questionnaire.py reports them. Prints the thresholds found, sets nothing.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core.questionnaires.drafting import Drafter, LibraryAnswer, gather
from knowledge.catalogue import load_catalogue
from knowledge.embedder import get_embedder
from knowledge.search import Searcher, SearchResult

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_questionnaire import (  # noqa: E402 - a sibling module of this script
    POLICIES,
    UTC,
    index_dir,
    load_questions,
    prepare,
    right,
)

GRID = {
    "library": np.arange(0.70, 0.91, 0.02),
    "library_suggestion": np.arange(0.50, 0.81, 0.02),
    "requirement": np.arange(0.30, 0.56, 0.02),
    "policy": np.arange(0.26, 0.56, 0.02),
    "margin": np.arange(0.0, 0.13, 0.02),
}


class Remembering(Drafter):
    """A drafter that searches and embeds each question once, whatever the thresholds."""

    _near: dict[str, tuple[LibraryAnswer, float] | None]
    _found: dict[str, SearchResult | None]

    def _nearest(self, questions: Sequence[str]) -> list[tuple[LibraryAnswer, float] | None]:
        missing = [q for q in questions if q not in self._near]
        if missing:
            self._near.update(zip(missing, super()._nearest(missing), strict=True))
        return [self._near[q] for q in questions]

    def _search(self, questions: list[str]) -> list[SearchResult | None]:
        missing = [q for q in questions if q not in self._found]
        if missing:
            self._found.update(zip(missing, super()._search(missing), strict=True))
        return [self._found[q] for q in questions]


def figures(drafter: Drafter, questions: list[dict[str, str]]) -> tuple[float, float]:
    """Share answered from the right source, and minus the share needs_review (higher is better)."""
    drafts = drafter.draft_all([q["question"] for q in questions])
    hits = sum(right(d, q["source"]) for d, q in zip(drafts, questions, strict=True))
    review = sum(d.status == "needs_review" for d in drafts)
    return hits / len(questions), -review / len(questions)


def main() -> None:
    """Tune on the tune split and print the thresholds."""
    tune = [q for q in load_questions() if q.get("split", "tune") == "tune"]
    catalogue = load_catalogue(POLICIES)
    with tempfile.TemporaryDirectory() as tmp:
        db = prepare(f"sqlite:///{Path(tmp) / 'tune.db'}", catalogue)
        searcher = Searcher(catalogue, get_embedder(), index_dir())
        with db.session_scope() as session:
            knowledge = gather(db_session=session, zone=UTC)
    drafter = Remembering(searcher, knowledge)
    drafter._near, drafter._found = {}, {}
    best = figures(drafter, tune)
    print(f"defaults {drafter.limits}: right {best[0]:.1%}, needs_review {-best[1]:.1%}")
    for _ in range(2):
        for name, values in GRID.items():
            for value in values:
                current = drafter.limits
                drafter.limits = dataclasses.replace(current, **{name: round(float(value), 2)})
                found = figures(drafter, tune)
                if found > best:
                    best = found
                else:
                    drafter.limits = current
    print(f"tuned {drafter.limits}: right {best[0]:.1%}, needs_review {-best[1]:.1%}")


if __name__ == "__main__":
    main()
