"""Evidence on every surface: one unit of work per step, and Slack only before or after it.

Reading which control is meant, fetching a file, recording it and telling the security team are
separate steps here so that no network call happens inside a write transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from slack_sdk.errors import SlackApiError

from bot.blocks.evidence import review_blocks
from bot.errors import UserFacingError
from bot.router import Actor
from bot.runtime import Runtime
from bot.slack_files import download
from core.evidence import handin
from core.evidence.handin import Control, HandedIn
from core.evidence.service import FileUpload

log = logging.getLogger(__name__)


def find_controls(runtime: Runtime, target: str) -> list[Control]:
    """Register controls for a typed ref or catalogue ID (read only); an unknown one is refused."""
    with runtime.db.session_scope() as session:
        return handin.find_controls(
            target,
            db_session=session,
            catalogue=runtime.catalogue,
            equivalents=runtime.equivalents,
        )


def fetch(runtime: Runtime, file_id: str) -> FileUpload:
    """A file shared in Slack, downloaded before any write begins."""
    if runtime.slack is None:
        raise UserFacingError("Files can only be handed in through Slack.")
    return download(runtime.slack, file_id, runtime.settings)


def hand_in(
    runtime: Runtime,
    actor: Actor,
    controls: Sequence[Control],
    *,
    text: str = "",
    link: str | None = None,
    file_id: str | None = None,
    effective: date | None = None,
    surface: str = "slack",
) -> HandedIn:
    """Fetch the file if one is named, record the evidence in one unit of work, then ask for review."""
    upload = fetch(runtime, file_id) if file_id else None  # before the write: no download inside it
    result = record(
        runtime,
        actor,
        controls,
        text=text,
        link=link,
        upload=upload,
        effective=effective,
        surface=surface,
    )
    post_reviews(runtime, result)
    return result


def record(
    runtime: Runtime,
    actor: Actor,
    controls: Sequence[Control],
    *,
    text: str = "",
    link: str | None = None,
    upload: FileUpload | None = None,
    effective: date | None = None,
    surface: str = "slack",
) -> HandedIn:
    """Record the evidence in one unit of work, with no Slack call (a modal does it before its ack)."""
    with runtime.db.session_scope() as session:
        return handin.hand_in(
            [c.id for c in controls],
            db_session=session,
            submitted_by=actor.user_id,
            text=text,
            link=link,
            upload=upload,
            effective=effective,
            zone=runtime.settings.zone,
            max_bytes=runtime.settings.evidence_max_bytes,
            surface=surface,
        )


def post_reviews(runtime: Runtime, result: HandedIn) -> None:
    """One review request per recorded submission in the security channel; a failure is logged."""
    channel = runtime.settings.security_channel
    if runtime.slack is None or not channel:
        return
    for done in result.recorded:
        blocks = review_blocks(
            request_id=done.request_id,
            control_ref=done.control.ref,
            control_title=done.control.title,
            period=done.period,
            submitted_by=result.submitted_by,
            text=result.text,
            link=result.link,
            file_name=result.file_name,
        )
        text = (
            f"Evidence for {done.control.ref} ({done.period}) from <@{result.submitted_by}> "
            "needs review"
        )
        try:
            runtime.slack.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except SlackApiError as exc:
            log.warning("could not post review request: %s", exc.response.get("error"))
