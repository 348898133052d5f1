"""The campaigns tick: Slack lists rolling audiences first, then one write queues what is due."""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient

from core.campaigns import audience, schedule
from core.db import Database


def tick(
    now: datetime,
    *,
    db: Database,
    client: WebClient | None,
    reminder_days: int,
    security_channel: str | None,
) -> None:
    """Reminders, rolling audiences and overdue reports due now; no Slack call inside the write."""
    with db.session_scope() as session:
        rolling = [
            (c.id, c.audience, c.include_guests)
            for c in schedule.audiences_to_sync(now, db_session=session)
        ]
    people: dict[int, list[str]] = {}
    if client is not None:
        for campaign_id, spec, include_guests in rolling:
            people[campaign_id] = audience.resolve(
                client, audience.parse(spec), include_guests=include_guests
            )
    with db.session_scope() as session:
        schedule.run_due(
            now,
            db_session=session,
            reminder_days=reminder_days,
            security_channel=security_channel,
            audiences=people,
        )
