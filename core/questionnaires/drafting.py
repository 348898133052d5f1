"""Drafting one answer: the library first, then the register and policies, else needs_review."""

from __future__ import annotations

import copy
import dataclasses
import string
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import EvidenceRequest, LibraryEntry, OrgControl
from core.questionnaires.asking import query_for, rerank
from core.questionnaires.model import Draft, Source, fold
from core.questionnaires.polarity import (
    answer_polarity,
    asks_about_event,
    closed,
    covers,
    limit_reuse,
    same_question,
)
from core.questionnaires.templates import background_sentence, control_sentence, policy_sentence
from knowledge.embedder import Embedder
from knowledge.schema import Entry
from knowledge.search import EmptyQueryError, Hit, Searcher, SearchResult

Progress = Callable[[int, int], None]
STANDARDS = ("iso27001", "soc2")


@dataclass(frozen=True)
class Thresholds:
    """Scores that decide each status (cosine for the library, fused search scores otherwise).

    Chosen by benchmarks/tune_questionnaire.py on the tune split of the benchmark questions only.
    """

    library: float = 0.8  # a library question this close is the same question: approved
    library_suggestion: float = 0.5  # this close, and nothing else drafts it: offered for review
    requirement: float = 0.5  # a catalogue entry this relevant leads to its register controls
    policy: float = 0.28  # an organisation policy this relevant is quoted
    margin: float = 0.12  # requirements within this of the best one count too
    nearest_library: float = 0.6  # shown as a nearest source of a needs_review row


@dataclass(frozen=True)
class LibraryAnswer:
    """An approved answer as drafting reads it."""

    id: int
    question: str
    answer: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class ControlFacts:
    """A register control and the date of its last accepted evidence."""

    ref: str
    title: str
    requirements: tuple[str, ...]
    cadence: str
    owner: str
    applicable: bool
    justification: str
    accepted: date | None


@dataclass(frozen=True)
class Knowledge:
    """The organisation's records drafting reads: the library and the register."""

    library: tuple[LibraryAnswer, ...]
    controls: tuple[ControlFacts, ...]


def gather(*, db_session: Session, zone: ZoneInfo) -> Knowledge:
    """Read the library and the register with each control's last accepted evidence (read only)."""
    library = tuple(
        LibraryAnswer(e.id, e.question, e.answer, Source.parse_all(e.sources))
        for e in db_session.scalars(select(LibraryEntry).order_by(LibraryEntry.id))
    )
    accepted = dict(
        db_session.execute(
            select(EvidenceRequest.control_id, func.max(EvidenceRequest.reviewed_at))
            .where(EvidenceRequest.status == "accepted")
            .group_by(EvidenceRequest.control_id)
        ).all()
    )
    controls = tuple(
        ControlFacts(
            c.ref,
            c.title,
            tuple(c.requirements),
            c.cadence,
            c.owner_role
            or c.owner,  # the role when the register gives one: answers leave the company
            c.applicable,
            c.justification,
            _local_date(accepted.get(c.id), zone),
        )
        for c in db_session.scalars(select(OrgControl).order_by(OrgControl.ref))
    )
    return Knowledge(library, controls)


def _local_date(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return moment.astimezone(zone).date() if moment is not None else None


_library_cache: dict[tuple[str, str], np.ndarray] = {}
_cache_lock = threading.Lock()
CHUNK = 64  # questions embedded per model call: few calls, and the progress bar still moves


def embed(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Unit vectors for library questions, remembered per model so a re-run embeds only new ones."""
    with _cache_lock:
        missing = [t for t in dict.fromkeys(texts) if (embedder.name, t) not in _library_cache]
    if missing:
        fresh = embedder.encode(list(missing))
        with _cache_lock:
            for text, vector in zip(missing, fresh, strict=True):
                _library_cache[(embedder.name, text)] = vector
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    with _cache_lock:
        return np.stack([_library_cache[(embedder.name, t)] for t in texts])


class Remembered:
    """An embedder that encodes, in one call, only the texts this file has not embedded yet."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.vectors: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors for texts; a text already seen is not embedded again."""
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.inner.encode(missing), strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts])


def own_choice(question: str, policy: Hit | None, controls: list[ControlFacts]) -> str | None:
    """Yes only from the organisation's own records: its policy on that subject, or a control with accepted evidence."""
    if controls and not any(c.applicable for c in controls):
        return "N/A"  # the register excludes it: a Yes would contradict it
    if any(c.applicable and c.accepted is not None for c in controls):
        return "Yes"
    if policy is not None and policy.via != "cites":
        entry = policy.entry
        about = " ".join([entry.title, entry.summary, entry.guidance, *entry.keywords])
        # A policy is broad: half the question's subject must be in it, not a third.
        return "Yes" if covers(question, about, share=0.5) else None
    return None  # catalogue background, or controls not yet shown to operate


