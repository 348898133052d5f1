"""Typo repair for questions: unknown words become their nearest catalogue word (rapidfuzz)."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge import ids

_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
_VOWEL = re.compile(r"[aeiouy]")
MIN_LENGTH = 5  # shorter words are too often an abbreviation or another word one letter away
# Endings that make an inflection of a known word (base, or base + "e": outsourcer, reviewing).
_ENDINGS = ("s", "es", "ed", "d", "ing", "er", "ers", "r", "ly")
_BRITISH = (("isation", "ization"), ("ise", "ize"), ("ising", "izing"), ("our", "or"))


def max_edits(word: str) -> int:
    """How many edits (insert, delete, substitute, swap) a word of this length may be off by."""
    return 1 if len(word) < 8 else 2


@lru_cache(maxsize=1)
def model_words() -> frozenset[str]:
    """Whole words the bundled model knows (its WordPiece vocabulary); empty without it."""
    from knowledge.embedder import ModelMissingError, bundled_model_path

    try:
        lines = (bundled_model_path() / "vocab.txt").read_text(encoding="utf-8").split()
    except (ModelMissingError, OSError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha())


_dictionary: frozenset[str] | None = None
_dictionary_lock = threading.Lock()


def dictionary_words() -> frozenset[str]:
    """pyspellchecker's English word list: a real word nobody wrote in the catalogue is no typo."""
    global _dictionary
    with _dictionary_lock:  # loaded once, whichever thread asks first
        if _dictionary is None:
            from spellchecker import SpellChecker

            counts = SpellChecker(language="en", distance=1).word_frequency.dictionary
            # Half the list sits at its floor count, where common misspellings live: leave it out.
            floor = min(counts.values(), default=0)
            _dictionary = frozenset(w for w, n in counts.items() if n > floor)
        return _dictionary


@dataclass(frozen=True)
class Correction:
    """One repaired word."""

    typed: str
    corrected: str


def _edit_kind(typed: str, candidate: str) -> int:
    # The commonest slips first: two letters swapped (lable/label), letters left out
    # (acess/access), a letter doubled or added (controll/control), then a wrong letter.
    if len(typed) == len(candidate):
        return 0 if sorted(typed) == sorted(candidate) else 3
    return 1 if len(candidate) > len(typed) else 2


class Speller:
    """Repairs misspelt words against a vocabulary; IDs, acronyms and real words stay as typed."""

    def __init__(self, texts: Iterable[str], *, english: bool = True) -> None:
        counts: Counter[str] = Counter()
        acronyms: set[str] = set()
        for text in texts:
            for word in _WORD.findall(text):
                counts[word.lower()] += 1
                if len(word) >= 2 and word.isupper():
                    acronyms.add(word.lower())
        self.counts = counts
        self.acronyms = frozenset(acronyms)
        self.model_words = model_words() if english else frozenset()
        self._english = english
        # Candidates by (length, first letter): a lookup scans a few short lists, not the vocabulary.
        self._by_shape: dict[tuple[int, str], list[str]] = {}
        for word in sorted(w for w in counts if len(w) >= MIN_LENGTH - 1):
            self._by_shape.setdefault((len(word), word[0]), []).append(word)
        self._cache: dict[str, str | None] = {}
        if english:  # the word list takes a moment: load it off the first question's path
            threading.Thread(target=dictionary_words, name="speller-words", daemon=True).start()

    def _known(self, word: str, *, dictionary: bool = True) -> bool:
        if word in self.counts or word in self.model_words:
            return True
        return dictionary and self._english and word in dictionary_words()

    def _real_word(self, word: str) -> bool:
        if self._known(word):
            return True
        for end in _ENDINGS:  # an inflection: macs, onboarded, outsourcer
            base = word[: -len(end)]
            if word.endswith(end) and len(base) >= 3 and not base.endswith("s"):
                if self._known(base) or self._known(base + "e"):
                    return True
        for british, american in _BRITISH:  # reorganising, colour
            if british in word and self._known(word.replace(british, american)):
                return True
        # Two words run together (helpdesk, testuser), each one the model knows, unless a
        # catalogue word is a single slip away: "interrested" is inter + rested by accident.
        return any(
            self._known(word[:i], dictionary=False) and self._known(word[i:], dictionary=False)
            for i in range(4, len(word) - 3)
        ) and not self._one_slip_from_the_catalogue(word)

    def _one_slip_from_the_catalogue(self, word: str) -> bool:
        nearest = self.nearest(word)
        return nearest is not None and OSA.distance(word, nearest) == 1

    def _protected(self, word: str) -> bool:
        lowered = word.lower()
        return (
            len(word) < MIN_LENGTH
            or lowered in self.acronyms
            or (len(word) >= 2 and word.isupper())  # MFA, SIEM: typed as an acronym
            or not _VOWEL.search(lowered)  # ntp, dlp, xdr
            or "'" in word
            or self._real_word(lowered)
        )

    def nearest(self, word: str) -> str | None:
        """The catalogue word nearest to word within its edit budget, or None."""
        lowered = word.lower()
        if lowered in self._cache:
            return self._cache[lowered]
        budget = max_edits(lowered)
        # Only words within the edit budget in length can be within it in edits; a slip almost
        # never hits the first letter unless it swaps the first two.
        starts = {lowered[0], lowered[1]}
        # The order of candidates does not matter: the choice below breaks every tie by the word.
        choices = [
            w
            for size in range(len(lowered) - budget, len(lowered) + budget + 1)
            for start in starts
            for w in self._by_shape.get((size, start), [])
        ]
        found = process.extract(
            lowered, choices, scorer=OSA.distance, score_cutoff=budget, limit=None
        )
        found = [m for m in found if m[0][0] == lowered[0] or m[0][:2] == lowered[1::-1]]
        best = min(
            found,
            key=lambda m: (m[1], _edit_kind(lowered, m[0]), -self.counts[m[0]], m[0]),
            default=None,
        )
        choice = best[0] if best else None
        if len(self._cache) < 10_000:
            self._cache[lowered] = choice
        return choice

    def correct(self, text: str) -> tuple[str, list[Correction]]:
        """text with misspelt words repaired, and what was changed."""
        guarded = ids.spans(text)
        pieces: list[str] = []
        changes: list[Correction] = []
        last = 0
        for match in _WORD.finditer(text):
            start, end = match.span()
            word = match.group(0)
            if any(a < end and start < b for a, b in guarded) or self._protected(word):
                continue
            fixed = self.nearest(word)
            if fixed is None:
                continue
            pieces += [text[last:start], fixed]
            last = end
            changes.append(Correction(word, fixed))
        pieces.append(text[last:])
        return "".join(pieces), changes
