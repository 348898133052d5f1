"""The campaign start modal's submission, parsed and checked before it is acknowledged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from typing import Any

from bot.ids import Block, Field, Option
from jobs.audience import AudienceError
from jobs.audience import parse as parse_audience
from jobs.quiz import QuizError, as_dict
from jobs.quiz import parse as parse_quiz


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


def _state(view: dict[str, Any], block: str) -> dict[str, Any]:
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    return values.get(block, {}).get(Field.VALUE) or {}


def parse_start(view: dict[str, Any], zone: tzinfo, now: datetime) -> StartForm:
    """Read the modal's state; raise FormErrors naming each field that is wrong."""
    errors: dict[str, str] = {}
    title = (_state(view, Block.CAMPAIGN_TITLE).get("value") or "").strip()
    if not title:
        errors[Block.CAMPAIGN_TITLE] = "Give the campaign a title."
    audience = (_state(view, Block.CAMPAIGN_AUDIENCE).get("value") or "").strip()
    try:
        audience = str(parse_audience(audience))
    except AudienceError as exc:
        errors[Block.CAMPAIGN_AUDIENCE] = str(exc)
    picked = _state(view, Block.CAMPAIGN_DUE).get("selected_date")
    due = (
        datetime.combine(datetime.fromisoformat(picked).date(), time(23, 59, 59), tzinfo=zone)
        if picked
        else None
    )
    if due is None or due <= now:
        errors[Block.CAMPAIGN_DUE] = "Pick a date in the future."
    link = (_state(view, Block.CAMPAIGN_LINK).get("value") or "").strip() or None
    if link and not link.startswith(("http://", "https://")):
        errors[Block.CAMPAIGN_LINK] = "Use a full link starting with https://"
    files = _state(view, Block.CAMPAIGN_DOCUMENT).get("files") or []
    quiz = None
    quiz_text = (_state(view, Block.CAMPAIGN_QUIZ).get("value") or "").strip()
    if quiz_text:
        try:
            quiz = as_dict(parse_quiz(quiz_text, source="The quiz"))
        except QuizError as exc:
            errors[Block.CAMPAIGN_QUIZ] = str(exc)
    options = {
        o.get("value") for o in _state(view, Block.CAMPAIGN_OPTIONS).get("selected_options") or []
    }
    if errors:
        raise FormErrors(errors)
    assert due is not None
    return StartForm(
        title=title,
        audience=audience,
        due=due.astimezone(UTC),
        link=link,
        document_file=str(files[0]["id"]) if files else None,
        quiz=quiz,
        rolling=Option.ROLLING in options,
        include_guests=Option.INCLUDE_GUESTS in options,
    )
