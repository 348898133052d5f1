"""The campaign start modal's submission, parsed and checked before it is acknowledged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from bot.blocks.common import submitted
from bot.ids import Block, Option
from core.campaigns.audience import AudienceError
from core.campaigns.audience import parse as parse_audience
from core.campaigns.quiz import QuizError, as_dict
from core.campaigns.quiz import parse as parse_quiz
from core.campaigns.service import CampaignError, check_due, due_at_end_of


class FormErrors(ValueError):
    """Problems to show next to the fields they concern (Slack's response_action=errors)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        # Slack shows at most 150 characters under a field.
        self.errors = {block: message[:150] for block, message in errors.items()}


@dataclass(frozen=True)
class StartForm:
    """What the security team asked for."""

    title: str
    audience: str
    due: datetime
    link: str | None
    document_file: str | None
    quiz: dict[str, Any] | None
    rolling: bool
    include_guests: bool


def parse_start(view: dict[str, Any], zone: tzinfo, now: datetime) -> StartForm:
    """Read the modal's state; raise FormErrors naming each field that is wrong."""
    errors: dict[str, str] = {}
    title = (submitted(view, Block.CAMPAIGN_TITLE, "value") or "").strip()
    if not title:
        errors[Block.CAMPAIGN_TITLE] = "Give the campaign a title."
    audience = (submitted(view, Block.CAMPAIGN_AUDIENCE, "value") or "").strip()
    try:
        audience = str(parse_audience(audience))
    except AudienceError as exc:
        errors[Block.CAMPAIGN_AUDIENCE] = str(exc)
    picked = submitted(view, Block.CAMPAIGN_DUE, "selected_date")
    due = None
    try:
        due = check_due(
            due_at_end_of(datetime.fromisoformat(picked).date(), zone) if picked else None, now
        )
    except CampaignError:
        errors[Block.CAMPAIGN_DUE] = "Pick a date in the future."
    link = (submitted(view, Block.CAMPAIGN_LINK, "value") or "").strip() or None
    if link and not link.startswith(("http://", "https://")):
        errors[Block.CAMPAIGN_LINK] = "Use a full link starting with https://"
    files = submitted(view, Block.CAMPAIGN_DOCUMENT, "files") or []
    quiz = None
    quiz_text = (submitted(view, Block.CAMPAIGN_QUIZ, "value") or "").strip()
    if quiz_text:
        try:
            quiz = as_dict(parse_quiz(quiz_text, source="The quiz"))
        except QuizError as exc:
            errors[Block.CAMPAIGN_QUIZ] = str(exc)
    options = {
        o.get("value") for o in submitted(view, Block.CAMPAIGN_OPTIONS, "selected_options") or []
    }
    if errors:
        raise FormErrors(errors)
    assert due is not None
    return StartForm(
        title=title,
        audience=audience,
        due=due,
        link=link,
        document_file=str(files[0]["id"]) if files else None,
        quiz=quiz,
        rolling=Option.ROLLING in options,
        include_guests=Option.INCLUDE_GUESTS in options,
    )
