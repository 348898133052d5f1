"""Evidence requests and submissions: plan periods, hand evidence in, review it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import ledger
from core.errors import DomainError
from core.evidence.periods import period_for
from core.evidence.reminders import DOMAIN as REMINDER_DOMAIN
from core.filenames import storable_name
from core.models import Blob, EvidenceRequest, OrgControl, Submission, utcnow
from core.reminders import service as reminders


class EvidenceError(DomainError):
    """Evidence cannot be taken as given; the message says what to do."""


@dataclass(frozen=True)
class FileUpload:
    """A file's bytes and name, already downloaded."""

    name: str
    content: bytes
    media_type: str = "application/octet-stream"


@dataclass
class SubmissionResult:
    """One submission per request it satisfied; duplicates recognised, not stored twice."""

    submissions: list[Submission]
    duplicates: list[EvidenceRequest]


def ensure_request(
    control: OrgControl, now: datetime, zone: ZoneInfo, *, db_session: Session
) -> EvidenceRequest:
    """The request for the control's current period, created once (unique per control and period)."""
    period = period_for(control.cadence, now, zone)
    found = db_session.scalars(
        select(EvidenceRequest).where(
            EvidenceRequest.control_id == control.id, EvidenceRequest.period == period.label
        )
    ).first()
    if found is not None:
        return found
    request = EvidenceRequest(
        control_id=control.id,
        period=period.label,
        period_start=period.start,
        due_at=period.due,
        status="open",
    )
    try:
        with db_session.begin_nested():
            db_session.add(request)
            db_session.flush()
    except IntegrityError:  # another worker created it first
        return db_session.scalars(
            select(EvidenceRequest).where(
                EvidenceRequest.control_id == control.id, EvidenceRequest.period == period.label
            )
        ).one()
    return request


def plan_requests(now: datetime, zone: ZoneInfo, *, db_session: Session) -> list[EvidenceRequest]:
    """Make sure every applicable control has a request for its current period."""
    controls = db_session.scalars(
        select(OrgControl).where(OrgControl.applicable.is_(True)).order_by(OrgControl.ref)
    )
    return [ensure_request(c, now, zone, db_session=db_session) for c in controls]


def control_by_ref(ref: str, *, db_session: Session) -> OrgControl | None:
    """The register control with this ref: as typed, else the one that matches ignoring case."""
    # ilike() would read % and _ in typed text as wildcards: `evidence % x` matched AC-01.
    typed = ref.strip()
    found = list(
        db_session.scalars(select(OrgControl).where(func.lower(OrgControl.ref) == typed.lower()))
    )
    exact = [c for c in found if c.ref == typed]
    # Imports refuse refs that differ only in case; a register from before that has both, and
    # typed text matching neither exactly names no single control.
    return exact[0] if exact else found[0] if len(found) == 1 else None


def controls_for(
    target: str, *, db_session: Session, equivalents: dict[str, list[str]] | None = None
) -> list[OrgControl]:
    """Org controls named by ref, or implementing a catalogue ID (directly or through the crosswalk)."""
    control = control_by_ref(target, db_session=db_session)
    if control is not None:
        return [control]
    wanted = {target, *(equivalents or {}).get(target, [])}
    return [
        c
        for c in db_session.scalars(select(OrgControl).order_by(OrgControl.ref))
        if c.applicable and wanted & set(c.requirements)
    ]


def _dedupe_key(text: str, link: str | None, upload: FileUpload | None) -> str:
    if upload is not None:
        return hashlib.sha256(upload.content).hexdigest()
    return hashlib.sha256(f"{text.strip()}\n{(link or '').strip()}".encode()).hexdigest()


def store_blob(upload: FileUpload, *, db_session: Session, max_bytes: int) -> str:
    """Store file content once under its SHA-256; refuse files over max_bytes."""
    if len(upload.content) > max_bytes:
        raise EvidenceError(
            f"{upload.name} is {len(upload.content):,} bytes; the limit is {max_bytes:,} bytes "
            "(EVIDENCE_MAX_BYTES). Share a link to it instead, or split it."
        )
    digest = hashlib.sha256(upload.content).hexdigest()
    # Insert-or-ignore: two people handing in the same bytes at once both get the one row
    # (a read-then-insert lost that race with a duplicate-key error).
    insert = pg_insert if db_session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db_session.execute(
        insert(Blob)
        .values(
            sha256=digest,
            size=len(upload.content),
            media_type=upload.media_type,
            content=upload.content,
            stored_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=[Blob.sha256])
    )
    return digest


@dataclass(frozen=True)
class _Evidence:
    """What is handed in, checked once and recorded the same way against every request."""

    submitted_by: str
    text: str
    link: str | None
    digest: str | None
    file_name: str | None
    effective: date
    dedupe_key: str
    surface: str


def _check_given(text: str, link: str | None, upload: FileUpload | None) -> None:
    if "\x00" in text or "\x00" in (link or ""):
        raise EvidenceError(
            "The evidence contains a NUL character (U+0000), which cannot be stored; "
            "remove it and send it again."
        )
    if not text and not link and upload is None:
        raise EvidenceError("The submission is empty: add a sentence, a link or a file.")


