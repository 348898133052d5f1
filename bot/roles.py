"""Who is on the security team: SECURITY_TEAM user IDs plus members of its user groups."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import NotAllowedError

log = logging.getLogger(__name__)
GROUP_CACHE_SECONDS = 300


class SecurityTeam:
    """Answers "is this user on the security team?", resolving user groups with a short cache."""

    def __init__(self, members: list[str], client: WebClient | None) -> None:
        self.users = {m for m in members if not m.startswith("S")}
        self.groups = [m for m in members if m.startswith("S")]
        self.client = client
        self._cache: tuple[float, set[str]] | None = None
        self._lock = threading.Lock()

    def _group_members(self) -> set[str]:
        if not self.groups or self.client is None:
            return set()
        with self._lock:
            if self._cache and time.monotonic() - self._cache[0] < GROUP_CACHE_SECONDS:
                return self._cache[1]
            members: set[str] = set()
            for group in self.groups:
                try:
                    members.update(self.client.usergroups_users_list(usergroup=group)["users"])
                except SlackApiError as exc:
                    log.warning(
                        "cannot resolve user group %s: %s", group, exc.response.get("error")
                    )
                except OSError as exc:  # Slack unreachable: nobody gains rights through the group
                    log.warning("cannot reach Slack to resolve user group %s: %s", group, exc)
            self._cache = (time.monotonic(), members)
            return members

    def contains(self, user_id: str) -> bool:
        """True for a listed user or a member of a listed user group."""
        return user_id in self.users or user_id in self._group_members()

    def members(self) -> set[str]:
        """Every listed user and every member of a listed user group (whom to DM)."""
        return self.users | self._group_members()

    def describe(self) -> str:
        """Who can do security-team things, as Slack mrkdwn."""
        names = [f"<@{u}>" for u in sorted(self.users)] + [f"<!subteam^{g}>" for g in self.groups]
        return ", ".join(names) if names else "nobody yet (set SECURITY_TEAM)"

    def require(self, user_id: str, what: str) -> None:
        """Raise NotAllowedError (and log the refusal) unless user_id is on the team."""
        if not self.contains(user_id):
            log.warning("refused %s to %s: not in SECURITY_TEAM", what, user_id)
            raise NotAllowedError(
                f"Only the security team can {what}. Ask one of them: {self.describe()}."
            )
