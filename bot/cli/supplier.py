"""`supplier import`, `supplier list` and `supplier show`: the supplier register from the command line."""

from __future__ import annotations

import json
from datetime import date, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from bot.cli.common import app, fail, out, runtime

if TYPE_CHECKING:
    from core.suppliers.models import Supplier

supplier_app = typer.Typer(help="The supplier register.", no_args_is_help=True)
app.add_typer(supplier_app, name="supplier")


@supplier_app.command("import")
def supplier_import(
    file: Annotated[
        Path, typer.Argument(help="CSV or XLSX supplier register (see examples/suppliers.csv).")
    ],
    actor: Annotated[
        str, typer.Option("--as", help="Who is importing (recorded in history).")
    ] = "cli",
) -> None:
    """Import or update suppliers; all-or-nothing, errors name their line."""
    from bot.cli.register_import import owners_in_slack, print_imported
    from core.models import utcnow
    from core.suppliers.importing import import_rows, read_suppliers, validate

    rt = runtime()
    if not file.exists():
        fail(f"{file} does not exist")
    raw = read_suppliers(file)
    people = owners_in_slack(rt, raw)  # before the transaction
    now = utcnow()
    rows = validate(raw, people=people, today=now.astimezone(rt.settings.zone).date())
    with rt.db.session_scope() as session:
        result = import_rows(
            rows,
            db_session=session,
            actor=actor,
            now=now,
            assurance_days_before=rt.settings.supplier_assurance_days_before,
        )
    print_imported("supplier register", result)


def _row(s: Supplier, today: date, days: int, zone: tzinfo) -> dict[str, Any]:
    """One supplier as `supplier list --json` prints it."""
    from core.localtime import local_day
    from core.suppliers.service import assurance_status

    return {
        "id": s.ref,
        "name": s.name,
        "owner": s.owner,
        "owner_user_id": s.owner_user_id,
        "service": s.service,
        "data_handled": s.data_handled,
        "criticality": s.criticality,
        "assurance_type": s.assurance_type,
        "assurance_expires": s.assurance_expires.isoformat() if s.assurance_expires else None,
        "assurance_status": assurance_status(s, today, days),
        "review_cadence": s.review_cadence,
        "next_review": local_day(s.next_review_at, zone),
        "version": s.version,
    }


@supplier_app.command("list")
def supplier_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the suppliers with their assurance status and next review."""
    from core.models import utcnow
    from core.suppliers.service import suppliers

    rt = runtime()
    zone = rt.settings.zone
    today = utcnow().astimezone(zone).date()
    days = rt.settings.supplier_assurance_days_before
    with rt.db.session_scope() as session:
        rows = [_row(s, today, days, zone) for s in suppliers(db_session=session)]
    if as_json:
        print(json.dumps(rows))
        return
    table = Table("ID", "Name", "Owner", "Criticality", "Assurance", "Expires", "Next review")
    for r in rows:
        table.add_row(
            r["id"],
            r["name"],
            r["owner"],
            r["criticality"],
            f"{r['assurance_type']} ({r['assurance_status']})",
            r["assurance_expires"] or "-",
            r["next_review"],
        )
    out.print(table)


@supplier_app.command("show")
def supplier_show(ref: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Show one supplier with its history and assurance files."""
    from core.localtime import local_moment
    from core.models import utcnow
    from core.suppliers.service import assurance_status, supplier_record

    rt = runtime()
    zone = rt.settings.zone
    today = utcnow().astimezone(zone).date()
    with rt.db.session_scope() as session:
        record = supplier_record(ref, db_session=session)
        if record is None:
            fail(f"no supplier '{ref}' in the register (see `compliance-bot supplier list`)")
        s = record.supplier
        status = assurance_status(s, today, rt.settings.supplier_assurance_days_before)
        expires = s.assurance_expires.isoformat() if s.assurance_expires else "-"
        print(f"{s.ref} {s.name} (version {s.version})")
        print(f"  owner: {s.owner} ({s.owner_user_id}); criticality: {s.criticality}")
        print(f"  service: {s.service or '-'}")
        print(f"  data handled: {s.data_handled or '-'}")
        print(f"  assurance: {s.assurance_type}, expires {expires} ({status})")
        print(f"  review: {s.review_cadence}, next {local_moment(s.next_review_at, zone)}")
        for v in record.versions:
            print(
                f"  history: v{v.version} {local_moment(v.changed_at, zone)} {v.how} by {v.changed_by}"
            )
        for a in record.assurances:
            print(
                f"  file: {a.file_name} ({a.assurance_type}, expires {a.expires}) "
                f"from {a.received_from} {local_moment(a.received_at, zone)}"
            )
