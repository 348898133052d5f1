"""Modal submission listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners.views import (
    campaign,
    evidence,
    feedback,
    incident_report,
    incident_triage,
    questionnaire_edit,
)


def register(app: App, deps: Deps) -> None:
    """Register view submissions."""
    feedback.register(app, deps)
    evidence.register(app, deps)
    campaign.register(app, deps)
    questionnaire_edit.register(app, deps)
    # --- incidents ---
    incident_report.register(app, deps)
    incident_triage.register(app, deps)
