"""Readiness as text and Block Kit: bars per group, the most urgent items, the App Home summary."""

from __future__ import annotations

import re

from bot.blocks.common import Block, context, divider, section
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
    return (
        f"{framework.title}: {percent(t.ready)} ready "
        f"({t.counts['current']} of {t.applicable} applicable requirements current)"
    )


def breakdown(tally: Tally) -> str:
    """The non-zero counts, most pressing first: `2 overdue · 40 gaps · 3 no evidence`."""
    parts = [f"{tally.counts[s]} {label}" for s, label in LABELS.items() if tally.counts[s]]
    return " · ".join(parts)


def group_line(group: Tally) -> str:
    """One group with its bar."""
    note = "  (not in scope)" if group.ready is None else ""
    return f"`{bar(group.ready)}` {percent(group.ready):>4}  {group.title}{note}"


def who(owner: str) -> str:
    """An owner as a Slack mention when it is a user ID, else as the register wrote it."""
    return f"<@{owner}>" if _SLACK_USER.match(owner) else owner


def urgent_line(item: RequirementStatus, *, mention: bool = True) -> str:
    """One urgent item: what, since when, and who has to act."""
    if item.status == "overdue":
        since = f"overdue since {item.due_at:%Y-%m-%d}" if item.due_at else "overdue"
        owners = ", ".join(who(o) if mention else o for o in item.responsible) or "no owner"
        return f"{item.id} {item.title} ({since}) — {owners}"
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
            (":red_circle: " if i.status == "overdue" else ":white_circle: ") + urgent_line(i)
            for i in items
        ]
        blocks.append(section(f"*Most urgent ({len(items)})*\n" + "\n".join(lines)))
    else:
        blocks.append(section("*Most urgent:* nothing overdue and no gaps. :tada:"))
    blocks.append(context(f"As of {report.generated_at:%Y-%m-%d %H:%M} UTC."))
    return blocks


def readiness_text(report: Readiness, *, urgent: int = 10) -> str:
    """The same content as plain text (console and notification fallback)."""
    lines: list[str] = []
    for framework in report.frameworks:
        lines += [headline(framework), f"  {breakdown(framework.tally)}"]
        lines += [f"  {group_line(g).replace('`', '')}" for g in framework.groups]
    items = report.most_urgent(urgent)
    lines.append("Most urgent:" if items else "Most urgent: nothing overdue and no gaps.")
    lines += [f"  - {urgent_line(i, mention=False)}" for i in items]
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
