"""What the `risk import` and `supplier import` commands share: owners looked up, counts printed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cli.common import fail, out

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from core.table_import import ImportResult, RawRows


def owners_in_slack(rt: Runtime, raw: RawRows) -> dict[str, str | None]:
    """Each owner the rows name as their Slack user ID (None if not found)."""
    from bot.slack_client import person_resolver
    from core.table_import import owners_in

    owners = owners_in(raw)
    if rt.slack is None:
        # Nothing can be looked up: a Slack user ID stands as typed, an email cannot be resolved.
        emails = sorted(o for o in owners if "@" in o)
        if emails:
            fail(
                f"owners given by email ({', '.join(emails)}) are looked up in Slack: set "
                "SLACK_BOT_TOKEN, or give their Slack user IDs (U…) in the owner column",
                2,
            )
        return {owner: owner for owner in owners}
    # Slack is asked before the transaction opens: a slow lookup never holds the write lock.
    resolve = person_resolver(rt.slack)
    return {owner: resolve(owner) for owner in owners}


def print_imported(what: str, result: ImportResult) -> None:
    """`<what> imported: N created, N updated, N unchanged`."""
    out.print(
        f"{what} imported: {len(result.created)} created, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged"
    )
