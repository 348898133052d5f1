"""People's Slack time zones (users.info), cached on a row, and working hours in their own zone."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from core.models import Person, utcnow

log = logging.getLogger(__name__)
REFRESH = timedelta(days=7)


def zone_of(
    user_id: str, *, db_session: Session, client: WebClient | None, default: ZoneInfo
) -> ZoneInfo:
    """The person's Slack time zone (cached a week), or default when unknown."""
    person = db_session.get(Person, user_id)
    if client is not None and (person is None or person.refreshed_at < utcnow() - REFRESH):
        try:
            user = client.users_info(user=user_id)["user"]
            if person is None:
                person = Person(user_id=user_id)
                db_session.add(person)
            person.tz = user.get("tz")
            person.email = (user.get("profile") or {}).get("email")
            person.refreshed_at = utcnow()
        except SlackApiError as exc:
            log.info("no time zone for %s: %s", user_id, exc.response.get("error"))
    if person is not None and person.tz:
        try:
            return ZoneInfo(person.tz)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return default


def next_working_time(when: datetime, zone: ZoneInfo, start_hour: int, end_hour: int) -> datetime:
    """`when` if it falls in working hours (Mon-Fri) in zone, else the next working-hours start."""
    local = when.astimezone(zone)
    for _ in range(8):
        if local.weekday() < 5 and start_hour <= local.hour < end_hour:
            return local.astimezone(when.tzinfo)
        if local.weekday() < 5 and local.hour < start_hour:
            local = datetime.combine(local.date(), time(start_hour), tzinfo=zone)
            continue
        local = datetime.combine(local.date() + timedelta(days=1), time(start_hour), tzinfo=zone)
    return local.astimezone(when.tzinfo)
