"""What listeners need, handed to each package's register(app, deps)."""

from __future__ import annotations

from dataclasses import dataclass

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
