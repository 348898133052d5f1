"""Questionnaires by DM: answer the file in a thread, list rows to review, approve them into the library."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

from slack_sdk import WebClient

from bot.blocks.questionnaire import item_blocks, more_text, review_messages, summary_text
from bot.errors import UserFacingError
from bot.router import Request
from bot.runtime import Runtime
from bot.slack_files import download
from core.evidence.service import FileUpload
from core.models import QuestionnaireItem
from core.questionnaires import QuestionnaireError
from core.questionnaires.service import (
    AnsweredFile,
    answer_questionnaire,
    approve_item,
    record_review,
    review_item,
    run_of,
)

SPREADSHEETS = (".xlsx", ".csv")
_ASKED = re.compile(r"\bquestionnaires?\b", re.IGNORECASE)


def spreadsheets(request: Request) -> list[dict[str, Any]]:
    """The .xlsx and .csv files of a message."""
    return [
        f
        for f in request.files
        if PurePath(str(f.get("name") or "")).suffix.lower() in SPREADSHEETS
    ]


def wanted(runtime: Runtime, request: Request) -> bool:
    """A DM'd spreadsheet is a questionnaire when it says so, or when the security team sends it naming no control."""
    if request.surface != "slack_dm" or not spreadsheets(request):
        return False
    if _ASKED.search(request.text):
        return True
    from bot.commands.evidence import mentioned_target

    return request.actor.is_security and mentioned_target(runtime, request.text) is None


def take_dm(runtime: Runtime, request: Request, ts: str, client: WebClient) -> bool:
    """Answer a questionnaire DM in its thread (True), or leave the message to the evidence flow (False)."""
    if not wanted(runtime, request):
        return False
    runtime.team.require(request.actor.user_id, "answer security questionnaires")
    for shared in spreadsheets(request):
        answer_file(runtime, request, shared, ts, client)
    return True


def answer_file(
    runtime: Runtime, request: Request, shared: dict[str, Any], ts: str, client: WebClient
) -> None:
    """Download, answer, keep the rows for review; then upload the answered file and list those rows."""
    if runtime.slack is None:
        raise UserFacingError("Questionnaires can only be answered through Slack or the CLI.")
    # A link cannot be answered: the file itself has to get smaller.
    smaller = "Save a copy with only the sheets that hold questions, or send it as CSV."
    upload = download(runtime.slack, shared["id"], runtime.settings, too_big=smaller)
    channel = request.channel or request.actor.user_id
    try:
        answered, items = answer_and_record(runtime, request, upload, channel, ts)
    except QuestionnaireError as exc:
        raise UserFacingError(str(exc)) from None
    summary = summary_text(upload.name, answered.counts(), answered.questionnaire.describe())
    client.files_upload_v2(
        channel=channel,
        thread_ts=ts,
        content=answered.content,
        filename=answered.out_name,
        title=answered.out_name,
        initial_comment=summary,
    )
    for blocks in review_messages(items):
        client.chat_postMessage(channel=channel, thread_ts=ts, text="Rows to review", blocks=blocks)
    more = more_text(items)
    if more:
        client.chat_postMessage(channel=channel, thread_ts=ts, text=more)


def answer_and_record(
    runtime: Runtime, request: Request, upload: FileUpload, channel: str, ts: str
) -> tuple[AnsweredFile, list[QuestionnaireItem]]:
    """Answer the file (read only), then keep its rows for review in a unit of work of their own."""
    searcher = runtime.searcher()
    with runtime.db.session_scope() as session:
        answered = answer_questionnaire(
            upload.name,
            upload.content,
            db_session=session,
            searcher=searcher,
            zone=runtime.settings.zone,
        )
    with runtime.db.session_scope() as session:
        items = record_review(
            answered,
            db_session=session,
            requested_by=request.actor.user_id,
            channel=channel,
            thread_ts=ts,
        )
    return answered, items


def item_id(body: dict[str, Any]) -> int:
    """The row ID a button carries."""
    try:
        return int(str(body["actions"][0]["value"]))
    except (KeyError, IndexError, ValueError):
        raise UserFacingError("That button no longer works.") from None


def reviewable(runtime: Runtime, row_id: int, user: str, channel: str | None) -> QuestionnaireItem:
    """The row, if the clicking user is on the security team and the button is in the row's own thread."""
    runtime.team.require(user, "approve questionnaire answers")
    try:
        with runtime.db.session_scope() as session:
            item = review_item(row_id, db_session=session)
            run = run_of(item, db_session=session)
    except QuestionnaireError as exc:
        raise UserFacingError(str(exc)) from None
    if channel is not None and run.channel != channel:
        raise UserFacingError("That button belongs to another conversation's questionnaire.")
    return item


def approve(
    runtime: Runtime, row_id: int, user: str, answer: str | None = None
) -> QuestionnaireItem:
    """Approve the row (as drafted or as edited): it joins the library."""
    try:
        with runtime.db.session_scope() as session:
            return approve_item(row_id, db_session=session, actor=user, answer=answer)
    except QuestionnaireError as exc:
        raise UserFacingError(str(exc)) from None


def redraw(runtime: Runtime, client: WebClient, channel: str, ts: str, ids: list[int]) -> None:
    """Draw a review message again from the rows' current state (approved rows lose their buttons)."""
    with runtime.db.session_scope() as session:
        items = [i for i in (session.get(QuestionnaireItem, n) for n in ids) if i is not None]
        blocks: list[dict[str, Any]] = []
        for item in items:
            blocks.extend(item_blocks(item))
            blocks.append({"type": "divider"})
    if blocks:
        client.chat_update(channel=channel, ts=ts, text="Rows to review", blocks=blocks[:-1])


def approved_text(item: QuestionnaireItem) -> str:
    """The thread note after an approval."""
    return (
        f"Row {item.row} approved by <@{item.approved_by}>: it is in the answer library "
        f"(LIB-{item.library_entry_id}) and the next questionnaire asking it is answered from there."
    )
