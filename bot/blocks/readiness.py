"""Readiness as text and Block Kit: bars per group, the most urgent items, the App Home summary."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from bot.blocks.common import Block, context, divider, section
from core.localtime import local_day, local_moment
from core.readiness import Readiness, RequirementStatus, Tally
from core.readiness.model import FrameworkReadiness

WIDTH = 10
LABELS = {
    "overdue": "overdue",
    "gap": "gaps",
    "no_evidence": "no evidence",
    "submitted": "awaiting review",
    "current": "current",
    "not_applicable": "not applicable",
}
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")


def percent(ready: float | None) -> str:
    """A ready share as a whole percentage ("n/a" when nothing applies)."""
    return "n/a" if ready is None else f"{round(ready * 100)}%"


def bar(ready: float | None, width: int = WIDTH) -> str:
    """A text bar of `width` cells filled to the ready share."""
    if ready is None:
        return "·" * width
    filled = round(ready * width)
    return "█" * filled + "░" * (width - filled)


def headline(framework: FrameworkReadiness) -> str:
    """`ISO 27001:2022: 12% ready (15 of 121 applicable requirements current)`."""
    t = framework.tally
    return headline_of(framework.title, t.ready, t.counts["current"], t.applicable)


def headline_of(title: str, ready: float | None, current: int, applicable: int) -> str:
    """The headline from its numbers (the digest carries them as plain data)."""
    return f"{title}: {percent(ready)} ready ({current} of {applicable} applicable requirements current)"


def breakdown(tally: Tally) -> str:
    """The non-zero counts, most pressing first: `2 overdue · 40 gaps · 3 no evidence`."""
    return breakdown_of(tally.counts)


def breakdown_of(counts: dict[str, int]) -> str:
    """The breakdown from a counts mapping."""
    return " · ".join(f"{counts[s]} {label}" for s, label in LABELS.items() if counts.get(s))


def group_line(group: Tally) -> str:
    """One group with its bar."""
    note = "  (not applicable)" if group.ready is None else ""
    return f"`{bar(group.ready)}` {percent(group.ready):>4}  {group.title}{note}"


def who(owner: str) -> str:
    """An owner as a Slack mention when it is a user ID, else as the register wrote it."""
    return f"<@{owner}>" if _SLACK_USER.match(owner) else owner


def urgent_line(item: RequirementStatus, zone: tzinfo, *, mention: bool = True) -> str:
    """One urgent item: what, since when (a day in zone), and who has to act."""
    if item.status == "overdue":
        since = f"overdue since {local_day(item.due_at, zone)}" if item.due_at else "overdue"
        owners = ", ".join(who(o) if mention else o for o in item.responsible) or "no owner"
        # Incidents: name the overdue review, action or notification, not just the requirement.
        notes = "; ".join(dict.fromkeys(c.note for c in item.controls if c.note))
        return f"{item.id} {item.title} ({since}) — {owners}" + (f": {notes}" if notes else "")
    return f"{item.id} {item.title} (gap: no register control implements it)"


def readiness_blocks(report: Readiness, *, urgent: int = 10) -> list[Block]:
    """`/compliance readiness`: per framework a headline and a bar per group, then urgent items."""
    blocks: list[Block] = []
    for framework in report.frameworks:
        blocks.append(section(f"*{headline(framework)}*"))
        blocks.append(context(breakdown(framework.tally)))
        blocks.append(section("\n".join(group_line(g) for g in framework.groups)))
    items = report.most_urgent(urgent)
    blocks.append(divider())
    if items:
        lines = [
            (":red_circle: " if i.status == "overdue" else ":white_circle: ")
            + urgent_line(i, report.zone)
            for i in items
        ]
        blocks.append(section(f"*Most urgent ({len(items)})*\n" + "\n".join(lines)))
    else:
        blocks.append(section("*Most urgent:* nothing overdue and no gaps. :tada:"))
    blocks.append(context(f"As of {local_moment(report.generated_at, report.zone)}."))
    return blocks


def readiness_text(report: Readiness, *, urgent: int = 10) -> str:
    """The same content as plain text (console and notification fallback)."""
    lines: list[str] = []
    for framework in report.frameworks:
        lines += [headline(framework), f"  {breakdown(framework.tally)}"]
        lines += [f"  {group_line(g).replace('`', '')}" for g in framework.groups]
    items = report.most_urgent(urgent)
    lines.append("Most urgent:" if items else "Most urgent: nothing overdue and no gaps.")
    lines += [f"  - {urgent_line(i, report.zone, mention=False)}" for i in items]
    return "\n".join(lines)


def home_readiness_blocks(report: Readiness | None, problem: str | None = None) -> list[Block]:
    """App Home (security team): one headline and bar per framework."""
    if report is None:
        return [context(problem or "Readiness is not available.")]
    blocks: list[Block] = []
    for framework in report.frameworks:
        t = framework.tally
        blocks.append(section(f"`{bar(t.ready)}` *{headline(framework)}*\n{breakdown(t)}"))
    blocks.append(context("Details per group: `/compliance readiness`."))
    return blocks


def _digest_list(title: str, listed: dict[str, Any], line: Callable[[dict[str, Any]], str]) -> str:
    total, items = listed["total"], listed["items"]
    if not total:
        return f"*{title}:* none"
    more = f"\n…and {total - len(items)} more" if total > len(items) else ""
    return f"*{title} ({total})*\n" + "\n".join(f"• {line(i)}" for i in items) + more


def _digest_item(item: dict[str, Any], zone: tzinfo) -> str:
    owners = ", ".join(who(o) for o in item["owners"])
    due_at = item.get("due_at")
    due = f", due {local_day(datetime.fromisoformat(due_at), zone)}" if due_at else ""
    return f"{item['id']} {item['title']}{due}" + (f" — {owners}" if owners else "")


def digest_message(content: dict[str, Any], zone: tzinfo) -> dict[str, Any]:
    """The weekly digest to SECURITY_CHANNEL, from the plain data the worker queued (days in zone)."""
    since = local_day(datetime.fromisoformat(content["since"]), zone)

    def item(entry: dict[str, Any]) -> str:
        return _digest_item(entry, zone)

    heads = [
        headline_of(f["title"], f["ready"], f["counts"]["current"], f["applicable"])
        for f in content["frameworks"]
    ]
    blocks: list[Block] = [
        section(f"*:bar_chart: Weekly readiness digest* (changes since {since})")
    ]
    for f, head in zip(content["frameworks"], heads, strict=True):
        blocks.append(section(f"`{bar(f['ready'])}` *{head}*\n{breakdown_of(f['counts'])}"))
    blocks.append(divider())
    blocks.append(section(_digest_list("Became overdue", content["became_overdue"], item)))
    blocks.append(
        section(_digest_list("Stale: evidence not renewed", content["became_stale"], item))
    )
    blocks.append(section(_digest_list("New gaps", content["new_gaps"], item)))
    registers = content.get("registers") or []  # risks and suppliers (issue 24)
    if registers:
        lines = [f"• {r['what']}, due {r['due']} — {who(r['owner'])}" for r in registers[:10]]
        more = f"\n…and {len(registers) - 10} more" if len(registers) > 10 else ""
        blocks.append(
            section(f"*Risk and supplier registers ({len(registers)})*\n" + "\n".join(lines) + more)
        )
    owners = content["top_overdue_owners"]
    if owners:
        lines = [f"• {who(o['owner'])}: {o['overdue']} overdue" for o in owners]
        blocks.append(section("*Owners with the most overdue items*\n" + "\n".join(lines)))
    blocks.append(context("Details: `/compliance readiness` or `compliance-bot readiness`."))
    text = "Weekly readiness digest: " + "; ".join(heads)
    return {"text": text, "blocks": blocks}
