"""Test doubles: a small deterministic embedder (for tests about something else)."""

from __future__ import annotations

import hashlib

import numpy as np

from knowledge.lexical import tokenize


class FakeEmbedder:
    """Hashes tokens into a fixed-size bag-of-words vector: deterministic, instant, crude."""

    name = "fake-embedder-v1"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length hashed bag of words."""
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokenize(text) or ["empty"]:
                bucket = int(hashlib.md5(token.encode()).hexdigest()[:8], 16) % self.dim
                out[row, bucket] += 1.0
            out[row] /= np.linalg.norm(out[row]) or 1.0
        return out