def _effective_date(effective: date | None, now: datetime, zone: ZoneInfo) -> date:
    today = now.astimezone(zone).date()
    effective = effective or today
    if effective > today:
        raise EvidenceError(
            f"The effective date {effective} is in the future; use the date the evidence shows."
        )
    return effective


def _open_request(
    control: OrgControl, now: datetime, zone: ZoneInfo, *, db_session: Session
) -> EvidenceRequest:
    request = ensure_request(control, now, zone, db_session=db_session)
    if request.status == "accepted":
        raise EvidenceError(
            f"Evidence for {control.ref} ({request.period}) is already accepted; nothing more is needed."
        )
    return request


def _already_has(request: EvidenceRequest, key: str, *, db_session: Session) -> bool:
    found = db_session.scalars(
        select(Submission.id).where(
            Submission.request_id == request.id, Submission.dedupe_key == key
        )
    ).first()
    return found is not None


def _record(
    control: OrgControl,
    request: EvidenceRequest,
    evidence: _Evidence,
    now: datetime,
    *,
    db_session: Session,
) -> Submission:
    """One submission against the request, which then waits for review (no more nudges)."""
    on_behalf = evidence.submitted_by not in {control.owner, control.owner_user_id}
    submission = Submission(
        request_id=request.id,
        submitted_by=evidence.submitted_by,
        on_behalf=on_behalf,
        text=evidence.text,
        link=evidence.link,
        file_sha256=evidence.digest,
        file_name=evidence.file_name,
        effective_date=evidence.effective,
        recorded_at=now,
        dedupe_key=evidence.dedupe_key,
        surface=evidence.surface,
    )
    db_session.add(submission)
    request.status = "submitted"
    request.next_nudge_at = None
    # No more reminders while it waits for review (a rejection re-opens them at the next tick).
    reminders.close_item(db_session=db_session, domain=REMINDER_DOMAIN, ref_id=request.id)
    db_session.flush()
    ledger.append(
        "evidence_submitted", _ledger_entry(submission, control, request), db_session=db_session
    )
    return submission


def _ledger_entry(
    submission: Submission, control: OrgControl, request: EvidenceRequest
) -> dict[str, object]:
    return {
        "submission": submission.id,
        "control": control.ref,
        "period": request.period,
        "by": submission.submitted_by,
        "on_behalf": submission.on_behalf,
        "text": submission.text,
        "link": submission.link,
        "file_sha256": submission.file_sha256,
        "file_name": submission.file_name,
        "effective_date": submission.effective_date.isoformat(),
    }


def submit(
    controls: list[OrgControl],
    *,
    db_session: Session,
    submitted_by: str,
    text: str = "",
    link: str | None = None,
    upload: FileUpload | None = None,
    effective: date | None = None,
    now: datetime | None = None,
    zone: ZoneInfo,
    max_bytes: int,
    surface: str = "slack",
) -> SubmissionResult:
    """Record evidence against each control's current request; the ledger gets one event per request."""
    text = (text or "").strip()
    _check_given(text, link, upload)
    if not controls:
        raise EvidenceError("Name the control this evidence is for.")
    now = now or utcnow()
    evidence = _Evidence(
        submitted_by=submitted_by,
        text=text,
        link=link,
        effective=_effective_date(effective, now, zone),
        digest=store_blob(upload, db_session=db_session, max_bytes=max_bytes) if upload else None,
        file_name=storable_name(upload.name) if upload else None,
        dedupe_key=_dedupe_key(text, link, upload),
        surface=surface,
    )
    result = SubmissionResult([], [])
    for control in controls:
        request = _open_request(control, now, zone, db_session=db_session)
        if _already_has(request, evidence.dedupe_key, db_session=db_session):
            result.duplicates.append(request)
        else:
            result.submissions.append(
                _record(control, request, evidence, now, db_session=db_session)
            )
    return result


def review(
    request_id: int, *, accept: bool, reviewer: str, comment: str | None, db_session: Session
) -> EvidenceRequest:
    """Accept or reject submitted evidence; a rejection reopens the request."""
    request = db_session.get(EvidenceRequest, request_id)
    if request is None:
        raise EvidenceError("That evidence request no longer exists.")
    if request.status != "submitted":
        raise EvidenceError(f"This request is {request.status}, not awaiting review.")
    if not accept and not (comment or "").strip():
        raise EvidenceError("Say why the evidence is rejected, so the owner knows what to bring.")
    control = db_session.get(OrgControl, request.control_id)
    request.status = "accepted" if accept else "rejected"
    request.reviewed_by = reviewer
    request.review_comment = (comment or "").strip() or None
    request.reviewed_at = utcnow()
    ledger.append(
        "evidence_accepted" if accept else "evidence_rejected",
        {
            "control": control.ref if control else None,
            "period": request.period,
            "by": reviewer,
            "comment": request.review_comment,
        },
        db_session=db_session,
    )
    return request
