"""Fusing dense and lexical evidence into one ranking, and judging whether a question is ours."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from knowledge.schema import Entry


@dataclass(frozen=True)
class Tuning:
    """The fusion and scope constants (tuned on the evaluation set's tune split only)."""

    # What people type is in titles, keywords and the staff situations; the body is the long tail.
    field_weights: tuple[tuple[str, float], ...] = (
        ("head", 1.0),
        ("questions", 0.8),
        ("body", 0.45),
    )
    dense_weight: float = 0.65
    lexical_weight: float = 0.35
    # BM25 score at which the lexical part reaches one half of its range.
    lexical_saturation: float = 6.0
    # A parent clause scores at most this far below its best sub-clause.
    parent_gap: float = 0.01
    # Whether a question is ours: a weighted sum of how close it comes to the catalogue (best
    # cosine to any vector, best to the entries' own text, mean of the 50 nearest vectors) and
    # how much lexical evidence it has, against a threshold. Fitted on the tune split.
    scope_weights: tuple[float, float, float, float] = (0.25, 0.15, 0.35, 0.25)
    scope_threshold: float = 0.405
    # SOC 2 criteria outside SOC2_CATEGORIES lose this much for everyday questions (issue 27):
    # on the tune split 0.03 already gives the how-to gain, and more only costs situational
    # questions whose label is an out-of-scope criterion.
    out_of_scope_penalty: float = 0.05


TUNING = Tuning()


def entry_rows(rows: list[str], positions: dict[str, int]) -> np.ndarray:
    """For each index row, the position of its entry."""
    return np.asarray([positions[r] for r in rows], dtype=np.int64)


def best_per_entry(row_scores: np.ndarray, row_entry: np.ndarray, n: int) -> np.ndarray:
    """The best score among each entry's rows (0 for an entry without rows)."""
    best = np.zeros(n, dtype=np.float32)
    np.maximum.at(best, row_entry, np.clip(row_scores, 0.0, None))
    return best


def parents_of(entries: list[Entry]) -> dict[int, list[int]]:
    """Top-level clauses (4 … 10) and the positions of the sub-clauses under each."""
    position = {e.id: i for i, e in enumerate(entries)}
    out: dict[int, list[int]] = {}
    for entry in entries:
        if entry.kind == "clause" and "." not in entry.id:
            children = [
                i for e, i in position.items() if e.startswith(entry.id + ".") and e != entry.id
            ]
            if children:
                out[position[entry.id]] = children
    return out


def blend(dense: np.ndarray, raw_lexical: np.ndarray, tuning: Tuning = TUNING) -> np.ndarray:
    """A calibrated score in [0, 1]: cosine and saturated BM25, weighted."""
    lexical = raw_lexical / (raw_lexical + tuning.lexical_saturation)
    return tuning.dense_weight * dense + tuning.lexical_weight * lexical


def cap_parents(
    scores: np.ndarray, parents: dict[int, list[int]], tuning: Tuning = TUNING
) -> np.ndarray:
    """A parent clause never outranks its best sub-clause: it is an overview, not an answer."""
    out = scores.copy()
    for parent, children in parents.items():
        ceiling = float(scores[children].max()) - tuning.parent_gap
        if out[parent] > ceiling:
            out[parent] = max(ceiling, 0.0)
    return out


@dataclass(frozen=True)
class Evidence:
    """How close a question comes to the catalogue at all, whatever entry it lands on."""

    best: float  # best cosine to any vector
    best_text: float  # best cosine to an entry's own text (not a staff question)
    near: float  # mean cosine of the 50 nearest vectors
    lexical: float  # best BM25, saturated like the blend's lexical part

    def scope(self, tuning: Tuning = TUNING) -> float:
        """The weighted evidence the scope threshold applies to."""
        parts = (self.best, self.best_text, self.near, self.lexical)
        return sum(w * x for w, x in zip(tuning.scope_weights, parts, strict=True))


NEAREST = 50


def evidence(
    row_scores: np.ndarray, text_rows: np.ndarray, raw_lexical: np.ndarray, tuning: Tuning = TUNING
) -> Evidence:
    """Scope evidence from the query's cosine to every row and its BM25 scores."""
    if not len(row_scores):
        return Evidence(0.0, 0.0, 0.0, 0.0)
    k = min(NEAREST, len(row_scores))
    nearest = np.partition(row_scores, len(row_scores) - k)[-k:]
    text = row_scores[text_rows]
    lexical = float(raw_lexical.max(initial=0.0))
    return Evidence(
        best=float(row_scores.max()),
        best_text=float(text.max(initial=0.0)),
        near=float(nearest.mean()),
        lexical=lexical / (lexical + tuning.lexical_saturation),
    )


def in_scope(found: Evidence, tuning: Tuning = TUNING) -> bool:
    """Whether a question is about security, privacy, compliance or audits at all."""
    return found.scope(tuning) >= tuning.scope_threshold
