"""Campaign delivery figures: `python benchmarks/bench_delivery.py [--people N] [--rate R] [--json]`.

A campaign to N people is delivered by real worker processes through the real Web API client to the
local fake Slack, which allows `--rate` chat.postMessage calls per second (a sliding one-second
window) and refuses a further share at random with HTTP 429. Three scenarios, each on a fresh
database: one worker; one worker killed with SIGKILL at a random moment and started again; two
workers at once, each paced at half the rate. Prints what was achieved; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # tests.fake_slack lives beside the packages, not inside them
    sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from core.config import Settings  # noqa: E402
from core.db import Database, dispose_engines  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.models import Outbox  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class Result:
    """One scenario's figures."""

    scenario: str
    people: int
    rate: float
    workers: int
    seconds: float
    msgs_per_s: float
    share_of_rate: float
    http_429: int
    duplicates: int
    missed: int
    not_sent_in_db: int
    reconciled: int = 0
    killed_after_s: float | None = None
    restart_gap_s: float | None = None


def _settings(db_url: str, api_url: str, rate: float) -> Settings:
    return Settings(
        database_url=db_url,
        slack_api_url=api_url,
        slack_bot_token="xoxb-test",  # type: ignore[arg-type]
        delivery_rate=rate,
    )


def _worker(
    db_url: str, api_url: str, rate: float, stale_claim_s: float | None, report: Any
) -> None:
    """One worker process: deliver everything that is queued, then exit."""
    from bot.blocks.messages import render
    from bot.slack_client import make_client
    from jobs import delivery
    from jobs.runner import Jobs

    logging.basicConfig(level=logging.WARNING)
    if stale_claim_s is not None:
        # A restarted worker knows its predecessor is dead; production waits STALE_CLAIM instead.
        delivery.STALE_CLAIM = timedelta(seconds=stale_claim_s)
    settings = _settings(db_url, api_url, rate)
    jobs = Jobs(Database(db_url), settings, make_client(settings), render=render)
    stats = jobs.deliver(datetime.now(UTC))
    report.put(stats.reconciled)


def _fresh_database(kind: str, workdir: Path, pg_server: str) -> tuple[str, str | None]:
    """A migrated, empty database; returns (url, PostgreSQL database name to drop or None)."""
    if kind == "sqlite":
        url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        upgrade(url)
        return url, None
    name = f"cbbench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = pg_server.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    return url, name


def _drop(pg_server: str, name: str | None) -> None:
    if name is None:
        return
    dispose_engines()
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _queue_campaign(db_url: str, fake: FakeSlack, people: int, rate: float) -> None:
    from bot.slack_client import make_client
    from core.campaigns import service as campaigns

    fake.users.clear()
    for n in range(people):
        fake.add_user(f"U{n:06d}")
    settings = _settings(db_url, fake.url, rate)
    with Database(db_url).session_scope() as session:
        campaigns.start(
            make_client(settings),
            db_session=session,
            title="Security awareness 2026",
            audience_spec="all",
            due=datetime.now(UTC) + timedelta(days=14),
            created_by="UBENCH",
            reminder_days=3,
        )


def _count(db_url: str, fake: FakeSlack, people: int) -> tuple[int, int, int]:
    """(duplicates, missed, rows not marked sent) from what Slack received and what the DB says."""
    per_person: Counter[str] = Counter()
    for channel, messages in fake.history.items():
        for message in messages:
            key = ((message.get("metadata") or {}).get("event_payload") or {}).get("key", "")
            per_person[f"{channel}:{key}"] += 1
    duplicates = sum(n - 1 for n in per_person.values() if n > 1)
    missed = people - len({k.split(":", 1)[0] for k in per_person})
    with Database(db_url).session_scope() as session:
        unsent = session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.status != "sent")
        )
    return duplicates, missed, int(unsent or 0)


def _spawn(
    ctx: Any, report: Any, db_url: str, fake: FakeSlack, rate: float, stale: float | None = None
) -> mp.process.BaseProcess:
    proc: mp.process.BaseProcess = ctx.Process(
        target=_worker, args=(db_url, fake.url, rate, stale, report)
    )
    proc.start()
    return proc


