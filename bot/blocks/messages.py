"""The messages the worker sends, laid out from the plain data queued in the outbox (no I/O)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.common import actions, button, context, primary_choice, section
from bot.blocks.readiness import digest_message
from bot.blocks.reminders import render as render_reminder
from bot.ids import Action
from core.campaigns.delivery import INVITE, REMINDER
from core.localtime import local_day, local_moment
from jobs.digest import DIGEST
from jobs.nudges import NUDGE
from jobs.reminders import ESCALATION as REMINDER_ESCALATION
from jobs.reminders import REMINDER as DUE_REMINDER


def campaign_invite(
    *,
    campaign_id: int,
    title: str,
    due: datetime,
    link: str | None,
    document_name: str | None,
    document_sha256: str | None,
    has_quiz: bool,
    zone: tzinfo,
    reminder: bool = False,
) -> dict[str, Any]:
    """The DM asking someone to read and acknowledge."""
    lead = ":bell: Reminder: please" if reminder else ":memo: Please"
    lines = [f"{lead} read and acknowledge *{title}* by {local_day(due, zone)}."]
    if link:
        lines.append(f"Read it here: {link}")
    if document_name:
        lines.append(f"Document: {document_name}")
    blocks = [section("\n".join(lines))]
    if document_sha256:
        blocks.append(
            context(
                f"Document SHA-256: `{document_sha256}` — your acknowledgement covers exactly this version."
            )
        )
    choice = primary_choice(has_quiz, campaign_id, quiz_label="Take the quiz to acknowledge")
    blocks.append(actions(choice))
    return {"text": lines[0].replace("*", ""), "blocks": blocks}


def acknowledged(title: str, when: datetime, score: float | None, zone: tzinfo) -> dict[str, Any]:
    """The invite after the click: the button replaced by a confirmation."""
    extra = f" (quiz score {score:.0%})" if score is not None else ""
    text = f":white_check_mark: You acknowledged *{title}* on {local_moment(when, zone)}{extra}."
    return {"text": text.replace("*", ""), "blocks": [section(text)]}


def evidence_nudge(
    *,
    request_id: int,
    control_ref: str,
    control_title: str,
    period: str,
    due: datetime,
    overdue_days: int,
    due_today: bool,
    expected: str,
    zone: tzinfo,
) -> dict[str, Any]:
    """A reminder to hand in evidence, with Submit and Snooze buttons."""
    if overdue_days > 0:
        head = f":warning: Evidence for *{control_ref} {control_title}* ({period}) is {overdue_days} day(s) overdue."
    elif due_today:
        head = (
            f":alarm_clock: Evidence for *{control_ref} {control_title}* ({period}) is due today."
        )
    else:
        head = f":wave: Evidence for *{control_ref} {control_title}* ({period}) is due on {local_day(due, zone)}."
    blocks = [section(head)]
    if expected:
        blocks.append(context(f"Expected: {expected}"))
    blocks.append(
        actions(
            button("Submit evidence", Action.SUBMIT_EVIDENCE, str(request_id), style="primary"),
            button("Snooze 1 day", Action.SNOOZE, f"{request_id}:1"),
            button("Snooze 3 days", Action.SNOOZE, f"{request_id}:3"),
            button("Snooze 1 week", Action.SNOOZE, f"{request_id}:7"),
        )
    )
    return {"text": head.replace("*", ""), "blocks": blocks}


def plain(text: str) -> dict[str, Any]:
    """A plain message with the same text as its only block."""
    return {"text": text.replace("*", ""), "blocks": [section(text)]}


def render(kind: str, content: dict[str, Any], *, zone: tzinfo) -> dict[str, Any]:
    """The chat.postMessage arguments for a queued row, from its kind and content (dates in zone)."""
    if "blocks" in content:  # queued already laid out (rows from before content was data)
        return content
    if kind in (INVITE, REMINDER):
        due = datetime.fromisoformat(content["due"])
        return campaign_invite(**{**content, "due": due, "zone": zone})
    if kind == NUDGE:
        due = datetime.fromisoformat(content["due"])
        own = ZoneInfo(content["zone"]) if content.get("zone") else zone  # the owner's, when known
        return evidence_nudge(**{**content, "due": due, "zone": own})
    if kind in (DUE_REMINDER, REMINDER_ESCALATION):
        return render_reminder(content, zone=zone)
    if kind == DIGEST:
        return digest_message(content, zone)
    return plain(str(content["text"]))
