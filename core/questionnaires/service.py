"""Questionnaire services: answer a file, keep its drafts for review, approve a reviewed answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import QuestionnaireItem, QuestionnaireRun, utcnow
from core.questionnaires import library
from core.questionnaires.drafting import Drafter, Progress, Thresholds, gather
from core.questionnaires.model import AnsweredRow, QuestionnaireError, Source, fold
from core.questionnaires.sheets import Questionnaire, open_questionnaire
from knowledge.search import Searcher

REVIEWED = ("suggested", "needs_review")


@dataclass
class AnsweredFile:
    """A questionnaire with every question drafted, and the answered file's bytes."""

    questionnaire: Questionnaire
    rows: list[AnsweredRow]
    content: bytes

    def counts(self) -> dict[str, int]:
        """How many rows have each status."""
        out = {"approved": 0, "suggested": 0, "needs_review": 0}
        for row in self.rows:
            out[row.draft.status] += 1
        return out

    @property
    def out_name(self) -> str:
        """The answered file's name: `<stem>-answered.<ext>`."""
        stem, dot, ext = self.questionnaire.name.rpartition(".")
        return f"{stem or ext}-answered.{ext if dot else self.questionnaire.format}"


def answer_questionnaire(
    name: str,
    content: bytes,
    *,
    db_session: Session,
    searcher: Searcher,
    zone: ZoneInfo,
    column: str | None = None,
    sheets: Sequence[str] = (),
    progress: Progress | None = None,
    thresholds: Thresholds | None = None,
) -> AnsweredFile:
    """Open a .csv/.xlsx questionnaire, draft every question, and write the answered file (no writes to the database)."""
    questionnaire = open_questionnaire(name, content, column=column, sheets=sheets)
    drafter = Drafter(searcher, gather(db_session=db_session, zone=zone), thresholds)
    entries = list(questionnaire.entries())
    drafts = drafter.draft_all(
        [q.text for _, q in entries], progress, [q.section for _, q in entries]
    )
    rows = [
        AnsweredRow(q.row, q.text, draft, sheet=each.title, id=q.id, section=q.section)
        for (each, q), draft in zip(entries, drafts, strict=True)
    ]
    return AnsweredFile(questionnaire, rows, questionnaire.write(rows))


def record_review(
    answered: AnsweredFile,
    *,
    db_session: Session,
    requested_by: str,
    channel: str | None,
    thread_ts: str | None,
) -> list[QuestionnaireItem]:
    """Keep the suggested and needs_review rows so the security team can approve them later."""
    run = QuestionnaireRun(
        requested_by=requested_by,
        file_name=answered.questionnaire.name[:300],
        channel=channel,
        thread_ts=thread_ts,
    )
    db_session.add(run)
    db_session.flush()
    items = []
    seen: set[str] = set()
    for row in answered.rows:
        key = fold(row.question)
        if row.draft.status not in REVIEWED or key in seen:
            continue  # a repeated question is reviewed once; its approval covers every row
        seen.add(key)
        item = QuestionnaireItem(
            run_id=run.id,
            row=row.row,
            question=row.question,
            answer=row.draft.answer,
            status=row.draft.status,
            confidence=row.draft.confidence,
            sources=[s.as_json() for s in row.draft.sources],
        )
        db_session.add(item)
        items.append(item)
    db_session.flush()
    return items


def review_item(item_id: int, *, db_session: Session) -> QuestionnaireItem:
    """One row awaiting review, or a clear error when it is gone or already approved."""
    item = db_session.get(QuestionnaireItem, item_id)
    if item is None:
        raise QuestionnaireError("That questionnaire row no longer exists.")
    if item.approved_at is not None:
        raise QuestionnaireError(
            f"Row {item.row} was already approved by <@{item.approved_by}>; it is in the library."
        )
    return item


def run_of(item: QuestionnaireItem, *, db_session: Session) -> QuestionnaireRun:
    """The questionnaire a row belongs to."""
    run = db_session.get(QuestionnaireRun, item.run_id)
    if run is None:
        raise QuestionnaireError("That questionnaire no longer exists.")
    return run


def approve_item(
    item_id: int, *, db_session: Session, actor: str, answer: str | None = None
) -> QuestionnaireItem:
    """Approve a reviewed row (as drafted, or with the reviewer's text): it enters the library."""
    item = review_item(item_id, db_session=db_session)
    text = (answer if answer is not None else item.answer).strip()
    if not text:
        raise QuestionnaireError(
            f"Row {item.row} has no drafted answer to approve: use Edit and approve to write one."
        )
    sources = [s for s in Source.parse_all(item.sources) if s.kind != "library"]
    entry, _ = library.approve(
        item.question, text, sources, db_session=db_session, actor=actor, via="slack"
    )
    item.answer, item.approved_by, item.approved_at = text, actor, utcnow()
    item.library_entry_id = entry.id
    return item


def pending(run_id: int, *, db_session: Session) -> list[QuestionnaireItem]:
    """A run's rows still awaiting approval, in row order."""
    return list(
        db_session.scalars(
            select(QuestionnaireItem)
            .where(QuestionnaireItem.run_id == run_id, QuestionnaireItem.approved_at.is_(None))
            .order_by(QuestionnaireItem.row)
        )
    )