def _empty(question: str) -> bool:
    # The same test as Searcher.search: such a question raises EmptyQueryError there.
    return not " ".join(question.split()).strip(string.punctuation + " ")


class Drafter:
    """Drafts answers from one snapshot of the library, the register and the searcher's catalogue."""

    def __init__(
        self, searcher: Searcher, knowledge: Knowledge, thresholds: Thresholds | None = None
    ) -> None:
        self.embedder = Remembered(searcher.embedder)
        # The searcher's indexes, shared; its query vectors come from this file's batches.
        self.searcher = copy.copy(searcher)
        self.searcher.embedder = self.embedder
        self.catalogue = searcher.catalogue
        self.limits = thresholds or Thresholds()
        self.library = knowledge.library
        self._exact = {fold(a.question): a for a in self.library}
        self._library_vectors = embed(searcher.embedder, [a.question for a in self.library])
        self._policies_citing: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.catalogue.by_framework("org"):
            for cited in entry.cites:
                self._policies_citing[cited].append(entry)
        self._implementing: dict[str, list[ControlFacts]] = defaultdict(list)
        for control in knowledge.controls:
            for requirement in control.requirements:
                self._implementing[requirement].append(control)

    def draft_all(
        self,
        questions: Sequence[str],
        progress: Progress | None = None,
        sections: Sequence[str] = (),
    ) -> list[Draft]:
        """A draft per question (with its section heading as context); a question asked twice is drafted once."""
        first: dict[str, str] = {}
        context: dict[str, str] = {}
        for n, q in enumerate(questions):
            first.setdefault(fold(q), q)
            context.setdefault(fold(q), sections[n] if n < len(sections) else "")
        distinct = list(first.values())  # in order of first appearance
        drafts: dict[str, Draft] = {}
        out: list[Draft] = []
        for done, question in enumerate(questions, start=1):
            key = fold(question)
            if key not in drafts:  # the first question not drafted yet: draft the next chunk
                chunk = distinct[len(drafts) : len(drafts) + CHUNK]
                contexts = [context[fold(q)] for q in chunk]
                drafts.update(zip(map(fold, chunk), self.draft_many(chunk, contexts), strict=True))
            out.append(drafts[key])
            if progress is not None:
                progress(done, len(questions))
        return limit_reuse(questions, out)

    def draft(self, question: str) -> Draft:
        """One question: library match, else organisation content, else needs_review."""
        return self.draft_many([question])[0]

    def draft_many(self, questions: Sequence[str], sections: Sequence[str] = ()) -> list[Draft]:
        """Distinct questions drafted with one embedding call for the library and one for search."""
        drafts: dict[int, Draft] = {}
        nearest = self._nearest(questions)
        composed: list[int] = []
        for i, (question, near) in enumerate(zip(questions, nearest, strict=True)):
            exact = self._exact.get(fold(question))
            if exact is not None:
                drafts[i] = self._from_library(exact, 1.0, question)
            elif (
                near is not None
                and near[1] >= self.limits.library
                and same_question(question, near[0].question, near[0].answer)
            ):
                drafts[i] = self._from_library(*near, question)
            else:
                composed.append(i)
        section = [sections[i] if i < len(sections) else "" for i in range(len(questions))]
        results = self._search([query_for(questions[i], section[i]) for i in composed])
        for i, result in zip(composed, results, strict=True):
            drafts[i] = self._compose(questions[i], section[i], result, nearest[i])
        return [drafts[i] for i in range(len(questions))]

    def _nearest(self, questions: Sequence[str]) -> list[tuple[LibraryAnswer, float] | None]:
        """Each question's closest library question and its cosine (None with an empty library)."""
        if not self.library:
            return [None] * len(questions)
        scores = self.embedder.encode(list(questions)) @ self._library_vectors.T
        best = np.argmax(scores, axis=1)
        return [(self.library[b], float(row[b])) for row, b in zip(scores, best, strict=True)]

    def _search(self, questions: list[str]) -> list[SearchResult | None]:
        """search() for each question (None when it has no words), embedded in one call."""
        asked = [q for q in questions if not _empty(q)]
        try:
            found = iter(self.searcher.search_many(asked, k=15))
        except EmptyQueryError:  # the searcher's idea of empty changed: one at a time
            return [self._search_one(q) for q in questions]
        return [None if _empty(q) else next(found) for q in questions]

    def _search_one(self, question: str) -> SearchResult | None:
        try:
            return self.searcher.search(question, k=15)
        except EmptyQueryError:
            return None

    @staticmethod
    def _from_library(answer: LibraryAnswer, score: float, question: str) -> Draft:
        sources = (Source(f"LIB-{answer.id}", "library"), *answer.sources)
        choice = answer_polarity(answer.answer) if closed(question) else None
        return Draft(answer.answer, "approved", min(1.0, score), sources, answer.id, choice)

    def _compose(
        self,
        question: str,
        section: str,
        result: SearchResult | None,
        nearest: tuple[LibraryAnswer, float] | None,
    ) -> Draft:
        if result is None:
            return Draft("", "needs_review", 0.0)
        hits = rerank(result.hits, question, section) if result.in_scope else []
        if asks_about_event(question):
            # Only the organisation can say whether it happened; its library does not say.
            return self._needs_review(hits, nearest)
        requirements = self._requirements(hits)
        policy = self._policy(hits, requirements)
        controls = self._controls([entry for entry, _ in requirements])
        if policy is None and not controls:
            near = nearest
            if near is not None and near[1] >= self.limits.library_suggestion:
                if same_question(question, near[0].question, near[0].answer):
                    # A near library answer beats nothing, but a person has to confirm it fits.
                    suggestion = self._from_library(*near, question)
                    return dataclasses.replace(suggestion, status="suggested", library_id=None)
            return self._needs_review(hits or result.hits, nearest)
        sentences = [policy_sentence(policy.entry)] if policy else []
        sources = [Source(policy.entry.id, "policy")] if policy else []
        for control in controls:
            sentences.append(
                control_sentence(
                    control.ref,
                    control.title,
                    control.cadence,
                    control.owner,
                    applicable=control.applicable,
                    justification=control.justification,
                    accepted=control.accepted,
                )
            )
            sources.append(Source(control.ref, "control"))
        background = [entry for entry, _ in requirements[:2]]
        if background:
            sentences.append(background_sentence(background))
            sources.extend(Source(e.id, "catalogue") for e in background)
        scores = [policy.score] if policy else []
        scores += [score for _, score in requirements[:1]]
        choice = own_choice(question, policy, controls) if closed(question) else None
        confidence = min(1.0, max(scores))
        return Draft(" ".join(sentences), "suggested", confidence, tuple(sources), choice=choice)

    def _policy(self, hits: list[Hit], requirements: list[tuple[Entry, float]]) -> Hit | None:
        """The best-matching policy, or else the policy citing the best-matching requirement."""
        direct = next((h for h in hits if h.entry.framework == "org"), None)
        if direct is not None and direct.score >= self.limits.policy:
            return direct
        for entry, score in requirements:
            for policy in self._policies_citing.get(entry.id, []):
                return Hit(policy, score * 0.9, via="cites")
        return None

    def _requirements(self, hits: list[Hit]) -> list[tuple[Entry, float]]:
        """Best-matching standard requirements, topics standing in for the clauses they cite."""
        found: dict[str, tuple[Entry, float]] = {}
        for hit in hits:
            if hit.entry.framework in STANDARDS:
                candidates = [(hit.entry, hit.score)]
            elif hit.entry.framework == "topic":
                cited = [self.catalogue.entries.get(c) for c in hit.entry.cites]
                candidates = [(e, hit.score * 0.95) for e in cited if e is not None]
            else:
                continue
            for entry, score in candidates:
                if entry.id not in found or found[entry.id][1] < score:
                    found[entry.id] = (entry, score)
        ranked = sorted(found.values(), key=lambda pair: -pair[1])
        if not ranked or ranked[0][1] < self.limits.requirement:
            return []
        floor = max(self.limits.requirement, ranked[0][1] - self.limits.margin)
        return [pair for pair in ranked if pair[1] >= floor][:4]

    def _controls(self, requirements: list[Entry]) -> list[ControlFacts]:
        out: list[ControlFacts] = []
        for entry in requirements:
            wanted = [entry.id] + [
                link.target
                for link in self.catalogue.crosswalk(entry.id)
                if link.strength == "equivalent"
            ]
            for requirement in wanted:
                for control in self._implementing.get(requirement, []):
                    if control not in out:
                        out.append(control)
        return out[:3]

    def _needs_review(self, hits: list[Hit], nearest: tuple[LibraryAnswer, float] | None) -> Draft:
        sources: list[Source] = []
        if nearest is not None and nearest[1] >= self.limits.nearest_library:
            sources.append(Source(f"LIB-{nearest[0].id}", "library"))
        for hit in hits[:3]:
            kind = "policy" if hit.entry.framework == "org" else "catalogue"
            sources.append(Source(hit.entry.id, kind))
        confidence = max([h.score for h in hits[:1]] + [nearest[1] if nearest else 0.0])
        return Draft("", "needs_review", max(0.0, min(1.0, confidence)), tuple(sources))
