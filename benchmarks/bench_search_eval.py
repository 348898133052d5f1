"""The evaluation set and its scoring: categories, splits, hit@k and MRR, declining off-topic."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from knowledge.answer import compose
from knowledge.catalogue import Catalogue
from knowledge.embedder import Embedder
from knowledge.search import Searcher

QUESTIONS = Path(__file__).resolve().parent / "eval_questions.yaml"
CATEGORIES = (
    "situational",
    "howto",
    "typo",
    "off_topic",
    "id/legacy",
    "crosswalk",
    "topic",
    "other",
)
SPLITS = ("tune", "heldout", "heldout batch 1", "heldout batch 2", "all")
TOP_K = 10
ID_TAGS = {"legacy_id", "bare_id"}


@dataclass(frozen=True)
class Question:
    """One evaluation question: the IDs that count as right (none when off-topic), its category."""

    q: str
    expected: frozenset[str]
    category: str
    split: str  # "tune" or "heldout"
    batch: int = 1  # 2: written later by people who had seen neither this set nor the situations


def category(tags: set[str], expected: list[str]) -> str:
    """The one category a question is reported under (first that applies)."""
    if "off_topic" in tags or not expected:
        return "off_topic"
    if "howto" in tags:
        return "howto"
    if "situational" in tags:
        return "situational"
    if "typo" in tags:
        return "typo"
    if "crosswalk" in tags:
        return "crosswalk"
    if tags & ID_TAGS:
        return "id/legacy"
    if "audit_process" in tags or all(e.startswith("topic.") for e in expected):
        return "topic"
    return "other"


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    """Read the evaluation set; `split: heldout` marks the questions nothing is tuned on."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    return [
        Question(
            row["q"],
            frozenset(row.get("expected") or []),
            category(set(row.get("tags") or []), list(row.get("expected") or [])),
            "heldout" if row.get("split") == "heldout" else "tune",
            2 if "batch2" in (row.get("tags") or []) else 1,
        )
        for row in rows
    ]


Ranker = Callable[[str], list[str]]


class PlainDense:
    """The naive baseline: the same model over title + summary, one vector per entry."""

    def __init__(self, catalogue: Catalogue, embedder: Embedder) -> None:
        self.ids = list(catalogue.entries)
        texts = [f"{e.title}. {e.summary}" for e in catalogue.entries.values()]
        self.embedder = embedder
        self.matrix = np.vstack(
            [embedder.encode(texts[i : i + 32]) for i in range(0, len(texts), 32)]
        )

    def rank(self, text: str) -> list[str]:
        """Entry IDs by cosine to the question, best first."""
        scores = self.matrix @ self.embedder.encode([text])[0]
        return [self.ids[i] for i in np.argsort(-scores, kind="stable")[:TOP_K]]


def rankers(searcher: Searcher, plain: PlainDense | None) -> dict[str, Ranker]:
    """The rankers compared: the bot's hybrid, BM25 alone, and plain dense (None: hybrid only)."""

    def mode(name: str) -> Ranker:
        return lambda q: [h.entry.id for h in searcher.search(q, k=TOP_K, mode=name).hits]

    if plain is None:
        return {"hybrid": mode("hybrid")}
    return {"hybrid": mode("hybrid"), "bm25": mode("lexical"), "plain dense": plain.rank}


def declined(searcher: Searcher, questions: list[Question], min_score: float) -> list[bool]:
    """Whether the bot's answer to each question is `confident: false` (as `ask --json` says)."""
    out = []
    for question in questions:
        result = searcher.search(question.q, k=5)
        out.append(not compose(result, searcher.catalogue, min_score=min_score).confident)
    return out


def first_rank(got: list[str], expected: frozenset[str]) -> int:
    """1-based rank of the first right ID in the top 10, 0 when none is."""
    return next((i for i, cid in enumerate(got[:TOP_K], 1) if cid in expected), 0)


def _in_split(question: Question, split: str) -> bool:
    """Whether a question counts under a reported split ("heldout batch 2": held back, batch 2)."""
    if split == "all":
        return True
    name, _, batch = split.partition(" batch ")
    return question.split == name and (not batch or question.batch == int(batch))


def figures(
    questions: list[Question], outcomes: dict[str, list[list[str]]], declined: list[bool]
) -> dict[str, dict[str, dict[str, object]]]:
    """Per split and category: n, and hit@1 / hit@3 / MRR@10 per ranker, declined rates."""
    out: dict[str, dict[str, dict[str, object]]] = {}
    for split in SPLITS:
        rows: dict[str, dict[str, object]] = {}
        chosen = [i for i, q in enumerate(questions) if _in_split(q, split)]
        groups = {c: [i for i in chosen if questions[i].category == c] for c in CATEGORIES}
        groups["in-scope"] = [i for i in chosen if questions[i].category != "off_topic"]
        for name, members in groups.items():
            if not members:
                continue
            row: dict[str, object] = {"n": len(members)}
            row["declined"] = sum(declined[i] for i in members) / len(members)
            if name != "off_topic":
                for ranker, tops in outcomes.items():
                    ranks = [first_rank(tops[i], questions[i].expected) for i in members]
                    row[ranker] = {
                        "hit@1": sum(r == 1 for r in ranks) / len(ranks),
                        "hit@3": sum(0 < r <= 3 for r in ranks) / len(ranks),
                        "mrr": sum(1 / r for r in ranks if r) / len(ranks),
                    }
            rows[name] = row
        out[split] = rows
    return out