def run(
    scenario: str, *, people: int, rate: float, random_429: float, db: str, pg: str, seed: int
) -> Result:
    """Deliver one campaign under `scenario` (single, killed, two-workers) and measure it."""
    ctx = mp.get_context("spawn")
    report = ctx.Queue()  # each worker that finishes puts how many crashed claims it reconciled
    fake = FakeSlack().start()
    fake.rate_limit = rate
    fake.random = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        url, pg_name = _fresh_database(db, Path(tmp), pg)
        try:
            _queue_campaign(url, fake, people, rate)
            fake.random_429 = random_429
            killed_after = gap = None
            started = time.monotonic()
            finished = 1  # workers that ran to the end (and so reported)
            if scenario == "two-workers":
                finished = 2
                procs = [_spawn(ctx, report, url, fake, rate / 2) for _ in range(2)]
                for proc in procs:
                    proc.join()
            elif scenario == "killed":
                proc = _spawn(ctx, report, url, fake, rate)
                killed_after = random.Random(seed).uniform(0.15, 0.75) * people / rate
                proc.join(timeout=killed_after)
                if proc.is_alive():
                    proc.kill()  # SIGKILL: no cleanup, a claim may be left mid-send
                    proc.join()
                before = len(fake.sent_at)
                down_at = time.monotonic()
                proc = _spawn(ctx, report, url, fake, rate, stale=0.0)
                proc.join()
                after = fake.sent_at[before:]
                gap = (after[0] - down_at) if after else None
            else:
                proc = _spawn(ctx, report, url, fake, rate)
                proc.join()
            seconds = time.monotonic() - started
            sent = fake.sent_at
            span = (sent[-1] - sent[0]) if len(sent) > 1 else seconds
            duplicates, missed, unsent = _count(url, fake, people)
            reconciled = sum(report.get(timeout=30) for _ in range(finished))
            achieved = (len(sent) - 1) / span if span > 0 else 0.0
            return Result(
                scenario=scenario,
                people=people,
                rate=rate,
                workers=2 if scenario == "two-workers" else 1,
                seconds=round(seconds, 1),
                msgs_per_s=round(achieved, 2),
                share_of_rate=round(achieved / rate, 3),
                http_429=fake.throttled,
                duplicates=duplicates,
                missed=missed,
                not_sent_in_db=unsent,
                reconciled=reconciled,
                killed_after_s=round(killed_after, 1) if killed_after else None,
                restart_gap_s=round(gap, 1) if gap is not None else None,
            )
        finally:
            fake.stop()
            dispose_engines()
            _drop(pg, pg_name)


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios and print a table (or JSON lines)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument(
        "--rate", type=float, default=20.0, help="allowed chat.postMessage per second"
    )
    parser.add_argument(
        "--random-429", type=float, default=0.002, help="share refused with 429 at random"
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--pg-server", default=PG_SERVER, help="PostgreSQL used with --db postgresql"
    )
    parser.add_argument(
        "--scenario", action="append", choices=["single", "killed", "two-workers"], default=None
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="one JSON object per scenario")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    console = Console(width=140)
    results = []
    for scenario in args.scenario or ["single", "killed", "two-workers"]:
        if not args.json:
            console.print(f"[dim]{scenario}: {args.people} people at {args.rate:g}/s on {args.db}…")
        result = run(
            scenario,
            people=args.people,
            rate=args.rate,
            random_429=args.random_429,
            db=args.db,
            pg=args.pg_server,
            seed=args.seed,
        )
        results.append(result)
        if args.json:
            print(json.dumps(asdict(result)), flush=True)
    if not args.json:
        table = Table(title=f"Delivery: {args.people} people, {args.rate:g}/s allowed, {args.db}")
        for col in (
            "scenario",
            "msgs/s",
            "share of rate",
            "429s",
            "duplicates",
            "missed",
            "unsent",
        ):
            table.add_column(col, justify="left" if col == "scenario" else "right")
        for r in results:
            name = r.scenario
            if r.killed_after_s is not None:
                name += f" (killed at {r.killed_after_s:g}s, back after {r.restart_gap_s}s)"
            table.add_row(
                name,
                f"{r.msgs_per_s:.2f}",
                f"{r.share_of_rate:.3f}",
                str(r.http_429),
                str(r.duplicates),
                str(r.missed),
                str(r.not_sent_in_db),
                str(r.reconciled),
            )
        console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
