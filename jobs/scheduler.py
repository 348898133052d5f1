"""APScheduler wiring only: it triggers the runner; rows hold all the state."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler

from core.models import utcnow
from jobs.runner import Jobs

log = logging.getLogger(__name__)


def run_worker(jobs: Jobs, *, interval_seconds: int, stop: threading.Event | None = None) -> None:
    """Run due work every interval until SIGTERM/SIGINT, then finish the current step and exit."""
    stop = stop or threading.Event()
    scheduler = BackgroundScheduler(
        timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1}
    )

    def tick() -> None:
        try:
            stats = jobs.run_due(utcnow(), stop=stop)
            if stats.sent or stats.failed:
                log.info(
                    "delivered %d, failed %d, retried %d", stats.sent, stats.failed, stats.retried
                )
        except Exception:  # noqa: BLE001 - one bad tick must not stop the worker; next tick retries
            log.exception("scheduled run failed; it will run again at the next tick")

    scheduler.add_job(
        tick, "interval", seconds=interval_seconds, id="run_due", next_run_time=utcnow()
    )

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received signal %s: finishing the current step", signum)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    scheduler.start()
    try:
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)
        log.info("worker stopped")
