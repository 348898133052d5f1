"""The one place every domain's describer is registered (each domain adds its own line)."""

from __future__ import annotations


def register_all() -> None:
    """Register the describer of every domain that feeds the reminder engine."""
    # Each domain: `from core.<domain> import reminders as <domain>; <domain>.register()`,
    # one line per domain, kept in alphabetical order to keep merges easy.
    from core.access_reviews import reminders as access_reviews
    from core.evidence import reminders as evidence
    from core.incidents import reminders as incidents
    from core.risks import reminders as risks
    from core.suppliers import reminders as suppliers

    access_reviews.register()
    evidence.register()
    incidents.register()
    risks.register()  # risks and suppliers (issue 24)
    suppliers.register()
