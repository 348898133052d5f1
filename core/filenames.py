"""File names as they are stored: printable, and short enough for their column on every backend."""

from __future__ import annotations

import unicodedata

# Submission.file_name and Campaign.document_name are String(300); PostgreSQL enforces it.
MAX_NAME = 300
_MAX_SUFFIX = 16


def storable_name(name: str, limit: int = MAX_NAME) -> str:
    """name without control characters (NUL included), cut to limit keeping its extension."""
    clean = "".join(" " if unicodedata.category(c) == "Cc" else c for c in name)
    clean = " ".join(clean.split()) or "file"
    if len(clean) <= limit:
        return clean
    stem, dot, suffix = clean.rpartition(".")
    if not dot or not stem or len(suffix) > _MAX_SUFFIX:
        return clean[: limit - 1] + "…"
    return stem[: limit - len(suffix) - 2] + "…." + suffix
