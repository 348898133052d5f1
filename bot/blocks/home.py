"""Block Kit for App Home and `mine`."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from bot.blocks.common import Block, button, context, divider, primary_choice, section
from bot.ids import Action
from core.home import HomeModel, OpenRequest
from core.localtime import local_day


def home_blocks(
    model: HomeModel, zone: tzinfo, readiness: list[Block] | None = None
) -> list[Block]:
    """The person's open evidence requests and acknowledgements, plus the team view if security."""
    blocks: list[Block] = [section("*Your compliance to-do list*")]
    if not model.requests and not model.acks and not model.owed:
        blocks.append(context("Nothing waiting for you. :tada:"))
    blocks += [_request_block(req, zone) for req in model.requests]
    blocks += _owed_blocks(model, zone)
    for ack in model.acks:
        choice = primary_choice(ack.has_quiz, ack.campaign_id, quiz_label="Take the quiz")
        due = local_day(ack.due_at, zone)
        blocks.append(section(f"*Acknowledge: {ack.title}* — due {due}", choice))
    if model.is_security:
        blocks += _team_blocks(model, zone, readiness)
    return blocks


def _request_block(req: OpenRequest, zone: tzinfo) -> Block:
    flag = ":red_circle: overdue" if req.overdue else f"due {local_day(req.due_at, zone)}"
    status = " (submitted, awaiting review)" if req.status == "submitted" else ""
    return section(
        f"*Evidence: {req.control_ref} {req.control_title}* — {req.period}, {flag}{status}",
        button("Submit evidence", Action.SUBMIT_EVIDENCE, str(req.request_id), style="primary"),
    )


def _owed_blocks(model: HomeModel, zone: tzinfo) -> list[Block]:
    """What you owe: the person's other open due items of the reminder engine."""
    if not model.owed:
        return []
    lines = [
        f"• *{o.title}* — {':red_circle: overdue' if o.overdue else 'due ' + local_day(o.due_at, zone)}"
        for o in model.owed
    ]
    return [section("*What you owe*\n" + "\n".join(lines))]


def _team_blocks(model: HomeModel, zone: tzinfo, readiness: list[Block] | None) -> list[Block]:
    """The security team's overview: readiness, overdue evidence, active campaigns."""
    blocks = [divider(), section("*Security team overview*")]
    blocks += readiness or []  # per-framework readiness, above the campaigns
    blocks.append(context(f"Overdue evidence requests: *{model.overdue_evidence}*"))
    if not model.campaigns:
        blocks.append(context("No active campaigns."))
    for c in model.campaigns:
        share = f"{c.acknowledged}/{c.total}" if c.total else "0/0"
        blocks.append(
            section(
                f"*Campaign #{c.campaign_id}: {c.title}* — {share} acknowledged, due {local_day(c.due_at, zone)}"
            )
        )
    return blocks


def home_view(
    model: HomeModel, zone: tzinfo, readiness: list[Block] | None = None
) -> dict[str, Any]:
    """The App Home tab view (days in zone)."""
    return {"type": "home", "blocks": home_blocks(model, zone, readiness)}


def mine_text(model: HomeModel, zone: tzinfo) -> str:
    """`mine` as plain text."""
    lines = ["Your compliance to-do list:"]
    if not model.requests and not model.acks and not model.owed:
        lines.append("  Nothing waiting for you.")
    for req in model.requests:
        flag = "OVERDUE" if req.overdue else f"due {local_day(req.due_at, zone)}"
        lines.append(
            f"  - Evidence for {req.control_ref} {req.control_title} ({req.period}): {flag}, {req.status}"
        )
    for ack in model.acks:
        lines.append(
            f"  - Acknowledge campaign #{ack.campaign_id} \u201c{ack.title}\u201d by {local_day(ack.due_at, zone)}"
        )
    for owed in model.owed:
        flag = "OVERDUE" if owed.overdue else f"due {local_day(owed.due_at, zone)}"
        lines.append(f"  - {owed.title}: {flag}")
    return "\n".join(lines)
