"""New-supplier requests and supplier files in Slack: Slack calls only before or after each write."""

from __future__ import annotations

import logging
import re
from datetime import date

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.suppliers import request_blocks
from bot.errors import UserFacingError
from bot.evidence_flow import fetch
from bot.router import Actor
from bot.runtime import Runtime
from core.models import utcnow
from core.suppliers.models import SupplierRequest
from core.suppliers.requests import set_thread
from core.suppliers.service import (
    assurance_named_in,
    record_assurance,
    supplier_by_ref,
    supplier_named_in,
)

log = logging.getLogger(__name__)
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
USAGE = "`supplier <ID or name> <soc2|iso27001|questionnaire> expires YYYY-MM-DD` with the file attached"


def post_request(runtime: Runtime, client: WebClient, request: SupplierRequest) -> None:
    """Put the request in SECURITY_CHANNEL and remember its thread; a failure is logged."""
    channel = runtime.settings.security_channel
    if not channel:
        log.warning("supplier request %s filed but SECURITY_CHANNEL is not set", request.id)
        return
    blocks = request_blocks(
        request.id, request.name, request.purpose, request.data_shared, request.requested_by
    )
    try:
        posted = client.chat_postMessage(
            channel=channel, text=f"New supplier request: {request.name}", blocks=blocks
        )
    except SlackApiError as exc:
        log.warning("could not post supplier request: %s", exc.response.get("error"))
        return
    with runtime.db.session_scope() as session:
        set_thread(request.id, channel=channel, ts=str(posted["ts"]), db_session=session)


def take_file(runtime: Runtime, actor: Actor, words: str, file_id: str) -> str:
    """A report or certificate DMed for a supplier: kept as its evidence and its assurance renewed."""
    first, _, rest = words.strip().partition(" ")
    with runtime.db.session_scope() as session:
        supplier = supplier_by_ref(first, db_session=session) or supplier_named_in(
            words, db_session=session
        )
        if supplier is None:
            raise UserFacingError(f"Which supplier is this file for? Send it again with {USAGE}.")
        supplier_id, name, owner = supplier.id, supplier.name, supplier.owner_user_id
    if actor.user_id != owner and not actor.is_security:
        raise UserFacingError(
            f"Only the owner of {name} (<@{owner}>) or the security team can send its reports."
        )
    kind = assurance_named_in(rest)
    found = _DATE.search(rest)
    if kind is None or found is None:
        raise UserFacingError(f"Say what the file is and when it expires: {USAGE}.")
    expires = date.fromisoformat(found.group(1))
    upload = fetch(runtime, file_id)  # before the write: no download inside it
    with runtime.db.session_scope() as session:
        kept = record_assurance(
            supplier_id,
            upload,
            kind=kind,
            expires=expires,
            user_id=actor.user_id,
            db_session=session,
            now=utcnow(),
            max_bytes=runtime.settings.evidence_max_bytes,
            days_before=runtime.settings.supplier_assurance_days_before,
        )
        return (
            f"Kept {kept.file_name} as {name}'s {kind} evidence; it expires {expires.isoformat()}."
        )
