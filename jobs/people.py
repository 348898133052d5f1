"""People's Slack time zones (users.info), cached on a row, and working hours in their own zone."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from core.models import Person, utcnow

log = logging.getLogger(__name__)
REFRESH = timedelta(days=7)


def stale(user_ids: Iterable[str], *, db_session: Session) -> list[str]:
    """The people we know nothing of, or whose profile is more than a week old."""
    out = []
    for user_id in sorted(set(user_ids)):
        person = db_session.get(Person, user_id)
        if person is None or person.refreshed_at < utcnow() - REFRESH:
            out.append(user_id)
    return out


def fetch(client: WebClient, user_ids: list[str]) -> dict[str, dict[str, Any]]:
    """users.info for each person (call it outside any transaction); failures are left out."""
    profiles = {}
    for user_id in user_ids:
        try:
            profiles[user_id] = dict(client.users_info(user=user_id)["user"])
        except SlackApiError as exc:
            log.info("no time zone for %s: %s", user_id, exc.response.get("error"))
    return profiles


def remember(profiles: dict[str, dict[str, Any]], *, db_session: Session) -> None:
    """Store the time zone and email of each fetched profile."""
    for user_id, user in profiles.items():
        person = db_session.get(Person, user_id)
        if person is None:
            person = Person(user_id=user_id)
            db_session.add(person)
        person.tz = user.get("tz")
        person.email = (user.get("profile") or {}).get("email")
        person.refreshed_at = utcnow()


def zone_of(user_id: str, *, db_session: Session, default: ZoneInfo) -> ZoneInfo:
    """The person's stored Slack time zone, or default when unknown."""
    person = db_session.get(Person, user_id)
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
