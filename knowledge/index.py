"""The dense index: faiss over entry texts and staff questions, cached under a key of content and model."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from knowledge.embedder import Embedder
from knowledge.schema import Entry

log = logging.getLogger(__name__)
FORMAT = "v2"  # v2: one row per staff question as well


def text_views(entry: Entry) -> list[str]:
    """The entry's own texts: each is short enough for the model's 256-token window."""
    head = f"{entry.id} {entry.title}"
    out = [f"{head}. {', '.join(entry.keywords)}", f"{head}. {entry.summary}"]
    if entry.guidance:
        out.append(f"{head}. {entry.guidance}")
    return out


def views(entry: Entry) -> list[tuple[str, str]]:
    """Every text embedded for one entry with its kind: "text" views, then one per staff question."""
    return [("text", t) for t in text_views(entry)] + [("question", q) for q in entry.questions]


@dataclass
class DenseIndex:
    """A faiss inner-product index whose rows map back to entry IDs (several rows per entry)."""

    index: faiss.Index
    rows: list[str]
    kinds: list[str]
    key: str
    loaded_from_cache: bool

    def row_scores(self, vector: np.ndarray) -> np.ndarray:
        """Cosine of the query to every row, in row order."""
        n = self.index.ntotal
        out = np.full(n, -1.0, dtype=np.float32)
        if n:
            scores, idx = self.index.search(vector.reshape(1, -1).astype(np.float32), n)
            keep = idx[0] >= 0
            out[idx[0][keep]] = scores[0][keep]
        return out


def content_key(entries: list[Entry], model_name: str) -> str:
    """Hash of every embedded text and the model: any change means a rebuild."""
    digest = hashlib.sha256(f"{FORMAT}\n{model_name}\n".encode())
    for entry in entries:
        for kind, text in views(entry):
            digest.update(f"{entry.id}\x00{kind}\x00{text}\x01".encode())
    return digest.hexdigest()[:24]


def _atomic_write(path: Path, write: Callable[[str], None]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _paths(index_dir: Path, key: str) -> tuple[Path, Path]:
    return index_dir / f"dense-{key}.faiss", index_dir / f"dense-{key}.json"


def _try_load(index_dir: Path, key: str, dim: int) -> DenseIndex | None:
    vec_path, meta_path = _paths(index_dir, key)
    if not vec_path.exists() or not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        index = faiss.read_index(str(vec_path))
        rows, kinds = list(meta["rows"]), list(meta["kinds"])
        if meta.get("key") != key or not index.ntotal == len(rows) == len(kinds) or index.d != dim:
            raise ValueError("index and its metadata disagree")
    except Exception as exc:  # noqa: BLE001 - any unreadable cache is rebuilt, never fatal
        log.warning("search index cache in %s is unusable (%s); rebuilding it", index_dir, exc)
        return None
    return DenseIndex(index, rows, kinds, key, loaded_from_cache=True)


def build(
    entries: list[Entry],
    embedder: Embedder,
    index_dir: Path | None,
    *,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> DenseIndex:
    """Load the cached index for these entries, or embed them and cache the result atomically."""
    key = content_key(entries, embedder.name)
    if index_dir is not None and not force:
        cached = _try_load(index_dir, key, embedder.dim)
        if cached is not None:
            return cached
    texts: list[str] = []
    rows: list[str] = []
    kinds: list[str] = []
    for entry in entries:
        for kind, text in views(entry):
            texts.append(text)
            rows.append(entry.id)
            kinds.append(kind)
    vectors = np.zeros((0, embedder.dim), dtype=np.float32)
    step = 32
    chunks = []
    for start in range(0, len(texts), step):
        chunks.append(embedder.encode(texts[start : start + step]))
        if progress:
            progress(min(start + step, len(texts)), len(texts))
    if chunks:
        vectors = np.vstack(chunks).astype(np.float32)
    index = faiss.IndexFlatIP(embedder.dim)
    index.add(vectors)
    if index_dir is not None:
        _save(index_dir, key, index, rows, kinds)
    return DenseIndex(index, rows, kinds, key, loaded_from_cache=False)


def _write_text(path: str, text: str) -> None:
    Path(path).write_text(text, encoding="utf-8")


def _save(index_dir: Path, key: str, index: faiss.Index, rows: list[str], kinds: list[str]) -> None:
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        vec_path, meta_path = _paths(index_dir, key)
        _atomic_write(vec_path, lambda tmp: faiss.write_index(index, tmp))
        meta = json.dumps({"key": key, "format": FORMAT, "rows": rows, "kinds": kinds})
        _atomic_write(meta_path, lambda tmp: _write_text(tmp, meta))
        for old in index_dir.glob("dense-*"):
            if key not in old.name:
                old.unlink(missing_ok=True)
    except OSError as exc:
        # A read-only or full disk costs a re-embed next start, not the answer now.
        log.warning("could not cache the search index in %s: %s", index_dir, exc)
