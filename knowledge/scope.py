"""The organisation's SOC 2 scope in ranking: criteria of categories it does not report on step back."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from knowledge.schema import Entry

ALL_CATEGORIES = ("security", "availability", "confidentiality", "processing_integrity", "privacy")

# A question that speaks of a category's subject wants its criteria whatever the scope: privacy
# criteria answer questions about personal data even where privacy is not in the SOC 2 report.
_SUBJECT = {
    "privacy": re.compile(
        r"\bprivacy\b|\bpersonal (?:data|information|details|info)\b|\bpii\b|\bgdpr\b|\bccpa\b"
        r"|\bdata subjects?\b|\bsubject access\b|\bdsars?\b|\bconsent\b|\bright to be forgotten\b"
        r"|\berasure\b|\bopt(?:ed|s)?[- ]?(?:in|out)\b|\bcookies?\b|\bprivacy notice\b",
        re.I,
    ),
    "availability": re.compile(r"\bavailability\b|\buptime\b|\bsla\b|\bcapacity\b", re.I),
    "confidentiality": re.compile(r"\bconfidentiality\b|\bc1\.\d\b", re.I),
    "processing_integrity": re.compile(r"\bprocessing integrity\b|\bpi1\.\d\b", re.I),
}


def out_of_scope(entries: Sequence[Entry], categories: Sequence[str]) -> dict[str, np.ndarray]:
    """Per SOC 2 category outside the organisation's scope, a mask of its criteria."""
    chosen = set(categories)
    masks: dict[str, np.ndarray] = {}
    for category in ALL_CATEGORIES:
        if category in chosen:
            continue
        mask = np.asarray(
            [e.framework == "soc2" and e.category == category for e in entries], dtype=bool
        )
        if mask.any():
            masks[category] = mask
    return masks


def subjects(text: str) -> set[str]:
    """The SOC 2 categories whose subject the question speaks of (privacy for personal data)."""
    return {name for name, pattern in _SUBJECT.items() if pattern.search(text)}


def demote(
    combined: np.ndarray, masks: dict[str, np.ndarray], text: str, penalty: float
) -> np.ndarray:
    """combined with out-of-scope criteria lowered by penalty, unless the question is about them."""
    if not masks or penalty <= 0:
        return combined
    asked = subjects(text)
    out = combined.copy()
    for category, mask in masks.items():
        if category not in asked:
            out[mask] = np.maximum(out[mask] - penalty, 0.0)
    return out
