"""A question is embedded on one torch thread only while the cores are already busy."""

from __future__ import annotations

import pytest

from knowledge import embedder


def test_busy_means_the_load_average_fills_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedder.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(embedder.os, "getloadavg", lambda: (2.5, 0.0, 0.0))
    assert embedder._cores_busy() is True
    monkeypatch.setattr(embedder.os, "getloadavg", lambda: (1.2, 0.0, 0.0))
    assert embedder._cores_busy() is False


def test_no_load_average_counts_as_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable() -> tuple[float, float, float]:
        raise OSError("no load average here")

    monkeypatch.setattr(embedder.os, "getloadavg", unavailable)
    assert embedder._cores_busy() is False


@pytest.mark.model
def test_a_question_on_busy_cores_uses_one_thread_and_a_batch_keeps_two(
    real_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import torch

    threads = real_embedder._threads
    seen: list[int] = []
    encode = real_embedder._model.encode

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(torch.get_num_threads())
        return encode(*args, **kwargs)

    monkeypatch.setattr(real_embedder._model, "encode", recording)
    monkeypatch.setattr(embedder, "_cores_busy", lambda: True)
    real_embedder.encode(["someone left but still has access"])
    real_embedder.encode([f"question {n}" for n in range(embedder.SMALL_BATCH + 1)])
    monkeypatch.setattr(embedder, "_cores_busy", lambda: False)
    real_embedder.encode(["someone left but still has access"])
    assert seen == [1, threads, threads]
