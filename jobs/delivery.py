"""The one paced sender: every message is claimed in the database before it is sent, never twice."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.db import Database, affected
from core.models import Outbox, utcnow
from core.outbox import Ref, enqueue

log = logging.getLogger(__name__)

METADATA_EVENT = "compliance_bot_send"
STALE_CLAIM = timedelta(minutes=5)
# Slack counts calls in one-second windows on its own clock. Spaced at exactly the allowed rate, any
# network delay on the first call of a window trips the limit (and costs a Retry-After pause), so
# `rate` messages are spread over a second plus this guard.
WINDOW_GUARD = 0.05
MAX_ATTEMPTS = 5
# A failed attempt waits 30 s, then 1, 2 and 4 minutes (each give or take a fifth, so rows that failed
# together do not come back together): five attempts span about eight minutes of Slack outage.
FIRST_BACKOFF = timedelta(seconds=30)
# A permanent failure is told to SECURITY_CHANNEL in a message of this kind (never reported itself).
DELIVERY_FAILED = "delivery_failed"
# Errors that will not get better by retrying: the recipient is gone or unreachable.
PERMANENT = {
    "user_not_found",
    "account_inactive",
    "channel_not_found",
    "is_archived",
    "not_in_channel",
    "user_disabled",
    "cannot_dm_bot",
    "invalid_blocks",
    "msg_too_long",
    "no_text",
}
AfterSend = Callable[[Session, Outbox], None]
# Lays out a row's plain-data content (by kind) as chat.postMessage arguments.
LayOut = Callable[[str, dict[str, Any]], dict[str, Any]]


class Render(Protocol):
    """The surface's layout of queued content, showing days in the given zone."""

    def __call__(self, kind: str, content: dict[str, Any], *, zone: tzinfo) -> dict[str, Any]:
        """chat.postMessage arguments for one row."""
        ...


class Pacer:
    """A workspace-wide token bucket plus at most one message per second to any one channel."""

    def __init__(self, rate: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = (1.0 + WINDOW_GUARD) / rate
        self.sleep = sleep
        self._next = 0.0
        self._per_channel: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, channel: str) -> None:
        """Block until a message to channel may go out."""
        with self._lock:
            now = time.monotonic()
            at = max(now, self._next, self._per_channel.get(channel, 0.0))
            self._next = at + self.interval
            self._per_channel[channel] = at + 1.0 + WINDOW_GUARD
        if at > now:
            self.sleep(at - now)

    def pause(self, seconds: float) -> None:
        """Slack said slow down: nothing goes out for `seconds`."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)


@dataclass
class DeliveryStats:
    """What one delivery pass did."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    reconciled: int = 0
    rate_limited: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    outage: bool = False  # Slack answered 5xx: the pass stopped, the rest waits for the next tick


def _claim_next(db: Database, worker: str, now: datetime, kinds: set[str] | None) -> Outbox | None:
    with db.session_scope() as session:
        stmt = select(Outbox.id).where(Outbox.status == "pending", Outbox.not_before <= now)
        if kinds:
            stmt = stmt.where(Outbox.kind.in_(kinds))
        for candidate in session.scalars(stmt.order_by(Outbox.not_before, Outbox.id).limit(5)):
            claimed = affected(
                session,
                update(Outbox)
                .where(Outbox.id == candidate, Outbox.status == "pending")
                .values(
                    status="claimed",
                    claimed_by=worker,
                    claimed_at=utcnow(),
                    attempts=Outbox.attempts + 1,
                ),
            )
            if claimed == 1:
                session.flush()
                row = session.get(Outbox, candidate)
                assert row is not None
                session.expunge(row)
                return row
    return None


def _dm_channel(client: WebClient, recipient: str) -> str:
    if recipient.startswith(("U", "W")):
        return str(client.conversations_open(users=recipient)["channel"]["id"])
    return recipient


