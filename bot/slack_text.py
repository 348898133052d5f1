"""Parsing Slack's escaped forms in message and command text."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

_ESCAPED = re.compile(r"<([^<>]+)>")


@dataclass
class Parsed:
    """Plain text with Slack's escapes replaced, plus what they referred to."""

    text: str
    users: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    usergroups: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def parse(raw: str) -> Parsed:
    """Replace <@U…|name>, <#C…|name>, <!subteam^S…|@team> and <url|label> with readable text."""
    out = Parsed(text="")

    def replace(match: re.Match[str]) -> str:
        body = match.group(1)
        target, _, label = body.partition("|")
        if target.startswith("@"):
            out.users.append(target[1:])
            return target[1:]
        if target.startswith("#"):
            out.channels.append(target[1:])
            return target[1:]
        if target.startswith("!subteam^"):
            out.usergroups.append(target[len("!subteam^") :])
            return target[len("!subteam^") :]
        if target.startswith("!"):
            return label or f"@{target[1:]}"
        if re.match(r"^(https?|mailto):", target):
            url = html.unescape(target)
            out.links.append(url)
            return url
        return label or target

    out.text = html.unescape(_ESCAPED.sub(replace, raw)).strip()
    return out


def first_word(text: str) -> tuple[str, str]:
    """The first word and the rest, split at any whitespace: Slack keeps the tabs and newlines typed."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], parts[1] if len(parts) > 1 else ""


# Row IDs are 32-bit integers on PostgreSQL; a bigger number cannot name a row on either backend.
MAX_ID = 2**31 - 1


def parse_id(text: str) -> int | None:
    """A row ID written by a person or carried in a button (e.g. "3", "#3"); None if it is not one."""
    digits = text.strip().removeprefix("#")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(MAX_ID)):
        return None
    number = int(digits)
    return number if 0 < number <= MAX_ID else None


def strip_mention(text: str, bot_user_id: str | None) -> str:
    """Drop the leading @bot mention from an app_mention's text."""
    if bot_user_id:
        text = re.sub(rf"^\s*<@{re.escape(bot_user_id)}(\|[^>]*)?>[\s,:]*", "", text)
    return re.sub(r"^\s*<@[UW][A-Z0-9]+(\|[^>]*)?>[\s,:]*", "", text)
