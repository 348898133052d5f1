"""Handing evidence in: which controls a message names, which to suggest, and recording it.

Every function takes the caller's `db_session=`, commits nothing and returns plain data, so a
surface can close its unit of work before it talks to Slack.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.evidence.service import EvidenceError, FileUpload, controls_for, submit
from core.models import EvidenceRequest, OrgControl
from knowledge import ids
from knowledge.catalogue import Catalogue
from knowledge.search import Searcher

_URL = re.compile(r"https?://\S+")


class UnknownControlError(EvidenceError):
    """The typed target is no register ref, and no register control implements it."""


@dataclass(frozen=True)
class Control:
    """A register control, detached from any session."""

    id: int
    ref: str
    title: str


@dataclass(frozen=True)
class Suggestion:
    """A control the evidence is probably for."""

    ref: str
    title: str
    reason: str


@dataclass(frozen=True)
class Recorded:
    """Evidence recorded against one request, now waiting for the security team's review."""

    request_id: int
    control: Control
    period: str
    on_behalf: bool


@dataclass(frozen=True)
class AlreadyHad:
    """A request that already held exactly this evidence: nothing was stored again."""

    control_ref: str
    period: str


@dataclass(frozen=True)
class HandedIn:
    """What became of one piece of evidence, and what the security team is asked to review."""

    submitted_by: str
    text: str
    link: str | None
    file_name: str | None
    recorded: tuple[Recorded, ...]
    duplicates: tuple[AlreadyHad, ...]


def _plain(control: OrgControl) -> Control:
    return Control(id=control.id, ref=control.ref, title=control.title)


def mentioned_target(text: str, *, db_session: Session, catalogue: Catalogue) -> str | None:
    """A register ref or catalogue ID named anywhere in text."""
    refs = list(db_session.scalars(select(OrgControl.ref).order_by(OrgControl.ref)))
    for flags in (0, re.IGNORECASE):  # a ref written as stored wins over one matching in any case
        for ref in refs:
            if re.search(rf"(?<![\w.-]){re.escape(ref)}(?![\w-])", text, flags):
                return ref
    for group in ids.groups(text):
        for cid in group:
            if cid in catalogue.entries or cid in catalogue.legacy:
                return cid
    return None


def find_controls(
    target: str,
    *,
    db_session: Session,
    catalogue: Catalogue,
    equivalents: dict[str, list[str]],
) -> list[Control]:
    """Register controls for a typed ref or catalogue ID; an unknown one is refused with hints."""
    resolved, _ = catalogue.resolve(target)
    found = controls_for(target, db_session=db_session, equivalents=equivalents)
    if not found and resolved is not None:
        found = controls_for(resolved.id, db_session=db_session, equivalents=equivalents)
    if found:
        return [_plain(c) for c in found]
    refs = list(db_session.scalars(select(OrgControl.ref).order_by(OrgControl.ref)))
    known = ", ".join(refs[:10]) or "none imported yet"
    if resolved is not None:
        raise UnknownControlError(
            f"No control in the register implements {resolved.id} yet. Controls: {known}."
        )
    close = difflib.get_close_matches(target.upper(), refs, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(close)}?" if close else f" Known controls: {known}."
    raise UnknownControlError(f"I don't know a control called `{target}`.{hint}")


@dataclass(frozen=True)
class Aim:
    """The controls a hand-in is for, and whether they were named past its first word."""

    target: str | None
    controls: list[Control]
    named_inside: bool  # then the whole text, first word included, is the evidence


def aim(
    first: str,
    text: str,
    *,
    loose: bool,
    with_files: bool,
    db_session: Session,
    catalogue: Catalogue,
    equivalents: dict[str, list[str]],
) -> Aim:
    """The first word's controls; failing that, when loose (files or links), a control named anywhere.

    With files and no control found, the empty Aim lets the surface ask which control is meant.
    """

    def controls_for_target(target: str) -> list[Control]:
        return find_controls(
            target, db_session=db_session, catalogue=catalogue, equivalents=equivalents
        )

    try:
        return Aim(first, controls_for_target(first) if first else [], False)
    except UnknownControlError:
        if not loose:
            raise
        target = mentioned_target(text, db_session=db_session, catalogue=catalogue)
        controls = controls_for_target(target) if target else []
        if not controls and not with_files:
            raise  # the first word's refusal says best what went wrong
        return Aim(target, controls, True)


