"""Modal submission listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners.views import (
    access_review,
    campaign,
    evidence,
    feedback,
    incident_report,
    incident_triage,
    questionnaire_edit,
    risk_update,  # risks and suppliers (issue 24)
    supplier_request,
)


def register(app: App, deps: Deps) -> None:
    """Register view submissions."""
    feedback.register(app, deps)
    evidence.register(app, deps)
    campaign.register(app, deps)
    questionnaire_edit.register(app, deps)
    # --- risks and suppliers (issue 24) ---
    risk_update.register(app, deps)
    supplier_request.register(app, deps)
    access_review.register(app, deps)  # access reviews
    # --- incidents ---
    incident_report.register(app, deps)
    incident_triage.register(app, deps)
