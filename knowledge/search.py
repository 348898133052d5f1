"""Hybrid retrieval: exact and fuzzy ID resolution first, then dense search fused with BM25."""

from __future__ import annotations

import re
import string
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge import fusion, ids, scope
from knowledge.catalogue import Catalogue
from knowledge.embedder import Embedder
from knowledge.index import DenseIndex, build
from knowledge.lexical import FieldedBM25, tokenize
from knowledge.schema import Entry, LegacyId
from knowledge.security_terms import mentions_security
from knowledge.spelling import Speller

MAX_QUERY_CHARS = 1000
_SOC2_WORDS = re.compile(r"\bsoc\s*-?\s*(?:2|ii|two)\b|\btrust services?\b|\btsc\b|\baicpa\b", re.I)
_ISO_WORDS = re.compile(r"\biso\b|\b27001\b|\bannex\s*a\b|\bisms\b", re.I)
_FRAMEWORK_NAMES = re.compile(
    r"\bsoc\s*-?\s*(?:2|ii|two)\b|\biso(?:/iec)?\s*(?:27001)?(?::?20(?:13|22))?\b|\b27001\b", re.I
)
_CROSSWALK_WORDS = re.compile(
    r"equivalent|counterpart|\bmap(?:s|ping|ped)?\b|\bmatch(?:es)?\b|lines? up|correspond|\bterms\b|version of",
    re.I,
)


class EmptyQueryError(ValueError):
    """The question has no words to search for."""


@dataclass(frozen=True)
class Hit:
    """One ranked entry with its scores."""

    entry: Entry
    score: float
    dense: float = 0.0
    lexical: float = 0.0
    via: str = "search"  # "id" when named, "legacy" through a 2013 ID, "crosswalk" as a counterpart
    legacy: LegacyId | None = None


@dataclass(frozen=True)
class Scored:
    """Per-entry scores for one question, in catalogue order."""

    combined: np.ndarray
    dense: np.ndarray
    raw_lexical: np.ndarray
    corrected: str | None
    evidence: fusion.Evidence | None = None  # hybrid only: how close the question is to us


@dataclass
class SearchResult:
    """What a search found, and how the question was read."""

    query: str
    hits: list[Hit]
    framework: str | None
    truncated: bool = False
    named_ids: list[str] = field(default_factory=list)
    in_scope: bool = True  # False: not about security, privacy, compliance or audits
    corrected: str | None = None  # the question after typo repair, when anything changed
    policy: Hit | None = None  # the organisation's best-matching policy, wherever it ranked

    @property
    def confidence(self) -> float:
        """Score of the best hit (1.0 when the question named an ID)."""
        return self.hits[0].score if self.hits else 0.0


@dataclass(frozen=True)
class _Reading:
    """One question as read before ranking."""

    query: str
    text: str  # whitespace-normalised and bounded
    truncated: bool
    mentioned: str | None  # the framework the text names, if one
    named: list[Hit]  # entries the text names by ID
    rank_text: str  # what the ranking sees


def framework_in(text: str) -> str | None:
    """The one framework a question names, or None when it names none or both."""
    soc, iso = bool(_SOC2_WORDS.search(text)), bool(_ISO_WORDS.search(text))
    if soc and not iso:
        return "soc2"
    if iso and not soc:
        return "iso27001"
    return None


