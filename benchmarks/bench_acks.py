"""Ack latency under a slow Slack: `python benchmarks/bench_acks.py [--mentions N] [--commands N] [--delay S]`.

The real app is served over HTTP (waitress, as `serve --http`) against the local fake Slack, whose
chat.postMessage takes --delay seconds. N mentions are sent first, filling bolt's listener threads
with slow answers, then slash commands; each request's round trip is what Slack would measure
against its 3-second deadline. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # tests.fake_slack lives beside the packages, not inside them
    sys.path.insert(0, str(ROOT))

from bot.runtime import Runtime  # noqa: E402
from core.config import load_settings  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402
from tests.fakes import FakeEmbedder  # noqa: E402
from tests.slack_support import ACK_DEADLINE_S, SlackAppServer  # noqa: E402


def _summary(label: str, seconds: list[float], statuses: list[int]) -> str:
    late = sum(
        1 for s, st in zip(seconds, statuses, strict=True) if st != 200 or s >= ACK_DEADLINE_S
    )
    ordered = sorted(seconds)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"{label:<9} n={len(seconds):<4} median {statistics.median(seconds) * 1000:7.1f} ms  "
        f"p95 {p95 * 1000:7.1f} ms  max {max(seconds) * 1000:7.1f} ms  "
        f"not 200 within {ACK_DEADLINE_S:.0f} s: {late}"
    )


def main() -> None:
    """Run the scenario and print ack latencies for mentions and slash commands."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mentions", type=int, default=100)
    parser.add_argument("--commands", type=int, default=20)
    parser.add_argument("--delay", type=float, default=1.0, help="seconds chat.postMessage takes")
    args = parser.parse_args()
    fake = FakeSlack().start()
    fake.delays["chat.postMessage"] = args.delay
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        settings = load_settings(
            _env_file=None,
            database_url=url,
            index_dir=Path(tmp) / "index",
            security_team="USEC1",
            slack_bot_token="xoxb-test",
            slack_signing_secret="test-secret",
            slack_api_url=fake.url,
        )
        server = SlackAppServer(Runtime(settings, embedder=FakeEmbedder()))
        mention_s, mention_st, command_s, command_st = [], [], [], []
        try:
            for n in range(args.mentions):
                event = {
                    "type": "app_mention",
                    "user": "UALICE",
                    "channel": "CGEN",
                    "ts": f"{n}.1",
                    "text": "<@UBOT> help",
                }
                r = server.event(event, event_id=f"EvB{n}", expect=None)
                mention_s.append(r.elapsed)
                mention_st.append(r.status)
            for n in range(args.commands):
                r = server.command("help", response_url=f"{fake.root}/response/b{n}", expect=None)
                command_s.append(r.elapsed)
                command_st.append(r.status)
            print(
                f"slow Slack: chat.postMessage takes {args.delay:.1f} s; bolt has 5 listener threads"
            )
            print(_summary("mentions", mention_s, mention_st))
            print(_summary("commands", command_s, command_st))
            # Let the queued answers finish before the fake Slack goes away.
            fake.wait_for("chat.postMessage", count=args.mentions, timeout=600)
            fake.wait_for("response", count=args.commands, timeout=600)
        finally:
            server.close()
            fake.stop()


if __name__ == "__main__":
    main()
