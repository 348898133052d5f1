"""What an auditor export covers: the framework's controls and what was recorded in the range."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.models import (
    Campaign,
    CampaignRecipient,
    EvidenceRequest,
    LedgerRecord,
    OrgControl,
    Question,
    Submission,
)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Requirement:
    """A catalogue ID with its title and framework, as the export needs it."""

    id: str
    title: str
    framework: str


@dataclass(frozen=True)
class ExportRecords:
    """The rows one export shows: in-scope controls and requests, and the range's activity."""

    in_scope: set[str]  # the requirement IDs of the chosen framework (all of them without one)
    controls: list[OrgControl]
    requests: list[EvidenceRequest]
    submissions: list[Submission]
    acks: list[tuple[Campaign, CampaignRecipient]]
    failed_quizzes: Counter[tuple[int, str]]  # (campaign ID, user ID) -> failed attempts
    questions: list[Question]

    @property
    def empty(self) -> bool:
        """Nothing was handed in, acknowledged or asked in the range."""
        return not self.submissions and not self.acks and not self.questions


def iso(value: datetime | None) -> str:
    """An instant as the CSVs and the manifest write it; empty when there is none."""
    return value.isoformat() if value else ""


def _in_range(value: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    return value is not None and (start is None or value >= start) and (end is None or value <= end)


def select_records(
    *,
    db_session: Session,
    requirements: dict[str, Requirement],
    start: datetime | None,
    end: datetime | None,
    framework: str | None,
    progress: Progress,
) -> ExportRecords:
    """The controls and requests of the framework, then what was recorded between start and end."""
    in_scope = {rid for rid, r in requirements.items() if framework in (None, r.framework)}
    controls = _controls(db_session, in_scope, framework)
    requests = _requests(db_session, {c.id for c in controls})
    progress("evidence")
    return ExportRecords(
        in_scope=in_scope,
        controls=controls,
        requests=requests,
        submissions=_submissions(db_session, {r.id for r in requests}, start, end),
        acks=_acknowledgements(db_session, start, end),
        failed_quizzes=_failed_quizzes(db_session),
        questions=_questions(db_session, start, end),
    )


def _controls(db_session: Session, in_scope: set[str], framework: str | None) -> list[OrgControl]:
    controls = db_session.scalars(select(OrgControl).order_by(OrgControl.ref))
    return [c for c in controls if framework is None or in_scope & set(c.requirements)]


def _requests(db_session: Session, control_ids: set[int]) -> list[EvidenceRequest]:
    requests = db_session.scalars(select(EvidenceRequest).order_by(EvidenceRequest.due_at))
    return [r for r in requests if r.control_id in control_ids]


def _submissions(
    db_session: Session, request_ids: set[int], start: datetime | None, end: datetime | None
) -> list[Submission]:
    submissions = db_session.scalars(
        select(Submission).order_by(Submission.recorded_at, Submission.id)
    )
    return [
        s
        for s in submissions
        if s.request_id in request_ids and _in_range(s.recorded_at, start, end)
    ]


def _acknowledgements(
    db_session: Session, start: datetime | None, end: datetime | None
) -> list[tuple[Campaign, CampaignRecipient]]:
    rows = db_session.execute(
        select(Campaign, CampaignRecipient)
        .join(CampaignRecipient, CampaignRecipient.campaign_id == Campaign.id)
        .order_by(CampaignRecipient.acknowledged_at)
    )
    return [(c, r) for c, r in rows if _in_range(r.acknowledged_at, start, end)]


def _failed_quizzes(db_session: Session) -> Counter[tuple[int, str]]:
    # Failed attempts are only in the ledger: a recipient row keeps only the passing score.
    failed: Counter[tuple[int, str]] = Counter()
    for payload in db_session.scalars(
        select(LedgerRecord.payload).where(LedgerRecord.kind == ledger.QUIZ_FAILED)
    ):
        attempt = json.loads(payload)
        failed[(attempt["campaign"], attempt["user"])] += 1
    return failed


def _questions(db_session: Session, start: datetime | None, end: datetime | None) -> list[Question]:
    questions = db_session.scalars(select(Question).order_by(Question.asked_at))
    return [q for q in questions if _in_range(q.asked_at, start, end)]
