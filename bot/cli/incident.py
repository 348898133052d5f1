"""`incident list|show`: the incident register from a shell."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from bot.cli.common import app, out, runtime

incident_app = typer.Typer(help="The incident register.", no_args_is_help=True)
app.add_typer(incident_app, name="incident")


@incident_app.command("list")
def incident_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON array.")] = False,
) -> None:
    """Every incident, newest first: status, assessment, severity, handler."""
    from core.incidents.service import list_incidents
    from core.incidents.views import summary

    rt = runtime()
    with rt.db.session_scope() as session:
        rows = [summary(i) for i in list_incidents(db_session=session)]
    if as_json:
        print(json.dumps(rows))
        return
    if not rows:
        out.print("No incidents reported yet.")
        return
    table = Table("ID", "Reported", "Status", "Kind", "Severity", "Handler", "What happened")
    for r in rows:
        table.add_row(
            r["id"],
            str(r["reported_at"])[:16],
            r["status"],
            r["kind"] or "-",
            r["severity"] or "-",
            r["handler"] or "-",
            r["description"][:60],
        )
    out.print(table)


@incident_app.command("show")
def incident_show(
    incident_id: Annotated[str, typer.Argument(metavar="ID", help="INC-12 or 12.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """One incident in full: triage, clocks, timeline, review and corrective actions."""
    from core.incidents.service import get
    from core.incidents.views import detail
    from core.models import utcnow

    rt = runtime()
    with rt.db.session_scope() as session:
        # An unknown ID is an IncidentError: the root command prints it as one error line.
        data = detail(get(incident_id, db_session=session), db_session=session, now=utcnow())
    if as_json:
        print(json.dumps(data))
        return
    _print_detail(data)


def _print_detail(data: dict[str, Any]) -> None:
    """One incident as lines of text."""
    out.print(
        f"[bold]{data['id']}[/bold] {data['status']} · reported {data['reported_at'][:16]} by {data['reporter']}",
        highlight=False,
    )
    out.print(data["description"], highlight=False, markup=False)
    for key in (
        "kind",
        "severity",
        "handler",
        "affected_systems",
        "personal_data_breach",
        "notified_at",
        "notified_whom",
    ):
        if data[key] not in (None, ""):
            out.print(f"  {key.replace('_', ' ')}: {data[key]}", highlight=False, markup=False)
    for clock in data["clocks"]:
        out.print(
            f"  clock {clock['name']}: due {clock['due_at'][:16]} — {clock['state']}",
            highlight=False,
        )
    for entry in data["timeline"]:
        late = " (late)" if entry["late"] else ""
        out.print(
            f"  {entry['at'][:16]} {entry['author']}{late}: {entry['text'][:100]}",
            highlight=False,
            markup=False,
        )
    if data["review"]:
        out.print(f"  review: {data['review']['root_cause'][:100]}", highlight=False, markup=False)
    for action in data["actions"]:
        out.print(
            f"  action #{action['id']} [{action['status']}] {action['owner']} due {action['due_at'][:10]}: {action['description'][:60]}",
            highlight=False,
            markup=False,
        )
