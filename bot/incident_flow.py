"""Telling people about incidents: the security team's post (or DMs), the reporter, notes in the thread."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.incident import reporter_text, team_blocks
from bot.runtime import Runtime
from core.incidents.service import get, set_thread

log = logging.getLogger(__name__)


def _private_channel(client: WebClient, channel: str | None) -> str | None:
    """The channel when it is private and the bot is in it; else why not (logged), as None."""
    if not channel:
        log.warning("SECURITY_CHANNEL is not set: incidents go to the team by DM")
        return None
    try:
        info = client.conversations_info(channel=channel).get("channel") or {}
    except SlackApiError as exc:
        log.warning("SECURITY_CHANNEL %s unusable (%s)", channel, exc.response.get("error"))
        return None
    # Reports are private: never in a channel everyone can read, nor one the bot cannot post in.
    if not info.get("is_private") or not info.get("is_member"):
        log.warning("SECURITY_CHANNEL %s is public or lacks the bot: DMing the team", channel)
        return None
    return channel


def _post(client: WebClient, channel: str, message: dict[str, Any]) -> str | None:
    try:
        return str(client.chat_postMessage(channel=channel, **message)["ts"])
    except SlackApiError as exc:
        log.warning("could not post to %s: %s", channel, exc.response.get("error"))
        return None


def _dm_team(runtime: Runtime, client: WebClient, message: dict[str, Any]) -> None:
    members = sorted(runtime.team.members())
    if not members:
        log.error("an incident could not reach anyone: set SECURITY_CHANNEL and SECURITY_TEAM")
    for member in members:
        _post(client, member, message)


def announce(runtime: Runtime, client: WebClient, incident_id: int) -> None:
    """Post a new report for the security team (its thread is the working space); tell the reporter."""
    zone = runtime.settings.zone
    with runtime.db.session_scope() as session:
        incident = get(incident_id, db_session=session)
        message = {"text": f"{incident.ref} reported", "blocks": team_blocks(incident, zone)}
    channel = _private_channel(client, runtime.settings.security_channel)
    ts = _post(client, channel, message) if channel else None
    if channel and ts:
        with runtime.db.session_scope() as session:
            set_thread(incident_id, channel, ts, db_session=session)
    else:
        _dm_team(runtime, client, message)
    client.chat_postMessage(
        channel=incident.reporter, text=reporter_text(incident, team_reached_by_dm=ts is None)
    )


def refresh(runtime: Runtime, client: WebClient, incident_id: int, note: str | None) -> None:
    """Update the team's post with what is recorded now and add a note to the thread."""
    with runtime.db.session_scope() as session:
        incident = get(incident_id, db_session=session)
        blocks = team_blocks(incident, runtime.settings.zone)
        channel, ts, ref = incident.channel, incident.thread_ts, incident.ref
    if not (channel and ts):
        return  # reported while the channel was unusable: the team works from their DMs
    client.chat_update(channel=channel, ts=ts, text=f"{ref} updated", blocks=blocks)
    if note:
        client.chat_postMessage(channel=channel, thread_ts=ts, text=note)