def reconcile(
    db: Database,
    client: WebClient,
    now: datetime,
    after_send: Mapping[str, AfterSend] | None = None,
) -> int:
    """Claims left by a crash: find the message in history (then mark it sent) or release it.

    The stale claims are read first and Slack's history is searched outside any transaction;
    each row is then settled only if it is still the same stale claim. A message found in history
    gets the same after-send step as one sent now (where it landed is recorded).
    """
    hooks = after_send or {}
    stale = Outbox.status == "claimed", Outbox.claimed_at < now - STALE_CLAIM
    with db.session_scope() as session:
        rows = session.execute(select(Outbox.id, Outbox.key, Outbox.recipient).where(*stale)).all()
    found = {row.id: _find_sent(client, row.key, row.recipient) for row in rows}
    fixed = 0
    with db.session_scope() as session:
        for row_id, where in found.items():
            values: dict[str, object] = {"status": "pending", "claimed_by": None}
            if where is not None:
                values = {"status": "sent", "channel": where[0], "ts": where[1], "sent_at": now}
            settled = affected(
                session, update(Outbox).where(Outbox.id == row_id, *stale).values(values)
            )
            fixed += settled
            if settled and where is not None:
                fresh = session.get(Outbox, row_id)
                hook = hooks.get(fresh.kind) if fresh is not None else None
                if hook and fresh is not None:
                    session.refresh(fresh)
                    hook(session, fresh)
    return fixed


def _find_sent(client: WebClient, key: str, recipient: str) -> tuple[str, str] | None:
    """Where the message with this key was posted, from the recipient's history (None if not)."""
    try:
        channel = _dm_channel(client, recipient)
        history = client.conversations_history(
            channel=channel, limit=100, include_all_metadata=True
        )
    except SlackApiError as exc:
        log.warning("cannot check history for %s: %s", key, exc.response.get("error"))
        return None
    messages: list[dict[str, Any]] = history.get("messages", [])
    for message in messages:
        meta = message.get("metadata") or {}
        if (
            meta.get("event_type") == METADATA_EVENT
            and (meta.get("event_payload") or {}).get("key") == key
        ):
            return channel, str(message["ts"])
    return None


def without_rate_limit_retries(client: WebClient) -> WebClient:
    """The same client minus slack-sdk's own 429 and 5xx retries: the worker paces those itself.

    slack-sdk sleeps Retry-After plus up to a second of jitter inside the call; the pacer instead
    holds every send for exactly Retry-After and keeps the rate-limited message's place in the queue.
    A 5xx puts the row off by its own backoff and ends the pass, instead of sleeping in the call.
    """
    ours = (RateLimitErrorRetryHandler, ServerErrorRetryHandler)
    handlers = [h for h in client.retry_handlers if not isinstance(h, ours)]
    if len(handlers) == len(client.retry_handlers):
        return client
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        headers=client.headers,
        ssl=client.ssl,
        proxy=client.proxy,
        logger=client.logger,
        retry_handlers=handlers,
    )


def backoff(attempts: int) -> timedelta:
    """How long a row waits after its attempts-th failed attempt (exponential, with jitter)."""
    return FIRST_BACKOFF * (2 ** max(attempts - 1, 0)) * random.uniform(0.8, 1.2)


def _send(client: WebClient, row: Outbox) -> tuple[str, str]:
    payload = dict(row.payload)
    # The key travels as message metadata so that reconcile() can find the message after a crash.
    payload.setdefault(
        "metadata", {"event_type": METADATA_EVENT, "event_payload": {"key": row.key}}
    )
    resp = client.chat_postMessage(channel=row.recipient, **payload)
    return str(resp["channel"]), str(resp["ts"])


