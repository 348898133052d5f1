"""Who a campaign is for: all, usergroup:S…, channel:C… or users:U1,U2 (bots, deleted, guests left out)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from core.errors import DomainError


class AudienceError(DomainError):
    """The audience spec is malformed or Slack cannot resolve it."""


@dataclass(frozen=True)
class Audience:
    """A parsed audience spec."""

    kind: str  # all | usergroup | channel | users
    ids: tuple[str, ...] = ()

    def __str__(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind}:{','.join(self.ids)}"


def parse(spec: str) -> Audience:
    """Parse an audience spec, with a message that shows the accepted forms."""
    spec = spec.strip()
    forms = "use all, usergroup:S…, channel:C… or users:U1,U2"
    if spec.lower() == "all":
        return Audience("all")
    kind, _, rest = spec.partition(":")
    kind = kind.lower()
    items = tuple(p.strip() for p in rest.split(",") if p.strip())
    patterns = {
        "usergroup": r"^S[A-Z0-9]+$",
        "channel": r"^[CG][A-Z0-9]+$",
        "users": r"^[UW][A-Z0-9]+$",
    }
    if kind not in patterns or not items:
        raise AudienceError(f"'{spec}' is not an audience: {forms}")
    bad = [i for i in items if not re.match(patterns[kind], i)]
    if bad or (kind != "users" and len(items) != 1):
        raise AudienceError(f"'{spec}' is not an audience: {forms}")
    return Audience(kind, items)


def _paginate(call: Any, key: str, **kwargs: Any) -> list[Any]:
    out: list[Any] = []
    cursor = None
    while True:
        resp = call(limit=200, cursor=cursor, **kwargs) if cursor else call(limit=200, **kwargs)
        out.extend(resp.get(key, []))
        cursor = (resp.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return out


def eligible(user: dict[str, Any], *, include_guests: bool) -> bool:
    """People only: no bots, Slackbot, deleted accounts or (unless asked) guests."""
    if (
        user.get("is_bot")
        or user.get("is_app_user")
        or user.get("deleted")
        or user.get("id") == "USLACKBOT"
    ):
        return False
    return include_guests or not (user.get("is_restricted") or user.get("is_ultra_restricted"))


def resolve(client: WebClient, audience: Audience, *, include_guests: bool = False) -> list[str]:
    """The user IDs in the audience, in a stable order."""
    try:
        people = {u["id"]: u for u in _paginate(client.users_list, "members")}
        if audience.kind == "all":
            wanted = list(people)
        elif audience.kind == "usergroup":
            wanted = list(client.usergroups_users_list(usergroup=audience.ids[0])["users"])
        elif audience.kind == "channel":
            wanted = _paginate(client.conversations_members, "members", channel=audience.ids[0])
        else:
            wanted = list(audience.ids)
    except SlackApiError as exc:
        raise AudienceError(
            f"Slack could not resolve {audience}: {exc.response.get('error')}"
        ) from None
    seen: set[str] = set()
    out = []
    for user_id in wanted:
        user = people.get(user_id)
        if (
            user is not None
            and eligible(user, include_guests=include_guests)
            and user_id not in seen
        ):
            seen.add(user_id)
            out.append(user_id)
    return out
