"""A verifiable export of a large ledger: `python benchmarks/bench_export_verify.py [--records N]`.

Fills a fresh SQLite database with N answered questions (N ledger records, hash-chained as the bot
chains them) plus the example register with one evidence file, writes the auditor export in a child
process (its own working directory the project's), then runs the shipped verify.py on the ZIP and on the unpacked folder under
`python3 -I -S`. Prints wall and CPU time and peak memory (max RSS) of each step; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from core.db import Database  # noqa: E402
from core.evidence.verifier import GENESIS, canonical, chain_hash  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.models import LedgerRecord, Question  # noqa: E402

BATCH = 5000
START = datetime(2026, 1, 1, tzinfo=UTC)


def fill(url: str, records: int) -> None:
    """N answers as record_question stores them: the question row and its chained ledger record."""
    db = Database(url)
    prev = GENESIS
    with db.session_scope() as session:
        for first in range(1, records + 1, BATCH):
            ledger_rows, questions = [], []
            for seq in range(first, min(first + BATCH, records + 1)):
                asked = START + timedelta(seconds=seq)
                payload = canonical(
                    {
                        "question": seq,
                        "user": f"U{seq % 500}",
                        "surface": "slack_dm",
                        "channel": None,
                        "asked_at": asked.isoformat(),
                        "text": f"Who reviews access to system {seq}?",
                        "ids": ["A.5.18", "CC6.2"],
                        "confidence": 0.8123,
                        "answered": True,
                        "declined": False,
                    }
                )
                digest = chain_hash(prev, seq, asked.isoformat(), "answer", payload)
                ledger_rows.append(
                    {
                        "seq": seq,
                        "recorded_at": asked,
                        "kind": "answer",
                        "payload": payload,
                        "prev_hash": prev,
                        "hash": digest,
                    }
                )
                questions.append(
                    {
                        "id": seq,
                        "asked_at": asked,
                        "user_id": f"U{seq % 500}",
                        "surface": "slack_dm",
                        "text": f"Who reviews access to system {seq}?",
                        "top_ids": ["A.5.18", "CC6.2"],
                        "confidence": 0.8123,
                        "answered": True,
                        "ledger_seq": seq,
                    }
                )
                prev = digest
            session.execute(insert(LedgerRecord), ledger_rows)
            session.execute(insert(Question), questions)


# Each child reports its own peak (VmHWM, its memory's high-water mark since exec): a fork's
# ru_maxrss would count the parent's pages too.
PEAK = (
    "import atexit, sys; atexit.register(lambda: print('VmHWM', open('/proc/self/status').read()"
    ".split('VmHWM:')[1].split()[0], file=sys.stderr))\n"
)
RUN_SCRIPT = (
    PEAK + "import runpy; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)
EXPORT_CHILD = (
    PEAK
    + """
import sys
from pathlib import Path
from core.db import Database
from core.evidence.export import build_export
db = Database(sys.argv[1])
with db.session_scope() as session:
    build_export(Path(sys.argv[2]), db_session=session, requirements={})
"""
)


def measured(argv: list[str], cwd: Path | None = None) -> tuple[float, float, float, int, str]:
    """Run a child; its wall and CPU seconds, peak RSS in MB, exit code and last output line."""
    started, before = time.perf_counter(), _children_cpu()
    child = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    seconds, cpu = time.perf_counter() - started, _children_cpu() - before
    last = child.stdout.strip().splitlines()[-1] if child.stdout.strip() else ""
    peak = [line.split()[1] for line in child.stderr.splitlines() if line.startswith("VmHWM ")]
    return seconds, cpu, int(peak[-1]) / 1024 if peak else float("nan"), child.returncode, last


def _children_cpu() -> float:
    # CPU seconds (user + system) of the waited-for children: the machine is shared, so wall
    # time says as much about the neighbours as about this code.
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Fill, export, verify; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.db'}"
        upgrade(url)
        started = time.perf_counter()
        fill(url, args.records)
        fill_s = time.perf_counter() - started
        out = folder / "export.zip"
        export = measured([sys.executable, "-c", EXPORT_CHILD, url, str(out)], cwd=ROOT)
        unpacked = folder / "unpacked"
        zipfile.ZipFile(out).extractall(unpacked)
        (folder / "verify.py").write_bytes((unpacked / "verify.py").read_bytes())
        verify = [sys.executable, "-I", "-S", "-c", RUN_SCRIPT, "verify.py"]
        on_zip = measured([*verify, str(out)], cwd=folder)
        in_folder = measured(verify, cwd=unpacked)
        figures = {
            "records": args.records,
            "fill_s": round(fill_s, 1),
            "zip_mb": round(out.stat().st_size / 1e6, 1),
            "ledger_jsonl_mb": round((unpacked / "ledger.jsonl").stat().st_size / 1e6, 1),
            "export": _step(export),
            "verify_zip": _step(on_zip),
            "verify_folder": _step(in_folder),
        }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{args.records:,} ledger records and question rows (filled in {figures['fill_s']} s)")
    print(f"export.zip {figures['zip_mb']} MB, ledger.jsonl {figures['ledger_jsonl_mb']} MB")
    for name in ("export", "verify_zip", "verify_folder"):
        step = figures[name]
        assert isinstance(step, dict)
        print(
            f"{name:14} {step['seconds']:7.1f} s wall {step['cpu_s']:7.1f} s CPU   peak RSS {step['peak_rss_mb']:7.1f} MB   "
            f"exit {step['exit']}   {step['last_line']}"
        )


def _step(result: tuple[float, float, float, int, str]) -> dict[str, object]:
    seconds, cpu, rss, code, last = result
    return {
        "cpu_s": round(cpu, 1),
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(rss, 1),
        "exit": code,
        "last_line": last,
    }


if __name__ == "__main__":
    main()
