"""Block action listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners.actions import (
    access_review,
    campaign,
    evidence,
    feedback,
    incident_action_done,
    incident_report,
    incident_triage,
    questionnaire_approve,
    questionnaire_edit,
    register_items,
    reminders,
    risk_review,  # risks and suppliers (issue 24)
    share,
    supplier_request,
)


def register(app: App, deps: Deps) -> None:
    """Register block actions."""
    feedback.register(app, deps)
    share.register(app, deps)
    evidence.register(app, deps)
    campaign.register(app, deps)
    questionnaire_approve.register(app, deps)
    questionnaire_edit.register(app, deps)
    reminders.register(app, deps)  # the reminder engine's Snooze
    # --- risks and suppliers (issue 24) ---
    risk_review.register(app, deps)
    register_items.register(app, deps)
    supplier_request.register(app, deps)
    access_review.register(app, deps)  # access reviews
    # --- incidents ---
    incident_report.register(app, deps)
    incident_triage.register(app, deps)
    incident_action_done.register(app, deps)
