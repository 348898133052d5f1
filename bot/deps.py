"""What listeners need, handed to each package's register(app, deps)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.guard import report
from bot.router import Actor, Router
from bot.runtime import Runtime


@dataclass
class Deps:
    """The runtime and router shared by every listener."""

    runtime: Runtime
    router: Router

    def actor(self, user_id: str) -> Actor:
        """The Actor for a Slack user, with their security-team membership resolved."""
        return Actor(user_id=user_id, is_security=self.runtime.team.contains(user_id))

    def offload(self, body: dict[str, Any], client: WebClient, work: Callable[[], None]) -> None:
        """Run slow file work in the file pool; its failures reach the person as a listener's do."""

        def run() -> None:
            try:
                work()
            except Exception as error:  # noqa: BLE001 - the listener has returned: tell the person here
                report(error, body, client)

        self.runtime.file_pool.submit(run)
