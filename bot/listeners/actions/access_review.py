"""Access review buttons: open a page, Keep, Revoke, Keep all remaining, Mark removed."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.access_review import reason_modal, removed_modal, review_page
from bot.buttons import button_id, button_value, row_id
from bot.deps import Deps
from bot.ids import Action
from bot.slack_text import parse_id
from core.access_reviews import decisions, removals
from core.access_reviews.models import AccessAccount
from core.access_reviews.pages import reviewer_page


def where(body: dict[str, Any]) -> str:
    """`channel|ts` of the clicked message, carried through a modal's private_metadata."""
    container = body.get("container") or {}
    return f"{container.get('channel_id') or ''}|{container.get('message_ts') or ''}"


def show(client: WebClient, user: str, at: str, message: dict[str, Any]) -> None:
    """Update the clicked message if it is in the person's own DM with the bot, else post a new one."""
    channel, _, ts = at.partition("|")
    own = str(client.conversations_open(users=user)["channel"]["id"])
    # A forged container could name someone else's message: only the clicker's own DM is updated.
    if channel and ts and channel == own:
        client.chat_update(channel=channel, ts=ts, **message)
    else:
        client.chat_postMessage(channel=user, **message)


def show_page(
    deps: Deps,
    client: WebClient,
    user: str,
    at: str,
    review_id: int,
    *,
    page: int = 0,
    item_id: int | None = None,
) -> None:
    """Render the reviewer's page (the one holding item_id when given) where they clicked."""
    with deps.runtime.db.session_scope() as session:
        found = reviewer_page(review_id, user, page, db_session=session, item_id=item_id)
    show(client, user, at, review_page(found, deps.runtime.settings.zone))


def register(app: App, deps: Deps) -> None:
    """Register access review buttons."""

    @app.action(Action.ACCESS_OPEN)
    @app.action(Action.ACCESS_PAGE)
    def on_page(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        review_raw, _, page_raw = button_value(body).partition(":")
        page = parse_id(page_raw) if page_raw != "0" else 0
        show_page(deps, client, body["user"]["id"], where(body), row_id(review_raw), page=page or 0)

    @app.action(Action.ACCESS_KEEP)
    def on_keep(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user, item_id = body["user"]["id"], button_id(body)
        with deps.runtime.db.session_scope() as session:
            item = decisions.item_for(item_id, user, db_session=session)  # refuses others' items
            account = session.get(AccessAccount, item.account_id)
            review_id, ask = item.review_id, decisions.needs_reason(item)
            if not ask:
                decisions.decide(item_id, decisions.KEEP, user_id=user, db_session=session)
        if ask:
            name = account.account_id if account else str(item_id)
            view = reason_modal(item_id, name, f"{item_id}|{where(body)}")
            client.views_open(trigger_id=body["trigger_id"], view=view)
            return
        show_page(deps, client, user, where(body), review_id, item_id=item_id)

    @app.action(Action.ACCESS_REVOKE)
    def on_revoke(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user, item_id = body["user"]["id"], button_id(body)
        with deps.runtime.db.session_scope() as session:
            done = decisions.decide(item_id, decisions.REVOKE, user_id=user, db_session=session)
            review_id = done.item.review_id
        show_page(deps, client, user, where(body), review_id, item_id=item_id)

    @app.action(Action.ACCESS_KEEP_ALL)
    def on_keep_all(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user, review_id = body["user"]["id"], button_id(body)
        with deps.runtime.db.session_scope() as session:
            decisions.keep_remaining(review_id, user_id=user, db_session=session)
        show_page(deps, client, user, where(body), review_id)

    @app.action(Action.ACCESS_REMOVED)
    def on_removed(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user, removal_id = body["user"]["id"], button_id(body)
        with deps.runtime.db.session_scope() as session:
            removals.removal_for(
                removal_id,
                user_id=user,
                is_security=deps.runtime.team.contains(user),
                db_session=session,
            )
        view = removed_modal(removal_id, f"{removal_id}|{where(body)}")
        client.views_open(trigger_id=body["trigger_id"], view=view)
