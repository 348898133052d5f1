"""Lexical ranking with bm25s, so acronyms and rare terms (NTP, DLP, SoA) weigh what they should."""

from __future__ import annotations

import logging
import re

import bm25s
import numpy as np

# bm25s sets its own logger to DEBUG, so "Building index from tokens" would reach every handler
# (the console prints it before the first answer); its warnings still come through.
logging.getLogger("bm25s").setLevel(logging.WARNING)

_TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "should",
        "so",
        "that",
        "the",
        "their",
        "there",
        "these",
        "this",
        "to",
        "us",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "need",
        "needs",
        "require",
        "requires",
        "required",
        "about",
        "any",
        "have",
        "has",
        "any",
        "get",
    ]
)


def _stem(token: str) -> str:
    # Light suffix stripping: enough to make "backups"/"backup", "logging"/"logs" meet.
    for suffix in ("ations", "ation", "ings", "ing", "ies", "es", "s", "ed"):
        if len(token) > len(suffix) + 2 and token.endswith(suffix):
            return token[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return token


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens without stopwords, lightly stemmed."""
    return [_stem(t) for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]


FIELDS = ("head", "questions", "body")  # title + keywords, staff questions, everything else


class FieldedBM25:
    """BM25 (bm25s) per field over the same documents; a document's score is a weighted sum."""

    def __init__(self, documents: list[dict[str, str]], fields: tuple[str, ...] = FIELDS) -> None:
        self.fields = fields
        self.size = len(documents)
        self._indexes: dict[str, bm25s.BM25] = {}
        for name in fields:
            corpus = [tokenize(doc.get(name, "")) for doc in documents]
            if not any(corpus):
                continue  # e.g. no entry has questions yet: bm25s cannot index nothing
            index = bm25s.BM25(k1=1.2, b=0.75)
            index.index(corpus, show_progress=False)
            self._indexes[name] = index

    def scores(self, tokens: list[str], weights: dict[str, float]) -> np.ndarray:
        """One weighted BM25 score per document for the query tokens."""
        out = np.zeros(self.size, dtype=np.float32)
        unique = list(dict.fromkeys(tokens))
        for name, index in self._indexes.items():
            known = [t for t in unique if t in index.vocab_dict]
            if known and weights.get(name):
                out += weights[name] * index.get_scores(known)
        return out
