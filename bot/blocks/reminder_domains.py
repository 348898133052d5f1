"""The one place every domain's reminder renderer is registered (each domain adds its own line)."""

from __future__ import annotations


def register_all() -> None:
    """Register the renderer of every domain whose reminders are not the generic default."""
    # Each domain: `from bot.blocks import <domain>; <domain>.register_reminders()`, calling
    # bot.blocks.reminders.register_renderer(...); one line per domain, alphabetical order.
    from bot.blocks import access_review, incident_reminders, messages, risks, suppliers

    access_review.register_reminders()
    incident_reminders.register_reminders()
    messages.register_reminders()  # evidence requests
    risks.register_reminders()  # risks and suppliers (issue 24)
    suppliers.register_reminders()
