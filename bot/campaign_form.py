"""The campaign start modal's submission, parsed and checked before it is acknowledged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, TypeVar

from bot.blocks.common import submitted
from bot.ids import Block, Option
from core.campaigns.audience import AudienceError
from core.campaigns.audience import parse as parse_audience
from core.campaigns.quiz import QuizError, as_dict
from core.campaigns.quiz import parse as parse_quiz
from core.campaigns.service import CampaignError, check_link, due_on

T = TypeVar("T")


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
    fields = _Fields(view)
    title = fields.text(Block.CAMPAIGN_TITLE)
    if not title:
        fields.errors[Block.CAMPAIGN_TITLE] = "Give the campaign a title."
    audience = fields.checked(Block.CAMPAIGN_AUDIENCE, fields.audience, "")
    due = fields.checked(Block.CAMPAIGN_DUE, lambda: fields.due(zone, now), None)
    link = fields.checked(Block.CAMPAIGN_LINK, fields.link, None)
    quiz = fields.checked(Block.CAMPAIGN_QUIZ, fields.quiz, None)
    files = submitted(view, Block.CAMPAIGN_DOCUMENT, "files") or []
    picked = submitted(view, Block.CAMPAIGN_OPTIONS, "selected_options") or []
    options = {o.get("value") for o in picked}
    if fields.errors:
        raise FormErrors(fields.errors)
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


class _Fields:
    """The modal's fields read one by one, each problem noted under its field instead of stopping."""

    def __init__(self, view: dict[str, Any]) -> None:
        self.view = view
        self.errors: dict[str, str] = {}

    def checked(self, block: str, read: Callable[[], T], default: T) -> T:
        """What `read` returns, or `default` with the service's refusal noted under the block."""
        try:
            return read()
        except (AudienceError, CampaignError, QuizError) as exc:
            self.errors[block] = str(exc)
            return default

    def text(self, block: str) -> str:
        """A text input, trimmed ("" when empty)."""
        return (submitted(self.view, block, "value") or "").strip()

    def audience(self) -> str:
        """The audience spec in its canonical form."""
        return str(parse_audience(self.text(Block.CAMPAIGN_AUDIENCE)))

    def due(self, zone: tzinfo, now: datetime) -> datetime:
        """The end of the picked day, which must be in the future."""
        picked = submitted(self.view, Block.CAMPAIGN_DUE, "selected_date")
        day = datetime.fromisoformat(picked).date() if picked else None
        try:
            return due_on(day, zone, now)
        except CampaignError:
            raise CampaignError("Pick a date in the future.") from None

    def link(self) -> str | None:
        """The link, if one was given, as a full web address."""
        try:
            return check_link(self.text(Block.CAMPAIGN_LINK) or None)
        except CampaignError:
            raise CampaignError("Use a full link starting with https://") from None

    def quiz(self) -> dict[str, Any] | None:
        """The pasted quiz, validated."""
        quiz_text = self.text(Block.CAMPAIGN_QUIZ)
        return as_dict(parse_quiz(quiz_text, source="The quiz")) if quiz_text else None
