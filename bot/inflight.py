"""Slack requests acknowledged but not yet finished: waited for on stop, taken up again at start."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest

from bot.idempotency import abandon, finish, take_unfinished
from core.db import Database

log = logging.getLogger(__name__)

# Context keys: the callable that marks a request finished, and "this is a resumed request".
WORK = "compliance_bot_work"
RESUMED = "compliance_bot_resumed"


class InFlight:
    """The requests this process has acknowledged and whose listener has not returned yet."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._changed = threading.Condition()
        self._work: dict[int, str | None] = {}
        self._tokens = itertools.count(1)

    def start(self, key: str | None) -> Callable[[], None]:
        """Count a request as in flight; the returned callable marks it finished (once)."""
        with self._changed:
            token = next(self._tokens)
            self._work[token] = key
        return lambda: self._done(token)

    def _done(self, token: int) -> None:
        with self._changed:
            if token not in self._work:
                return
            key = self._work[token]
        try:
            if key is not None:
                with self._db.session_scope() as session:
                    finish(key, db_session=session)
        except Exception:  # noqa: BLE001 - bookkeeping only: the work itself is done
            log.exception("could not mark Slack request %s finished", key)
        finally:
            with self._changed:
                self._work.pop(token, None)
                self._changed.notify_all()

    @property
    def count(self) -> int:
        """How many requests are in flight."""
        with self._changed:
            return len(self._work)

    def wait_idle(self, timeout: float) -> bool:
        """Wait up to timeout seconds for every listener to return; whether they all did."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._work:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def abandon_rest(self) -> list[str]:
        """Record what is still running as abandoned (the next start takes it up); its keys."""
        with self._changed:
            keys = [k for k in self._work.values() if k is not None]
        with self._db.session_scope() as session:
            abandon(keys, db_session=session)
        return keys


def resume_unfinished(app: App, db: Database) -> int:
    """Run again the requests a previous process acknowledged but did not finish; how many."""
    with db.session_scope() as session:
        bodies = take_unfinished(db_session=session)
    for body in bodies:
        # Socket-mode requests carry a parsed body and no signature, which is what a stored body is.
        request = BoltRequest(body=body, mode="socket_mode", context={RESUMED: True})
        response = app.dispatch(request)
        log.info("resumed an unfinished Slack request (status %s)", response.status)
    return len(bodies)


def finished(context: dict[str, Any]) -> None:
    """Mark the request whose context this is finished (its listener returned or was not found)."""
    work = context.pop(WORK, None)
    if work is not None:
        work()
