"""Block Kit for incidents: the report modal, the security team's post and its modals, the answer button."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from bot.blocks.common import (
    Block,
    actions,
    button,
    context,
    input_block,
    modal,
    plain,
    section,
    text,
    text_input,
)
from bot.ids import Action, Field, View
from bot.ids import Block as BlockId
from core.incidents.models import KINDS, SEVERITIES, STATUSES, Incident
from core.localtime import local_moment
from knowledge.answer import Answer

# Incident management, event reporting and breach controls: an answer led by one offers a report.
INCIDENT_CONTROLS = frozenset(
    {"A.5.24", "A.5.25", "A.5.26", "A.5.27", "A.5.28", "A.6.8", "CC7.3", "CC7.4", "CC7.5"}
)
SEVERITY_LABELS = {
    "low": "Low: no data or service harmed",
    "medium": "Medium: limited harm, contained",
    "high": "High: data exposed or service down",
    "critical": "Critical: major breach or outage",
}


def offers_report(answer: Answer) -> bool:
    """True when the answer's top entries are incident, event-reporting or breach controls."""
    return any(hit.entry.id in INCIDENT_CONTROLS for hit in answer.hits[:2])


def report_button() -> dict[str, Any]:
    """The **Report an incident** button offered under such answers."""
    return button("Report an incident", Action.REPORT_INCIDENT, "report", style="danger")


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": text(label[:75], markdown=False), "value": value}


def _select(options: list[tuple[str, str]], initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": Field.VALUE,
        "options": [_option(label, value) for label, value in options],
    }
    chosen = [o for o in element["options"] if o["value"] == initial]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def _yes_no(initial: bool | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "radio_buttons",
        "action_id": Field.VALUE,
        "options": [_option("Yes", "yes"), _option("No", "no")],
    }
    if initial is not None:
        element["initial_option"] = element["options"][0 if initial else 1]
    return element


def report_modal() -> dict[str, Any]:
    """The short report form anyone can fill in."""
    return modal(
        View.INCIDENT_REPORT,
        "Report an incident",
        [
            context(
                "Only the security team sees this report. Nothing is posted in public channels."
            ),
            text_input(
                BlockId.INCIDENT_WHAT,
                "What happened?",
                Field.VALUE,
                multiline=True,
                placeholder="e.g. my laptop was stolen from my car; I clicked a link in an email",
            ),
            input_block(
                BlockId.INCIDENT_NOTICED,
                "When did you notice it? (empty: just now)",
                {"type": "datetimepicker", "action_id": Field.VALUE},
                optional=True,
            ),
            text_input(
                BlockId.INCIDENT_SYSTEMS,
                "Systems or data involved",
                Field.VALUE,
                optional=True,
                placeholder="e.g. laptop, CRM, customer export",
            ),
            input_block(
                BlockId.INCIDENT_PERSONAL,
                "Could personal or customer data be affected?",
                _yes_no(None),
                optional=True,
            ),
        ],
        submit="Report",
    )


def reporter_text(incident: Incident, *, team_reached_by_dm: bool) -> str:
    """What the reporter is told: the ID and what happens next."""
    where = "by direct message" if team_reached_by_dm else "in their private channel"
    return (
        f":white_check_mark: Thank you. Your report is *{incident.ref}*; the security team has it {where}.\n"
        "What happens next: they assess whether it is an incident and how severe, and may contact "
        "you for details. If personal or customer data may be affected, they decide about "
        "notification. Mention the ID if you remember anything else."
    )


def team_blocks(incident: Incident, zone: tzinfo) -> list[Block]:
    """The security team's post about an incident; its thread is the working space."""
    fields = [
        f"*Status:* {incident.status}",
        f"*Assessment:* {incident.kind or 'not yet'}",
        f"*Severity:* {incident.severity or 'not yet'}",
        f"*Handler:* {f'<@{incident.handler}>' if incident.handler else 'nobody yet'}",
    ]
    if incident.personal_data_breach:
        due = local_moment(incident.notify_due_at, zone) if incident.notify_due_at else "?"
        done = (
            f"notified {local_moment(incident.notified_at, zone)}"
            if incident.notified_at
            else f"notify by {due}"
        )
        fields.append(f"*Personal-data breach:* yes, {done}")
    suspected = (
        " · personal or customer data may be affected" if incident.personal_data_suspected else ""
    )
    value = str(incident.id)
    return [
        section(
            f":rotating_light: *{incident.ref}* reported by <@{incident.reporter}>{suspected}\n"
            f">{plain(incident.description[:1500])}"
        ),
        context(
            f"Noticed {local_moment(incident.noticed_at, zone)} · systems: {plain(incident.systems or 'not given')}"
        ),
        section("  ·  ".join(fields)),
        actions(
            button("Triage", Action.INCIDENT_TRIAGE, value, style="primary"),
            button("Post-incident review", Action.INCIDENT_REVIEW, value),
            button("Add corrective action", Action.INCIDENT_ADD_ACTION, value),
        ),
        context("Reply in this thread: every message and file is kept on the incident's record."),
    ]


