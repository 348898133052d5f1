"""Describers: each domain says, as plain data, what a reminder about one of its items says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from core.reminders.models import DueItem

# describe(item, *, db_session) -> {"title": ..., "text": [...], ...}, or None when already finished.
Describer = Callable[..., dict[str, Any] | None]

_describers: dict[str, Describer] = {}
_loaded = False


def register(domain: str, describe: Describer) -> None:
    """Make `describe` the describer of a domain's due items (registering again replaces it)."""
    _describers[domain] = describe


def _load() -> None:
    """Every domain's describer, registered once on first use (see core/reminders/domains.py)."""
    global _loaded
    if not _loaded:
        _loaded = True
        from core.reminders.domains import register_all

        register_all()


def known(domain: str) -> bool:
    """Whether a domain has a describer."""
    _load()
    return domain in _describers


def describe(item: DueItem, *, db_session: Session) -> dict[str, Any] | None:
    """What a reminder about item says, or None when the thing it is about is finished.

    Raises LookupError for a domain nobody registered.
    """
    _load()
    try:
        describer = _describers[item.domain]
    except KeyError:
        raise LookupError(f"no describer registered for domain '{item.domain}'") from None
    return describer(item, db_session=db_session)
