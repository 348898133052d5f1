"""Incidents: reports, triage, the thread timeline, clocks, post-incident reviews, corrective actions."""
