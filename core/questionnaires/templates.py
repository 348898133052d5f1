"""The fixed sentences answers are made of: each states only what a record says."""

from __future__ import annotations

from datetime import date

from knowledge.schema import FRAMEWORK_LABELS, Entry

_CADENCE = {
    "monthly": "every month",
    "quarterly": "every quarter",
    "semiannual": "every six months",
    "annual": "every year",
}

POLICY = "Our {title} ({id}): {summary}"
CONTROL_ACCEPTED = (
    "{ref} {title}: performed {cadence}, owned by {owner}; evidence last accepted on {accepted}."
)
# No accepted evidence: the register says the control exists, nothing says it operates.
CONTROL_PLANNED = (
    "{ref} {title}: in our control register, planned {cadence}, owned by {owner}. No evidence of "
    "it has been accepted yet, so it is not presented here as operating."
)
CONTROL_EXCLUDED = "{ref} {title}: not applicable to us. {justification}"
BACKGROUND = "Background: {requirements}."


def cadence_phrase(cadence: str) -> str:
    """monthly → every month; a cron expression → on a set schedule (cron)."""
    return _CADENCE.get(cadence.strip().lower(), f"on a set schedule ({cadence.strip()})")


def policy_sentence(entry: Entry) -> str:
    """What the organisation's own policy says, in its own words."""
    summary = " ".join(entry.summary.split())
    return POLICY.format(title=entry.title, id=entry.id, summary=summary)


def control_sentence(
    ref: str,
    title: str,
    cadence: str,
    owner: str,
    *,
    applicable: bool,
    justification: str,
    accepted: date | None,
) -> str:
    """One register control: operating only when evidence for it was accepted."""
    if not applicable:
        reason = justification.strip()
        reason += "" if not reason or reason.endswith((".", "!", "?")) else "."
        return CONTROL_EXCLUDED.format(ref=ref, title=title, justification=reason)
    template = CONTROL_ACCEPTED if accepted is not None else CONTROL_PLANNED
    return template.format(
        ref=ref,
        title=title,
        cadence=cadence_phrase(cadence),
        owner=owner,
        accepted=accepted.isoformat() if accepted else "",
    )


def background_sentence(entries: list[Entry]) -> str:
    """The catalogue entries the question is about, by framework, ID and title."""
    parts = [f"{FRAMEWORK_LABELS.get(e.framework, e.framework)} {e.id} {e.title}" for e in entries]
    return BACKGROUND.format(requirements="; ".join(parts))
