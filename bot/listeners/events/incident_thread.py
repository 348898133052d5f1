"""Messages in an incident's thread in SECURITY_CHANNEL: kept as its timeline, files as evidence."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import UserFacingError
from bot.slack_files import download
from core.evidence.service import FileUpload
from core.incidents.service import by_thread
from core.incidents.timeline import Message, RefusedFile, add_message

_ACCEPTED_SUBTYPES = {None, "file_share"}


def _fetch(deps: Deps, client: WebClient, file: dict[str, Any]) -> FileUpload | RefusedFile:
    name = str(file.get("name") or file.get("id") or "file")
    try:
        return download(
            client,
            str(file.get("id") or ""),
            deps.runtime.settings,
            too_big="Only a note of it was kept.",
        )
    except UserFacingError as exc:  # too big, not on Slack's hosts, gone: noted, not stored
        return RefusedFile(name, str(exc))


def register(app: App, deps: Deps) -> None:
    """Register the thread listener (before the DM listener: both take `message` events)."""

    def in_incident_thread(event: dict[str, Any]) -> bool:
        thread = event.get("thread_ts")
        return bool(
            event.get("channel") == deps.runtime.settings.security_channel
            and thread
            and thread != event.get("ts")
            and event.get("user")
            and not event.get("bot_id")
            and event.get("subtype") in _ACCEPTED_SUBTYPES
        )

    @app.event("message", matchers=[in_incident_thread])
    def on_thread_message(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        with deps.runtime.db.session_scope() as session:
            incident = by_thread(event["channel"], event["thread_ts"], db_session=session)
            if incident is None:
                return  # a thread that is not an incident's
            incident_id, ref = incident.id, incident.ref

        def keep() -> None:
            files = tuple(_fetch(deps, client, f) for f in event.get("files") or [])
            message = Message(
                ts=event["ts"],
                author=event["user"],
                at=datetime.fromtimestamp(float(event["ts"]), UTC),
                text=event.get("text") or "",
                files=files,
            )
            with deps.runtime.db.session_scope() as session:
                late = add_message(
                    incident_id,
                    message,
                    db_session=session,
                    max_bytes=deps.runtime.settings.evidence_max_bytes,
                ).late
            notes = [
                f"Not kept on the record: {f.reason}" for f in files if isinstance(f, RefusedFile)
            ]
            if late:
                notes.insert(
                    0, f"{ref} is closed: your message is kept on its record, marked late."
                )
            if notes:
                client.chat_postEphemeral(
                    channel=event["channel"], user=event["user"], text="\n".join(notes)
                )

        if event.get("files"):
            deps.offload(body, client, keep)  # downloads may take EVIDENCE_DOWNLOAD_SECONDS
        else:
            keep()
