"""`campaign start|status|list|remind|close`: acknowledgement campaigns (security team)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.blocks.campaign import start_modal
from bot.errors import UsageError, UserFacingError
from bot.router import Command, ModalReply, Reply, Request, TextReply
from bot.runtime import Runtime
from bot.slack_text import first_word, parse_id
from core.campaigns import service as campaigns
from core.localtime import local_day

SUBCOMMANDS = ("start", "status", "list", "remind", "close")


def _campaign_id(args: str) -> int:
    word = first_word(args)[0]
    if not word:
        raise UsageError("Give the campaign number, e.g. `campaign status 3`.", "campaign")
    campaign_id = parse_id(word)
    if campaign_id is not None:
        return campaign_id
    if word.lstrip("#").isdecimal():
        # Too big to be any row's ID (the database would overflow): simply not a campaign.
        raise UserFacingError(f"There is no campaign {word[:40]}; `campaign list` shows them.")
    raise UsageError(
        f"`{word[:40]}` is not a campaign number; `campaign list` shows them.", "campaign"
    )


def _list(runtime: Runtime, request: Request, rest: str, session: Session) -> Reply:
    rows = campaigns.list_campaigns(db_session=session)
    zone = runtime.settings.zone
    lines = [f"#{c.id} {c.title} [{c.status}] due {local_day(c.due_at, zone)}" for c in rows]
    return TextReply("\n".join(lines) or "No campaigns yet.")


def _status(runtime: Runtime, request: Request, rest: str, session: Session) -> Reply:
    st = campaigns.status(_campaign_id(rest), db_session=session)
    return TextReply(
        f"#{st.id} {st.title} [{st.status}]: {st.delivered}/{st.recipients} delivered, "
        f"{st.acknowledged} acknowledged, {st.overdue} overdue, {st.failed} unreachable"
    )


def _remind(runtime: Runtime, request: Request, rest: str, session: Session) -> Reply:
    queued = campaigns.remind_now(_campaign_id(rest), db_session=session)
    return TextReply(f"Queued {queued} reminder(s).")


def _close(runtime: Runtime, request: Request, rest: str, session: Session) -> Reply:
    campaign_id = _campaign_id(rest)
    campaigns.close(
        campaign_id,
        db_session=session,
        closed_by=request.actor.user_id,
        security_channel=runtime.settings.security_channel,
    )
    return TextReply(
        f"Campaign {campaign_id} closed; the final report goes to the security channel."
    )


_ACTIONS = {"list": _list, "status": _status, "remind": _remind, "close": _close}


def handle(runtime: Runtime, request: Request, args: str) -> Reply:
    """Run one campaign subcommand (a refused one raises the service's CampaignError)."""
    action, rest = first_word(args)
    action = action.lower()
    if action not in SUBCOMMANDS:
        raise UsageError(f"Use one of: {', '.join(SUBCOMMANDS)}.", "campaign")
    if action == "start":
        return ModalReply(
            start_modal(),
            "Start a campaign with `/compliance campaign start` in Slack (a form opens), or from a shell:\n"
            "`compliance-bot campaign start --title T --audience all --due YYYY-MM-DD [--link URL] "
            "[--document FILE] [--quiz FILE] [--rolling]`",
        )
    with runtime.db.session_scope() as session:
        return _ACTIONS[action](runtime, request, rest, session)


COMMAND = Command(
    name="campaign",
    usage="campaign start|status <id>|list|remind <id>|close <id>",
    summary="training and policy acknowledgement campaigns",
    examples=("campaign start", "campaign status 3", "campaign remind 3"),
    handler=handle,
    security_only=True,
)
