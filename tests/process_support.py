"""Real `compliance-bot serve --http` processes for tests that send them signals."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.slack_support import SECRET, signature


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServeProcess:
    """`python -m bot serve --http` in a child process, talking to the fake Slack."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        child_env = {
            k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SECURITY_"))
        }
        child_env.update(env)
        self._out = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--http", "--host", "127.0.0.1"]
            + ["--port", str(self.port)],
            env=child_env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 180.0) -> None:
        """Block until GET /healthz answers 200 (the model and index are loaded)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited {self.proc.returncode}: {self.output()}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise AssertionError(f"serve not ready: {self.output()}")

    def event(self, event: dict[str, Any], *, event_id: str) -> int:
        """POST a signed Events API callback; the HTTP status Slack would get."""
        payload = {
            "token": "x",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        }
        body = json.dumps(payload).encode()
        ts = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature(SECRET, ts, body),
        }
        req = urllib.request.Request(self.base + "/slack/events", data=body, headers=headers)
        with urllib.request.urlopen(req, timeout=10) as resp:
            return int(resp.status)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Send signum and wait for the process to exit; its exit code."""
        self.proc.send_signal(signum)
        code = self.proc.wait(timeout=timeout)
        self._out.close()
        return code

    def kill(self) -> None:
        """Make sure the process is gone (test clean-up)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._out.close()

    def output(self) -> str:
        """What the process logged so far."""
        return self.log.read_text(errors="replace")[-3000:]
