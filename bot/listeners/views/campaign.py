"""Campaign modals: starting a campaign, and grading a quiz."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.common import submitted
from bot.blocks.messages import acknowledged
from bot.campaign_form import FormErrors, StartForm, parse_start
from bot.deps import Deps
from bot.errors import FieldError, UserFacingError
from bot.ids import Block, View
from bot.slack_files import download
from bot.slack_text import parse_id
from core.campaigns import attempts
from core.campaigns import service as campaigns
from core.campaigns.audience import AudienceError
from core.models import utcnow


def register(app: App, deps: Deps) -> None:
    """Register campaign modals."""

    @app.view(View.CAMPAIGN)
    def on_start(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = body["user"]["id"]
        settings = deps.runtime.settings
        if not deps.runtime.team.contains(user):
            ack(
                response_action="errors",
                errors={Block.CAMPAIGN_TITLE: "Only the security team can start campaigns."},
            )
            return
        try:
            form = parse_start(view, settings.zone, utcnow())
        except FormErrors as exc:
            ack(response_action="errors", errors=exc.errors)
            return
        # Resolving a large audience pages through users.list: too slow to do before the ack.
        ack()
        start = partial(_start, deps, client, user, form)
        if form.document_file:
            # The document may take EVIDENCE_DOWNLOAD_SECONDS to download: not on the listener workers.
            deps.offload(body, client, start)
        else:
            start()

    @app.view(View.QUIZ)
    def on_quiz(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        campaign_id_raw, _, where = str(view.get("private_metadata") or "").partition("|")
        channel, _, ts = where.partition("|")
        campaign_id = parse_id(campaign_id_raw)
        if campaign_id is None:
            raise UserFacingError("That quiz no longer works; open it again from the invitation.")
        answers = _answers(view)
        # Graded and recorded before the ack: a modal that closes tells the person their
        # acknowledgement is on record, so it must already be committed. Refusals (not in the
        # audience, campaign closed) raise before anything is recorded and show in the modal.
        with deps.runtime.db.session_scope() as session:
            result = attempts.submit_quiz(
                campaign_id,
                body["user"]["id"],
                answers,
                db_session=session,
                channel=channel or None,
                ts=ts or None,
            )
        if not result.passed:
            ack(
                response_action="errors",
                errors={
                    f"{Block.QUIZ_QUESTION}0": f"You scored {result.score:.0%}; {result.pass_mark:.0%} is needed. Check your answers and try again."
                },
            )
            return
        ack()
        # The service names the person's own invitation, whatever the metadata said.
        if result.new and result.channel and result.ts:
            client.chat_update(
                channel=result.channel,
                ts=result.ts,
                **acknowledged(result.title, utcnow(), result.score, deps.runtime.settings.zone),
            )


def _answers(view: dict[str, Any]) -> dict[int, int]:
    """The picked choice per question index, from the quiz modal's radio buttons."""
    answers = {}
    for block_id in (view.get("state") or {}).get("values") or {}:
        index = block_id.removeprefix(Block.QUIZ_QUESTION)
        picked = (submitted(view, block_id, "selected_option") or {}).get("value")
        if index == block_id or not index.isdigit() or picked is None:
            continue
        # The modal offers choices 0..n-1: anything else was not one of them.
        if not (isinstance(picked, str) and picked.isascii() and picked.isdigit()):
            raise FieldError("Pick one of the answers shown.", block_id)
        answers[int(index)] = int(picked[:6])
    return answers


def _start(deps: Deps, client: WebClient, user: str, form: StartForm) -> None:
    """Fetch the campaign's document, start the campaign and tell the person who started it."""
    settings = deps.runtime.settings
    document = None
    if form.document_file:
        upload = download(client, form.document_file, settings)
        document = (upload.name, upload.content)
    try:
        with deps.runtime.db.session_scope() as session:
            campaign = campaigns.start(
                client,
                db_session=session,
                title=form.title,
                audience_spec=form.audience,
                due=form.due,
                created_by=user,
                reminder_days=settings.campaign_reminder_days,
                link=form.link,
                document=document,
                quiz=form.quiz,
                rolling=form.rolling,
                include_guests=form.include_guests,
            )
            st = campaigns.status(campaign.id, db_session=session)
    except (AudienceError, campaigns.CampaignError) as exc:
        raise UserFacingError(f"The campaign “{form.title}” was not started: {exc}") from None
    client.chat_postMessage(
        channel=user,
        text=f"Campaign #{st.id} “{st.title}” started for {st.recipients} people; invitations are on their way.",
    )
