"""The ledger witness posts an export lists, with their Slack permalinks: the chain anchored outside."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import LedgerWitness
from core.spreadsheet import csv_bytes

WITNESS_FILE = "witnesses.csv"
WITNESS_HEADER = ["seq", "hash", "posted_at", "channel", "ts", "permalink"]

Permalinks = Mapping[tuple[str, str], str]  # (channel, ts) -> the post's permalink


@dataclass(frozen=True)
class WitnessPost:
    """One head the bot posted to the security channel."""

    seq: int
    hash: str
    posted_at: datetime
    channel: str
    ts: str


def witness_posts(
    *, db_session: Session, since: datetime | None, head_seq: int | None = None
) -> list[WitnessPost]:
    """The posts made since the range's start (all without one), up to the head, oldest first."""
    query = select(LedgerWitness).order_by(LedgerWitness.seq, LedgerWitness.id)
    if since is not None:
        query = query.where(LedgerWitness.posted_at >= since)
    if head_seq is not None:
        query = query.where(LedgerWitness.seq <= head_seq)
    return [
        WitnessPost(w.seq, w.hash, w.posted_at, w.channel or "", w.ts or "")
        for w in db_session.scalars(query)
    ]


def fetch_permalinks(
    client: WebClient | None, posts: list[WitnessPost]
) -> dict[tuple[str, str], str]:
    """Ask Slack for each post's permalink; call it outside any transaction (it is network)."""
    links: dict[tuple[str, str], str] = {}
    if client is None:
        return links
    for post in posts:
        if not post.channel or not post.ts or (post.channel, post.ts) in links:
            continue
        try:
            answer = client.chat_getPermalink(channel=post.channel, message_ts=post.ts)
        except SlackApiError:
            continue  # a deleted post or a channel the bot left: listed without a link
        permalink = answer.get("permalink")
        if isinstance(permalink, str):
            links[(post.channel, post.ts)] = permalink
    return links


def witness_table(posts: list[WitnessPost], permalinks: Permalinks) -> bytes:
    """witnesses.csv: each post's record, hash and time, and where to see it in Slack."""
    return csv_bytes(
        WITNESS_HEADER,
        (
            [
                p.seq,
                p.hash,
                p.posted_at.isoformat(),
                p.channel,
                p.ts,
                permalinks.get((p.channel, p.ts), ""),
            ]
            for p in posts
        ),
    )