def _assessment_inputs(incident: Incident) -> list[Block]:
    """Event or incident, severity, handler."""
    handler: dict[str, Any] = {"type": "users_select", "action_id": Field.VALUE}
    if incident.handler:
        handler["initial_user"] = incident.handler
    kinds = _select([(k.title(), k) for k in KINDS], incident.kind)
    severities = _select([(SEVERITY_LABELS[s], s) for s in SEVERITIES], incident.severity)
    return [
        input_block(BlockId.INCIDENT_KIND, "Event or incident (A.5.25)", kinds, optional=True),
        input_block(BlockId.INCIDENT_SEVERITY, "Severity", severities, optional=True),
        input_block(BlockId.INCIDENT_HANDLER, "Handler", handler, optional=True),
    ]


def _handling_inputs(incident: Incident) -> list[Block]:
    """Status, affected systems, the breach flag and its notification."""
    picker = {"type": "datetimepicker", "action_id": Field.VALUE}
    return [
        input_block(
            BlockId.INCIDENT_STATUS, "Status", _select([(s, s) for s in STATUSES], incident.status)
        ),
        text_input(
            BlockId.INCIDENT_AFFECTED,
            "Affected systems",
            Field.VALUE,
            optional=True,
            initial=incident.affected_systems or None,
        ),
        input_block(
            BlockId.INCIDENT_BREACH,
            "Personal-data breach?",
            _yes_no(incident.personal_data_breach),
            optional=True,
        ),
        input_block(BlockId.INCIDENT_NOTIFIED_AT, "Breach notified at", picker, optional=True),
        text_input(
            BlockId.INCIDENT_NOTIFIED_WHOM,
            "Notified whom",
            Field.VALUE,
            optional=True,
            initial=incident.notified_whom or None,
        ),
    ]


def triage_modal(incident: Incident) -> dict[str, Any]:
    """The security team's triage form, filled with what is recorded."""
    return modal(
        View.INCIDENT_TRIAGE,
        f"Triage {incident.ref}",
        _assessment_inputs(incident) + _handling_inputs(incident),
        submit="Save",
        metadata=str(incident.id),
    )


def review_modal(incident: Incident) -> dict[str, Any]:
    """The post-incident review form."""
    return modal(
        View.INCIDENT_REVIEW,
        f"Review {incident.ref}",
        [
            text_input(BlockId.INCIDENT_ROOT_CAUSE, "Root cause", Field.VALUE, multiline=True),
            text_input(BlockId.INCIDENT_LESSONS, "Lessons learned", Field.VALUE, multiline=True),
        ],
        submit="Record",
        metadata=str(incident.id),
    )


def action_modal(incident: Incident) -> dict[str, Any]:
    """A corrective action: what, who, by when."""
    return modal(
        View.INCIDENT_ACTION,
        f"Action for {incident.ref}",
        [
            text_input(
                BlockId.INCIDENT_ACTION_TEXT, "What must be done", Field.VALUE, multiline=True
            ),
            input_block(
                BlockId.INCIDENT_ACTION_OWNER,
                "Owner",
                {"type": "users_select", "action_id": Field.VALUE},
            ),
            input_block(
                BlockId.INCIDENT_ACTION_DUE, "Due", {"type": "datepicker", "action_id": Field.VALUE}
            ),
        ],
        submit="Add",
        metadata=str(incident.id),
    )


def action_owner_blocks(ref: str, action_id: int, description: str, due: str) -> list[Block]:
    """The DM to a corrective action's owner, with the button that marks it done."""
    return [
        section(
            f"You own corrective action *#{action_id}* for *{ref}*, due *{due}*:\n>{plain(description[:1500])}"
        ),
        actions(button("Mark done", Action.INCIDENT_ACTION_DONE, str(action_id), style="primary")),
    ]
