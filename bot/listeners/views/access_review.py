"""Access review modals: a reason to keep, a removal confirmed, a review started."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.common import submitted
from bot.deps import Deps
from bot.errors import FieldError, UserFacingError
from bot.ids import Block, View
from bot.listeners.actions.access_review import show, show_page
from bot.slack_files import download
from bot.slack_text import parse_id
from core.access_reviews import decisions, removals, service
from core.access_reviews.errors import AccessReviewError
from core.access_reviews.people import remember_slack, slack_members
from core.campaigns.service import due_at_end_of
from core.models import utcnow


def _metadata(view: dict[str, Any]) -> tuple[int, str]:
    raw_id, _, at = str(view.get("private_metadata") or "").partition("|")
    found = parse_id(raw_id)
    if found is None:
        raise UserFacingError("That form no longer works; click the button again.")
    return found, at


def register(app: App, deps: Deps) -> None:
    """Register access review modals."""

    @app.view(View.ACCESS_REASON)
    def on_reason(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = body["user"]["id"]
        item_id, at = _metadata(view)
        reason = submitted(view, Block.ACCESS_REASON) or ""
        try:
            # Recorded before the ack: a refusal (no reason, closed review) shows in the modal.
            with deps.runtime.db.session_scope() as session:
                done = decisions.decide(
                    item_id, decisions.KEEP, user_id=user, reason=reason, db_session=session
                )
                review_id = done.item.review_id
        except AccessReviewError as exc:
            raise FieldError(str(exc), Block.ACCESS_REASON) from None
        ack()
        show_page(deps, client, user, at, review_id, item_id=item_id)

    @app.view(View.ACCESS_REMOVED)
    def on_removed(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = body["user"]["id"]
        removal_id, at = _metadata(view)
        note = submitted(view, Block.ACCESS_NOTE)
        files = submitted(view, Block.ACCESS_FILE, "files") or []
        security = deps.runtime.team.contains(user)
        with deps.runtime.db.session_scope() as session:  # refusals show in the modal
            removals.removal_for(removal_id, user_id=user, is_security=security, db_session=session)
        ack()
        done = partial(_mark_removed, deps, client, user, at, removal_id, note, security)
        if files:
            # A file may take EVIDENCE_DOWNLOAD_SECONDS to fetch: not on the listener workers.
            deps.offload(body, client, partial(done, str(files[0]["id"])))
        else:
            done(None)

    @app.view(View.ACCESS_START)
    def on_start(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = body["user"]["id"]
        if not deps.runtime.team.contains(user):
            raise FieldError(
                "Only the security team can start access reviews.", Block.ACCESS_SYSTEMS
            )
        systems, mode, due = _start_form(deps, view)
        ack()
        # users.list pages through the whole workspace: after the ack, outside any transaction.
        members = slack_members(client)
        settings = deps.runtime.settings
        with deps.runtime.db.session_scope() as session:
            remember_slack(members, db_session=session)
            review = service.start(
                db_session=session,
                systems=systems,
                mode=mode,
                due=due,
                created_by=user,
                security=[m for m in settings.security_team if m[:1] in {"U", "W"}],
                zone=settings.zone,
            )
            st = service.status(review.id, db_session=session)
        client.chat_postMessage(
            channel=user,
            text=f"Access review #{st.id} started: {st.items} accounts in {', '.join(st.systems)} "
            f"for {len(st.reviewers)} reviewer(s); their invitations are on their way.",
        )


def _mark_removed(
    deps: Deps,
    client: WebClient,
    user: str,
    at: str,
    removal_id: int,
    note: str | None,
    security: bool,
    file_id: str | None,
) -> None:
    """Fetch the optional file, record the removal as done and update the owner's message."""
    settings = deps.runtime.settings
    upload = download(client, file_id, settings) if file_id else None
    with deps.runtime.db.session_scope() as session:
        removal = removals.mark_done(
            removal_id,
            user_id=user,
            is_security=security,
            note=note,
            upload=upload,
            max_bytes=settings.evidence_max_bytes,
            db_session=session,
        )
        system, account = removal.system, removal.account
    text = f":white_check_mark: Removal of {account} from {system} recorded as done by <@{user}>."
    show(client, user, at, {"text": text, "blocks": []})


def _start_form(deps: Deps, view: dict[str, Any]) -> tuple[list[str], str, datetime]:
    """Systems, reviewer mode and due instant from the start modal (a FieldError names the field)."""
    try:
        systems = service.parse_systems(submitted(view, Block.ACCESS_SYSTEMS) or "")
        with deps.runtime.db.session_scope() as session:
            service.check_systems(systems, db_session=session)
    except AccessReviewError as exc:
        raise FieldError(str(exc), Block.ACCESS_SYSTEMS) from None
    mode = (submitted(view, Block.ACCESS_REVIEWER, "selected_option") or {}).get("value")
    if mode not in {"manager", "owner"}:
        raise FieldError("Choose who reviews.", Block.ACCESS_REVIEWER)
    picked = submitted(view, Block.ACCESS_DUE, "selected_date")
    zone = deps.runtime.settings.zone
    due = due_at_end_of(datetime.fromisoformat(picked).date(), zone) if picked else None
    if due is None or due <= utcnow():
        raise FieldError("Pick a date in the future.", Block.ACCESS_DUE)
    return systems, str(mode), due
