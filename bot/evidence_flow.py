"""Evidence by chat: find the control, fetch the file, submit, and ask the security team to review."""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.blocks.evidence import review_blocks
from bot.errors import UserFacingError
from bot.router import Actor
from bot.runtime import Runtime
from core.evidence.service import EvidenceError, FileUpload, SubmissionResult, controls_for, submit
from core.models import EvidenceRequest, OrgControl

log = logging.getLogger(__name__)
_URL = re.compile(r"https?://\S+")


@dataclass
class Suggestion:
    """A control the evidence is probably for."""

    ref: str
    title: str
    reason: str


def find_controls(runtime: Runtime, target: str) -> list[OrgControl]:
    """Register controls for a typed ref or catalogue ID; an unknown one is refused with suggestions."""
    resolved, _ = runtime.catalogue.resolve(target)
    with runtime.db.session_scope() as session:
        found = controls_for(target, db_session=session, equivalents=runtime.equivalents)
        if not found and resolved is not None:
            found = controls_for(resolved.id, db_session=session, equivalents=runtime.equivalents)
        if found:
            return found
        refs = list(session.scalars(select(OrgControl.ref).order_by(OrgControl.ref)))
    known = ", ".join(refs[:10]) or "none imported yet"
    if resolved is not None:
        raise UserFacingError(
            f"No control in the register implements {resolved.id} yet. Controls: {known}."
        )
    close = difflib.get_close_matches(target.upper(), refs, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(close)}?" if close else f" Known controls: {known}."
    raise UserFacingError(f"I don't know a control called `{target}`.{hint}")


def suggest(runtime: Runtime, actor: Actor, text: str) -> list[Suggestion]:
    """Likely controls: the person's open requests first, then semantic search over what they implement."""
    out: list[Suggestion] = []
    with runtime.db.session_scope() as session:
        owned = (
            session.execute(
                select(OrgControl)
                .join(EvidenceRequest, EvidenceRequest.control_id == OrgControl.id)
                .where(
                    EvidenceRequest.status.in_(["open", "rejected"]),
                    OrgControl.owner_user_id.in_([actor.user_id])
                    | OrgControl.owner.in_([actor.user_id, actor.email or ""]),
                )
                .order_by(EvidenceRequest.due_at)
            )
            .scalars()
            .all()
        )
        for control in owned[:3]:
            out.append(Suggestion(control.ref, control.title, "you have evidence due"))
        if text.strip():
            hits = runtime.searcher().search(text, k=5)
            ids = [h.entry.id for h in hits.hits]
            for control in session.scalars(select(OrgControl).order_by(OrgControl.ref)):
                if any(i in control.requirements for i in ids) and control.ref not in {
                    s.ref for s in out
                }:
                    out.append(Suggestion(control.ref, control.title, "matches what you wrote"))
    return out[:5]


def hand_in(
    runtime: Runtime,
    actor: Actor,
    controls: list[OrgControl],
    *,
    text: str = "",
    link: str | None = None,
    upload: FileUpload | None = None,
    effective: date | None = None,
    surface: str = "slack",
) -> SubmissionResult:
    """Submit evidence for controls and post a review request to the security channel."""
    settings = runtime.settings
    if link is None:
        match = _URL.search(text)
        link = match.group(0).rstrip(">)") if match else None
    try:
        with runtime.db.session_scope() as session:
            fresh = [session.merge(c) for c in controls]
            result = submit(
                fresh,
                db_session=session,
                submitted_by=actor.user_id,
                text=text,
                link=link,
                upload=upload,
                effective=effective,
                zone=settings.zone,
                max_bytes=settings.evidence_max_bytes,
                surface=surface,
            )
            reviews = [
                _review_payload(session, s.request_id, actor, text, link, upload)
                for s in result.submissions
            ]
    except EvidenceError as exc:
        raise UserFacingError(str(exc)) from None
    if runtime.slack is not None and settings.security_channel:
        for payload in reviews:
            try:
                runtime.slack.chat_postMessage(channel=settings.security_channel, **payload)
            except SlackApiError as exc:
                log.warning("could not post review request: %s", exc.response.get("error"))
    return result


def _review_payload(
    session: Any,
    request_id: int,
    actor: Actor,
    text: str,
    link: str | None,
    upload: FileUpload | None,
) -> dict[str, Any]:
    request = session.get(EvidenceRequest, request_id)
    control = session.get(OrgControl, request.control_id)
    blocks = review_blocks(
        request_id=request.id,
        control_ref=control.ref,
        control_title=control.title,
        period=request.period,
        submitted_by=actor.user_id,
        text=text,
        link=link,
        file_name=upload.name if upload else None,
    )
    return {
        "text": f"Evidence for {control.ref} ({request.period}) from <@{actor.user_id}> needs review",
        "blocks": blocks,
    }


def result_text(result: SubmissionResult, runtime: Runtime) -> str:
    """A short confirmation for the person who handed evidence in."""
    with runtime.db.session_scope() as session:
        done = []
        for s in result.submissions:
            req = session.get(EvidenceRequest, s.request_id)
            control = session.get(OrgControl, req.control_id) if req else None
            behalf = " (recorded as submitted on behalf of the owner)" if s.on_behalf else ""
            done.append(f"{control.ref if control else '?'} ({req.period if req else '?'}){behalf}")
        dupes = []
        for req in result.duplicates:
            control = session.get(OrgControl, req.control_id)
            dupes.append(f"{control.ref if control else '?'} ({req.period})")
    lines = []
    if done:
        lines.append(
            ":white_check_mark: Evidence recorded for "
            + ", ".join(done)
            + ". The security team will review it."
        )
    if dupes:
        lines.append(
            "Already had this exact evidence for " + ", ".join(dupes) + ": not stored twice."
        )
    return "\n".join(lines)


def files_text(
    taken: list[tuple[str, SubmissionResult]], refused: list[tuple[str, str]], runtime: Runtime
) -> str:
    """One reply for every file of a message: what each was recorded for, and why any was not taken."""
    total = len(taken) + len(refused)
    lines = [
        f"{len(taken)} of {total} files taken:"
        if taken
        else f"None of the {total} files was taken:"
    ]
    for name, result in taken:
        lines.append(f"  • {name}: " + result_text(result, runtime).replace("\n", " "))
    for name, reason in refused:
        lines.append(f"  • {name} was not taken: {reason}")
    return "\n".join(lines)
