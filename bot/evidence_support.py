"""Glue between surfaces and the evidence domain: Slack user lookups, catalogue requirement resolution."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from core.evidence.export import Requirement
from knowledge.catalogue import Catalogue

log = logging.getLogger(__name__)


def user_resolver(client: WebClient | None) -> Callable[[str], str | None]:
    """Map an email to a Slack user ID with users.lookupByEmail (None without Slack or when unknown)."""
    cache: dict[str, str | None] = {}

    def resolve(email: str) -> str | None:
        if client is None:
            return None
        if email not in cache:
            try:
                cache[email] = client.users_lookupByEmail(email=email)["user"]["id"]
            except SlackApiError as exc:
                log.warning("cannot resolve %s in Slack: %s", email, exc.response.get("error"))
                cache[email] = None
        return cache[email]

    return resolve


def requirement_resolver(catalogue: Catalogue) -> Callable[[str], str | None]:
    """Map a typed catalogue ID (A.5.18, cc6.1, 2013 IDs) to its canonical 2022 ID."""

    def resolve(raw: str) -> str | None:
        entry, _ = catalogue.resolve(raw)
        return (
            entry.id
            if entry is not None and entry.framework in {"iso27001", "soc2", "org"}
            else None
        )

    return resolve


def requirements(catalogue: Catalogue) -> dict[str, Requirement]:
    """Every catalogue ID as the export needs it."""
    return {e.id: Requirement(e.id, e.title, e.framework) for e in catalogue.entries.values()}


def equivalents(catalogue: Catalogue) -> dict[str, list[str]]:
    """Strong crosswalk partners per ID, so one submission can serve both frameworks."""
    out: dict[str, list[str]] = {}
    for pair in catalogue.pairs:
        if pair.strength in {"equivalent", "partial"}:
            out.setdefault(pair.soc2, []).append(pair.iso)
            out.setdefault(pair.iso, []).append(pair.soc2)
    return out
