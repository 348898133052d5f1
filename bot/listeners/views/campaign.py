"""Campaign modals: starting a campaign, and grading a quiz."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.ids import Block, Field, View
from core.models import Campaign, utcnow
from jobs import campaigns
from jobs.audience import AudienceError
from jobs.messages import acknowledged
from jobs.quiz import Quiz, grade


def _value(view: dict[str, Any], block: str, key: str = "value") -> Any:
    return (view["state"]["values"].get(block, {}).get(Field.VALUE) or {}).get(key)


def register(app: App, deps: Deps) -> None:
    """Register campaign modals."""

    @app.view(View.CAMPAIGN)
    def on_start(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = body["user"]["id"]
        if not deps.runtime.team.contains(user):
            ack(
                response_action="errors",
                errors={Block.CAMPAIGN_TITLE: "Only the security team can start campaigns."},
            )
            return
        title = (_value(view, Block.CAMPAIGN_TITLE) or "").strip()
        spec = (_value(view, Block.CAMPAIGN_AUDIENCE) or "").strip()
        link = (_value(view, Block.CAMPAIGN_LINK) or "").strip() or None
        picked = _value(view, Block.CAMPAIGN_DUE, "selected_date")
        zone = deps.runtime.settings.zone
        due = (
            datetime.combine(datetime.fromisoformat(picked).date(), time(23, 59, 59), tzinfo=zone)
            if picked
            else None
        )
        if due is None or due <= utcnow():
            ack(response_action="errors", errors={Block.CAMPAIGN_DUE: "Pick a date in the future."})
            return
        if link and not link.startswith(("http://", "https://")):
            ack(
                response_action="errors",
                errors={Block.CAMPAIGN_LINK: "Use a full link starting with https://"},
            )
            return
        try:
            with deps.runtime.db.session_scope() as session:
                campaign = campaigns.start(
                    client,
                    db_session=session,
                    title=title,
                    audience_spec=spec,
                    due=due.astimezone(UTC),
                    created_by=user,
                    reminder_days=deps.runtime.settings.campaign_reminder_days,
                    link=link,
                )
                st = campaigns.status(campaign.id, db_session=session)
        except AudienceError as exc:
            ack(response_action="errors", errors={Block.CAMPAIGN_AUDIENCE: str(exc)[:150]})
            return
        except campaigns.CampaignError as exc:
            ack(response_action="errors", errors={Block.CAMPAIGN_TITLE: str(exc)[:150]})
            return
        ack()
        client.chat_postMessage(
            channel=user,
            text=f"Campaign #{st.id} “{st.title}” started for {st.recipients} people; invitations are on their way.",
        )

    @app.view(View.QUIZ)
    def on_quiz(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        campaign_id_raw, _, where = (view.get("private_metadata") or "").partition("|")
        channel, _, ts = where.partition("|")
        user = body["user"]["id"]
        with deps.runtime.db.session_scope() as session:
            campaign = session.get(Campaign, int(campaign_id_raw or 0))
            if campaign is None or not campaign.quiz:
                ack()
                return
            quiz = Quiz.model_validate(campaign.quiz)
            answers = {}
            for i in range(len(quiz.questions)):
                picked = (_value(view, f"{Block.QUIZ_QUESTION}{i}", "selected_option") or {}).get(
                    "value"
                )
                if picked is not None:
                    answers[i] = int(picked)
            score, passed = grade(quiz, answers)
            if not passed:
                ack(
                    response_action="errors",
                    errors={
                        f"{Block.QUIZ_QUESTION}0": f"You scored {score:.0%}; {quiz.pass_mark:.0%} is needed. Check your answers and try again."
                    },
                )
                return
            ack()
            campaign, new = campaigns.acknowledge(
                campaign.id,
                user,
                db_session=session,
                score=score,
                channel=channel or None,
                ts=ts or None,
            )
            title = campaign.title
        if new and channel and ts:
            client.chat_update(channel=channel, ts=ts, **acknowledged(title, utcnow(), score))