def control_of_request(request_id: int | None, *, db_session: Session) -> Control:
    """The control an evidence request is for (a modal or button names the request)."""
    request = db_session.get(EvidenceRequest, request_id) if request_id else None
    control = db_session.get(OrgControl, request.control_id) if request else None
    if control is None:
        raise EvidenceError("That evidence request no longer exists.")
    return _plain(control)


def suggest(
    user_id: str,
    email: str | None,
    text: str,
    *,
    db_session: Session,
    searcher: Callable[[], Searcher],
) -> list[Suggestion]:
    """Likely controls: the person's open requests first, then what the text is semantically about."""
    owned = db_session.scalars(
        select(OrgControl)
        .join(EvidenceRequest, EvidenceRequest.control_id == OrgControl.id)
        .where(
            EvidenceRequest.status.in_(["open", "rejected"]),
            OrgControl.owner_user_id.in_([user_id]) | OrgControl.owner.in_([user_id, email or ""]),
        )
        .order_by(EvidenceRequest.due_at)
    ).all()
    out = [Suggestion(c.ref, c.title, "you have evidence due") for c in owned[:3]]
    if text.strip():  # the model is loaded only when there is something to search for
        hits = {h.entry.id for h in searcher().search(text, k=5).hits}
        for control in db_session.scalars(select(OrgControl).order_by(OrgControl.ref)):
            if hits & set(control.requirements) and control.ref not in {s.ref for s in out}:
                out.append(Suggestion(control.ref, control.title, "matches what you wrote"))
    return out[:5]


def first_link(text: str) -> str | None:
    """The first http(s) link in text, without the bracket Slack or prose closes it with."""
    match = _URL.search(text)
    return match.group(0).rstrip(">)") if match else None


def hand_in(
    control_ids: Sequence[int],
    *,
    db_session: Session,
    submitted_by: str,
    text: str = "",
    link: str | None = None,
    upload: FileUpload | None = None,
    effective: date | None = None,
    zone: ZoneInfo,
    max_bytes: int,
    surface: str = "slack",
    now: datetime | None = None,
) -> HandedIn:
    """Record evidence for these register controls; a link in the text is the link if none is given."""
    controls = [db_session.get(OrgControl, cid) for cid in control_ids]
    present = [c for c in controls if c is not None]
    if len(present) != len(controls):
        raise EvidenceError("That control is no longer in the register; name it again.")
    link = first_link(text) if link is None else link
    result = submit(
        present,
        db_session=db_session,
        submitted_by=submitted_by,
        text=text,
        link=link,
        upload=upload,
        effective=effective,
        now=now,
        zone=zone,
        max_bytes=max_bytes,
        surface=surface,
    )
    by_id = {c.id: _plain(c) for c in present}
    recorded = []
    for submission in result.submissions:
        request = db_session.get(EvidenceRequest, submission.request_id)  # in the identity map
        assert request is not None  # submit just flushed it
        control = by_id[request.control_id]
        recorded.append(Recorded(request.id, control, request.period, submission.on_behalf))
    duplicates = tuple(AlreadyHad(by_id[r.control_id].ref, r.period) for r in result.duplicates)
    file_name = upload.name if upload else None
    return HandedIn(submitted_by, text, link, file_name, tuple(recorded), duplicates)


@dataclass(frozen=True)
class OpenRequest:
    """What the 'Submit evidence' modal shows about one request."""

    request_id: int
    control: Control
    period: str
    expected: str


def open_request(request_id: int, *, db_session: Session) -> OpenRequest:
    """One evidence request with its control, for the person about to hand evidence in for it."""
    request = db_session.get(EvidenceRequest, request_id)
    control = db_session.get(OrgControl, request.control_id) if request else None
    if request is None or control is None:
        raise EvidenceError("That evidence request no longer exists.")
    return OpenRequest(request.id, _plain(control), request.period, control.expected_evidence)