def deliver(
    db: Database,
    client: WebClient,
    *,
    worker: str,
    pacer: Pacer,
    render: LayOut,
    now: Callable[[], datetime] = utcnow,
    limit: int | None = None,
    kinds: set[str] | None = None,
    after_send: Mapping[str, AfterSend] | None = None,
    stop: threading.Event | None = None,
    report_to: str | None = None,
) -> DeliveryStats:
    """Send what is due, paced, until nothing is due (or limit / stop, or Slack answers 5xx).

    A message that fails for good is reported to report_to (SECURITY_CHANNEL), never dropped silently.
    """
    stats = DeliveryStats()
    hooks = after_send or {}
    stats.reconciled = reconcile(db, client, now(), hooks)
    sender = without_rate_limit_retries(client)
    while (limit is None or stats.sent + stats.failed < limit) and not (stop and stop.is_set()):
        row = _claim_next(db, worker, now(), kinds)
        if row is None:
            break
        # The claimed row is detached: the laid-out message replaces its content in memory only.
        row.payload = render(row.kind, row.payload)
        pacer.wait(row.recipient)
        try:
            channel, ts = _send(sender, row)
        except SlackApiError as exc:
            _refused(
                db, row, exc, now=now(), stats=stats, hook=hooks.get(row.kind), report_to=report_to
            )
            if exc.response.status_code == 429:
                pacer.pause(float(exc.response.headers.get("Retry-After", 1) or 1))
            if stats.outage:
                log.warning("Slack answered %s: delivery paused until the next run", exc)
                break
            continue
        except Exception:
            # Unknown outcome (e.g. the connection dropped after sending): leave the claim for reconcile.
            log.exception(
                "send of %s failed with an unknown outcome; it will be reconciled", row.key
            )
            continue
        _sent(db, row, channel, ts, hook=hooks.get(row.kind))
        stats.sent += 1
    return stats


def _sent(db: Database, row: Outbox, channel: str, ts: str, *, hook: AfterSend | None) -> None:
    """Mark the row sent (after the call, in its own write) and run the kind's after-send hook."""
    with db.session_scope() as session:
        session.execute(
            update(Outbox)
            .where(Outbox.id == row.id)
            .values(status="sent", channel=channel, ts=ts, sent_at=utcnow(), error=None)
        )
        fresh = session.get(Outbox, row.id)
        if hook and fresh is not None:
            hook(session, fresh)


def _refused(
    db: Database,
    row: Outbox,
    exc: SlackApiError,
    *,
    now: datetime,
    stats: DeliveryStats,
    hook: AfterSend | None,
    report_to: str | None,
) -> None:
    """Slack said no: wait after a 429, fail for good on a permanent error, else back off."""
    error = str(exc.response.get("error") or "error")[:300]
    status = exc.response.status_code
    rate_limited = status == 429
    if status >= 500:
        stats.outage = True
        error = f"HTTP {status} from Slack"
    with db.session_scope() as session:
        fresh = session.get(Outbox, row.id)
        assert fresh is not None
        if rate_limited:
            stats.rate_limited += 1
            # Being told to wait is not a failed attempt: the message keeps its turn.
            fresh.attempts -= 1
        if not rate_limited and (error in PERMANENT or fresh.attempts >= MAX_ATTEMPTS):
            fresh.status, fresh.error = "failed", error
            stats.failed += 1
            stats.refused.append((row.recipient, error))
            if hook:
                hook(session, fresh)
            _report_failure(fresh, report_to, db_session=session)
        else:
            fresh.status, fresh.claimed_by, fresh.error = "pending", None, error
            if not rate_limited:
                fresh.not_before = now + backoff(fresh.attempts)
            stats.retried += 1


def _report_failure(row: Outbox, report_to: str | None, *, db_session: Session) -> None:
    """Queue a note to the security channel naming the message that could not be delivered."""
    log.error("message %s to %s failed for good: %s", row.key, row.recipient, row.error)
    if report_to is None or row.kind == DELIVERY_FAILED:
        return
    text = (
        f":warning: A {row.kind.replace('_', ' ')} message to <@{row.recipient}> could not be "
        f"delivered after {row.attempts} attempt(s): {row.error}. It will not be sent again; "
        "please follow up with them directly."
    )
    if not row.recipient.startswith(("U", "W")):
        text = text.replace(f"<@{row.recipient}>", f"<#{row.recipient}>")
    enqueue(
        f"failed:{row.key}"[:200],
        DELIVERY_FAILED,
        report_to,
        {"text": text},
        ref=Ref("outbox", row.id),
        db_session=db_session,
    )
