"""The reviewer's page stays within Block Kit's limits however its accounts are spread."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.blocks.access_review import MAX_BLOCKS, review_page
from bot.ids import Action
from core.access_reviews.pages import PAGE_SIZE, Page, Row


def _page(page: int, pages: int) -> Page:
    rows = tuple(
        Row(
            item_id=n,
            system=f"system{n}",  # a heading per account: the worst case
            account=f"<acct{n}> & co",
            email=f"p{n}@example.com",
            role="admin",
            privileged=n % 2 == 0,
            flags=("unknown_owner",) if n % 3 == 0 else (),
            last_login="2026-11-30",
            decision=None,
            needs_reason=n % 2 == 0 or n % 3 == 0,
        )
        for n in range(PAGE_SIZE)
    )
    return Page(1, datetime(2027, 1, 31, tzinfo=UTC), True, page, pages, rows, 300, 100)


def test_a_full_page_has_at_most_50_blocks_paging_and_escaped_names() -> None:
    message = review_page(_page(1, 25), UTC)
    assert len(message["blocks"]) <= MAX_BLOCKS
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    pages = [b["value"] for b in buttons if b["action_id"] == Action.ACCESS_PAGE]
    assert pages == ["1:0", "1:2"]
    assert any(
        b["action_id"] == Action.ACCESS_KEEP_ALL and "(100)" in b["text"]["text"] for b in buttons
    )
    assert "&lt;acct1&gt; &amp; co" in str(message["blocks"]) and "<acct1>" not in str(
        message["blocks"]
    )
    keep_labels = {b["text"]["text"] for b in buttons if b["action_id"] == Action.ACCESS_KEEP}
    assert keep_labels == {"Keep", "Keep (give a reason)"}