class Searcher:
    """Searches one catalogue with one embedder; build once, query many times."""

    def __init__(
        self,
        catalogue: Catalogue,
        embedder: Embedder,
        index_dir: Path | None = None,
        *,
        force_rebuild: bool = False,
        progress: Callable[[int, int], None] | None = None,
        soc2_categories: Sequence[str] | None = None,
    ) -> None:
        """soc2_categories: the organisation's SOC 2 scope (None: every category is in scope)."""
        self.catalogue = catalogue
        self.embedder = embedder
        self.entries = list(catalogue.entries.values())
        self._positions = {e.id: i for i, e in enumerate(self.entries)}
        self.dense: DenseIndex = build(
            self.entries, embedder, index_dir, force=force_rebuild, progress=progress
        )
        self._row_entry = fusion.entry_rows(self.dense.rows, self._positions)
        self._text_rows = np.asarray([kind == "text" for kind in self.dense.kinds], dtype=bool)
        self._parents = fusion.parents_of(self.entries)
        self._org = np.flatnonzero([e.framework == "org" for e in self.entries])
        self.lexical = FieldedBM25([self._lexical_fields(e) for e in self.entries])
        self.speller = Speller(t for e in self.entries for t in self._lexical_fields(e).values())
        self.tuning = fusion.TUNING
        self._out_of_scope = scope.out_of_scope(
            self.entries, soc2_categories or scope.ALL_CATEGORIES
        )

    @staticmethod
    def _lexical_fields(entry: Entry) -> dict[str, str]:
        return {
            "head": f"{entry.title} {' '.join(entry.keywords)}",
            "questions": " ".join(entry.questions),
            "body": f"{entry.summary} {entry.guidance} {' '.join(entry.evidence)}",
        }

    def resolve_ids(self, text: str) -> list[Hit]:
        """Entries the text names by ID (2013 IDs become their 2022 successors)."""
        hits: list[Hit] = []
        seen: set[str] = set()
        for group in ids.groups(text):
            for cid in group:
                entry = self.catalogue.entries.get(cid)
                if entry is not None:
                    if cid not in seen:
                        hits.append(Hit(entry, 1.0, via="id"))
                        seen.add(cid)
                    break
                row = self.catalogue.legacy.get(cid)
                if row is not None:
                    for successor in row.successors:
                        if successor not in seen and successor in self.catalogue.entries:
                            entry = self.catalogue.entries[successor]
                            hits.append(Hit(entry, 1.0, via="legacy", legacy=row))
                            seen.add(successor)
                    break
        return hits

    def _crosswalk_hits(self, named: Hit) -> list[Hit]:
        """The named entry's counterparts in the other framework, strongest first."""
        out = []
        for i, link in enumerate(self.catalogue.crosswalk(named.entry.id)[:3]):
            entry = self.catalogue.entries.get(link.target)
            if entry is not None:
                out.append(Hit(entry, 0.9 - 0.01 * i, via="crosswalk"))
        return out

    def score(self, text: str, *, mode: str = "hybrid", vector: np.ndarray | None = None) -> Scored:
        """Every entry's dense, lexical and fused scores for text (typos repaired first).

        vector, when given, is the embedding of the repaired text (search_many embeds in one batch).
        """
        corrected, changes = self.speller.correct(text)
        n = len(self.entries)
        dense = np.zeros(n, dtype=np.float32)
        rows = np.zeros(0, dtype=np.float32)
        if mode in {"hybrid", "dense"}:
            if vector is None:
                vector = self.embedder.encode([corrected])[0]
            rows = self.dense.row_scores(vector)
            dense = fusion.best_per_entry(rows, self._row_entry, n)
        raw = np.zeros(n, dtype=np.float32)
        if mode in {"hybrid", "lexical"}:
            raw = self.lexical.scores(tokenize(corrected), dict(self.tuning.field_weights))
        found = None
        if mode == "dense":
            combined = dense
        elif mode == "lexical":
            combined = raw / (raw + self.tuning.lexical_saturation)
        else:
            combined = fusion.blend(dense, raw, self.tuning)
            found = fusion.evidence(rows, self._text_rows, raw, self.tuning)
        combined = fusion.cap_parents(combined, self._parents, self.tuning)
        # Criteria the organisation does not report on step back, unless asked about their subject.
        combined = scope.demote(
            combined, self._out_of_scope, text, self.tuning.out_of_scope_penalty
        )
        return Scored(combined, dense, raw, corrected if changes else None, found)

    def rank(self, text: str, *, mode: str = "hybrid") -> list[Hit]:
        """Every entry scored for text, best first: mode is hybrid, dense or lexical."""
        return self._hits(self.score(text, mode=mode))

    def _hits(self, scored: Scored) -> list[Hit]:
        return list(self._ordered(scored))

    def _ordered(self, scored: Scored) -> Iterator[Hit]:
        # Lazily: a search takes its few hits from the top, not a Hit for every entry.
        for i in np.argsort(-scored.combined, kind="stable"):
            yield self._hit(scored, int(i))

    def _hit(self, scored: Scored, i: int) -> Hit:
        raw = float(scored.raw_lexical[i])
        lexical = raw / (raw + self.tuning.lexical_saturation)
        return Hit(self.entries[i], float(scored.combined[i]), float(scored.dense[i]), lexical)

    def _best_policy(self, scored: Scored, filter_fw: str | None, fw: str | None) -> Hit | None:
        """The organisation's best-scoring policy or control (the answer may lead with it)."""
        if not self._org.size:
            return None
        i = int(self._org[np.argmax(scored.combined[self._org])])
        return self._hit(scored, i) if self._allowed(self.entries[i], filter_fw, fw) else None

    def _touches(self, entry: Entry, framework: str) -> bool:
        if entry.framework != "topic":
            return True
        cited = (self.catalogue.entries.get(c) for c in entry.cites)
        return any(e is not None and e.framework == framework for e in cited)

    def is_in_scope(self, scored: Scored) -> bool:
        """Whether the question is about what the catalogue covers (see fusion.in_scope)."""
        return scored.evidence is None or fusion.in_scope(scored.evidence, self.tuning)

    def _read(self, query: str, mode: str) -> _Reading:
        """The question bounded, its named IDs and framework, and the text to rank."""
        text = " ".join(query.split())
        if not text.strip(string.punctuation + " "):
            raise EmptyQueryError("the question is empty: type a few words or a control ID")
        truncated = len(text) > MAX_QUERY_CHARS
        text = text[:MAX_QUERY_CHARS]
        mentioned = framework_in(text)
        named = self.resolve_ids(text) if mode == "hybrid" else []
        # The framework is handled by the filter; its name in the text only pulls in generic topics.
        rank_text = _FRAMEWORK_NAMES.sub(" ", text) if mentioned else text
        if mentioned and len(tokenize(rank_text)) < 2:  # "what is iso 27001?": it is the subject
            rank_text = text
        return _Reading(query, text, truncated, mentioned, named, rank_text)

    def search(
        self, query: str, *, k: int = 5, framework: str | None = None, mode: str = "hybrid"
    ) -> SearchResult:
        """Answer-ready hits for a question: named IDs first, then the fused ranking."""
        reading = self._read(query, mode)
        return self._result(reading, self.score(reading.rank_text, mode=mode), k, framework)

    def search_many(
        self,
        queries: list[str],
        *,
        k: int = 5,
        framework: str | None = None,
        mode: str = "hybrid",
    ) -> list[SearchResult]:
        """search() for each query, in order, with one batched embedding call for all of them."""
        readings = [self._read(q, mode) for q in queries]
        vectors: list[np.ndarray | None] = [None] * len(readings)
        if readings and mode in {"hybrid", "dense"}:
            repaired = [self.speller.correct(r.rank_text)[0] for r in readings]
            vectors = list(self.embedder.encode(repaired))
        return [
            self._result(r, self.score(r.rank_text, mode=mode, vector=v), k, framework)
            for r, v in zip(readings, vectors, strict=True)
        ]

    def _named_hits(self, reading: _Reading) -> list[Hit]:
        """The entries the question names, and their counterparts when it asks for those."""
        named, mentioned = reading.named, reading.mentioned
        hits = list(named)
        if named and (
            _CROSSWALK_WORDS.search(reading.text)
            or (mentioned and mentioned != named[0].entry.framework)
        ):
            hits += self._crosswalk_hits(named[0])
        return hits

    def _allowed(self, entry: Entry, filter_fw: str | None, framework: str | None) -> bool:
        """Whether an entry may be shown under the framework filter."""
        if not filter_fw:
            return True
        # A named framework narrows results; explanatory topics stay unless asked strictly.
        strict = framework is not None or entry.framework not in {"topic", "org"}
        if entry.framework != filter_fw and strict:
            return False
        return self._touches(entry, filter_fw)  # not a topic about the other framework only

    def _result(
        self, reading: _Reading, scored: Scored, k: int, framework: str | None
    ) -> SearchResult:
        """Named entries first, then the ranking's best allowed entries, up to k."""
        filter_fw = framework or reading.mentioned
        hits = self._named_hits(reading)
        taken = {h.entry.id for h in hits}
        for hit in self._ordered(scored):
            if len(hits) >= k:
                break
            if hit.entry.id not in taken and self._allowed(hit.entry, filter_fw, framework):
                hits.append(hit)
                taken.add(hit.entry.id)
        named = reading.named
        return SearchResult(
            query=reading.query,
            hits=hits[: max(k, len(named))],
            framework=filter_fw,
            truncated=reading.truncated,
            named_ids=[h.entry.id for h in named],
            # Naming a control or a framework is about compliance, however the rest reads; so is
            # a term only security uses, however far the model puts the question from the catalogue.
            in_scope=bool(named or reading.mentioned)
            or self.is_in_scope(scored)
            or mentions_security(reading.text),
            corrected=scored.corrected,
            policy=self._best_policy(scored, filter_fw, framework),
        )


def timed(fn: Callable[[], SearchResult]) -> tuple[SearchResult, float]:
    """Run a search and return it with its wall time in milliseconds."""
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000
