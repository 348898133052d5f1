"""Access review figures: `python benchmarks/bench_access_review.py [--people N] [--systems S] [--rate R]`.

N people (default 500) each hold an account in S systems (default 20): N x S accounts, 5% privileged,
2% matching nobody. Prints, on a fresh SQLite database (or DATABASE_URL if given): the time to
import and match every system, to start the review (assign with segregation of duties, queue one DM
per reviewer), to deliver the DMs through the paced sender to the local fake Slack (which allows
--rate chat.postMessage per second), the time to build the auditor's files, and peak RSS.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # tests.fake_slack lives beside the packages, not inside them
    sys.path.insert(0, str(ROOT))

from slack_sdk import WebClient  # noqa: E402

from bot.blocks.messages import render  # noqa: E402
from core.access_reviews import service  # noqa: E402
from core.access_reviews.export import export_files  # noqa: E402
from core.access_reviews.files import AccountRow, PersonRow  # noqa: E402
from core.access_reviews.people import import_people, remember_slack  # noqa: E402
from core.access_reviews.snapshots import store_snapshot  # noqa: E402
from core.db import Database  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from jobs.delivery import Pacer, deliver  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402


def _people(n: int) -> tuple[list[dict[str, object]], list[PersonRow]]:
    """n Slack members in teams of ten, each team's first member managing the other nine."""
    members = [{"id": f"U{i:05d}", "profile": {"email": f"p{i}@example.com"}} for i in range(n)]
    rows = [
        PersonRow(
            f"p{i}@example.com", f"p{(i // 10) * 10}@example.com" if i % 10 else None, "eng", False
        )
        for i in range(n)
    ]
    return members, rows


def _accounts(n: int, system: int, rng: random.Random) -> list[AccountRow]:
    rows = []
    for i in range(n):
        unmatched = rng.random() < 0.02
        email = f"stranger{system}-{i}@gmail.com" if unmatched else f"p{i}@example.com"
        rows.append(
            AccountRow(
                account_id=f"acct{i}",
                email=email,
                role="admin" if rng.random() < 0.05 else "member",
                privileged=rng.random() < 0.05,
            )
        )
    return rows


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Run once and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--systems", type=int, default=20)
    parser.add_argument("--rate", type=float, default=50.0)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    upgrade(url)
    db = Database(url)
    rng = random.Random(7)
    members, people = _people(args.people)
    t0 = time.perf_counter()
    with db.session_scope() as session:
        remember_slack(members, db_session=session)
        import_people(people, db_session=session, actor="bench")
    names = [f"system{s:02d}" for s in range(args.systems)]
    for s, name in enumerate(names):
        rows = _accounts(args.people, s, rng)
        with db.session_scope() as session:
            store_snapshot(
                name,
                rows,
                db_session=session,
                raw=repr(rows).encode(),
                media_type="text/plain",
                source=f"bench:{name}",
                taken_by="bench",
                owner_email="p0@example.com",
            )
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    with db.session_scope() as session:
        review = service.start(
            db_session=session,
            systems=names,
            mode="manager",
            due=datetime.now(UTC) + timedelta(days=14),
            created_by="bench",
            security=["USEC1"],
            zone=UTC,
        )
        st = service.status(review.id, db_session=session)
    t_start = time.perf_counter() - t0
    fake = FakeSlack().start()
    fake.rate_limit = args.rate
    for member in [*members, {"id": "USEC1"}]:
        fake.add_user(str(member["id"]))
    client = WebClient(token="xoxb-bench", base_url=fake.url)
    t0 = time.perf_counter()
    stats = deliver(
        db,
        client,
        worker="bench",
        pacer=Pacer(args.rate),
        render=lambda k, c: render(k, c, zone=UTC),
    )
    t_send = time.perf_counter() - t0
    fake.stop()
    t0 = time.perf_counter()
    with db.session_scope() as session:
        files = export_files(db_session=session, zone=UTC)
    t_export = time.perf_counter() - t0
    print(
        f"accounts: {st.items:,} in {args.systems} systems for {args.people} people; {len(st.reviewers)} reviewers"
    )
    print(f"import + match all systems: {t_import:.2f} s")
    print(f"start (assign with segregation of duties, queue DMs): {t_start:.2f} s")
    rate = stats.sent / t_send if t_send else 0.0
    print(
        f"DMs sent: {stats.sent} in {t_send:.2f} s = {rate:.1f}/s against an allowed {args.rate:g}/s "
        f"({rate / args.rate:.0%}); 429s: {fake.throttled}"
    )
    size = sum(len(v) for v in files.values()) / 1e6
    print(f"auditor files (CSV, page, snapshots): {t_export:.2f} s, {size:.1f} MB")
    print(f"peak RSS: {_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
