"""`register`, `evidence verify` and `export`: the evidence side of the CLI."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from bot.cli.common import FrameworkOpt, app, check_framework, err, fail, out, runtime
from bot.errors import UserFacingError

if TYPE_CHECKING:
    from core.evidence.audit import ExportSummary
    from core.evidence.register import ImportResult

register_app = typer.Typer(help="The organisation's control register.", no_args_is_help=True)
evidence_app = typer.Typer(help="Evidence and the tamper-evident ledger.", no_args_is_help=True)
export_app = typer.Typer(help="Exports for auditors.", invoke_without_command=True)
app.add_typer(register_app, name="register")
app.add_typer(evidence_app, name="evidence")
app.add_typer(export_app, name="export")


@register_app.command("import")
def register_import(
    file: Annotated[Path, typer.Argument(help="CSV or YAML register (see examples/register.csv).")],
    actor: Annotated[
        str, typer.Option("--as", help="Who is importing (recorded in history).")
    ] = "cli",
) -> None:
    """Import or update controls; all-or-nothing, errors name their line."""
    from bot.slack_client import user_resolver
    from core.evidence.register import emails_to_resolve, import_rows, load_register

    rt = runtime()
    if not file.exists():
        fail(f"{file} does not exist")
    rows = load_register(file, catalogue=rt.catalogue)
    resolve = user_resolver(rt.slack)
    with Progress(
        TextColumn("importing"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=err,
    ) as bar:
        task = bar.add_task("import", total=len(rows))
        # Slack is asked before the transaction opens: a slow lookup never holds the write lock.
        slack_ids = {email: resolve(email) for email in emails_to_resolve(rows)}
        with rt.db.session_scope() as session:
            result = import_rows(rows, db_session=session, actor=actor, resolve_user=slack_ids.get)
        bar.update(task, completed=len(rows))
    _print_import(result)


def _print_import(result: ImportResult) -> None:
    out.print(
        f"register imported: {len(result.created)} created, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged"
    )
    if result.unresolved_owners:
        err.print(
            "note: these owners are not linked to a Slack user yet (no Slack token, or unknown email): "
            + ", ".join(sorted(set(result.unresolved_owners)))
        )


@register_app.command("list")
def register_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the organisation's controls."""
    from core.evidence.register_read import register_controls

    rt = runtime()
    with rt.db.session_scope() as session:
        rows: list[dict[str, Any]] = [
            {
                "id": c.ref,
                "title": c.title,
                "requirements": c.requirements,
                "owner": c.owner,
                "cadence": c.cadence,
                "applicable": c.applicable,
                "version": c.version,
            }
            for c in register_controls(db_session=session)
        ]
    if as_json:
        print(json.dumps(rows))
        return
    table = Table("ID", "Title", "Implements", "Owner", "Cadence", "Applicable")
    for r in rows:
        table.add_row(
            r["id"],
            r["title"],
            ", ".join(r["requirements"]),
            r["owner"],
            r["cadence"],
            "yes" if r["applicable"] else "no",
        )
    out.print(table)


@register_app.command("show")
def register_show(ref: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Show one control with its history and evidence requests."""
    from core.evidence.register_read import control_record
    from core.localtime import local_day, local_moment

    rt = runtime()
    zone = rt.settings.zone
    with rt.db.session_scope() as session:
        record = control_record(ref, db_session=session)
        if record is None:
            fail(f"no control '{ref}' in the register (see `compliance-bot register list`)")
        control = record.control
        print(f"{control.ref} {control.title} (version {control.version})")
        print(f"  implements: {', '.join(control.requirements)}")
        print(
            f"  owner: {control.owner}"
            + (f" ({control.owner_user_id})" if control.owner_user_id else "")
        )
        print(f"  cadence: {control.cadence}; applicable: {'yes' if control.applicable else 'no'}")
        if control.justification:
            print(f"  justification: {control.justification}")
        if control.expected_evidence:
            print(f"  expected evidence: {control.expected_evidence}")
        for v in record.versions:
            print(f"  history: v{v.version} {local_moment(v.changed_at, zone)} by {v.changed_by}")
        for r in record.requests:
            print(f"  evidence {r.period}: {r.status}, due {local_day(r.due_at, zone)}")


@evidence_app.command("verify")
def evidence_verify(
    export_file: Annotated[
        Path | None,
        typer.Option(
            "--export",
            help="Check an export ZIP (or unpacked folder) as its verify.py does, not the database.",
        ),
    ] = None,
) -> None:
    """Walk the hash chain; exit 1 naming the first altered, removed or reordered record."""
    from core import ledger
    from core.db import Database

    if export_file is not None:
        _verify_export(export_file)
        return
    # Read-only and without migrating: checking the ledger writes nothing (not even on a full disk).
    rt = runtime(migrate=False)
    try:
        with Database(rt.settings.database_url, read_only=True).session_scope() as session:
            result = ledger.verify(db_session=session)
    except Exception as exc:  # noqa: BLE001 - any database failure is one line
        fail(f"cannot read the ledger at DATABASE_URL: {str(exc).splitlines()[0]}", 2)
    if not result.ok:
        fail(f"ledger verification FAILED: {result.problem}")
    out.print(f"ledger OK: {result.records} records ({result.answers} answers), head {result.head}")


def _verify_export(path: Path) -> None:
    """Run the same checks the export's own verify.py runs (this version's copy of them)."""
    from core.evidence.export_verify import shipped_verifier_note
    from core.evidence.verifier import verify

    code = verify(str(path), say=lambda line: print(line, flush=True))
    note = shipped_verifier_note(path)
    if note:
        print(note)
    if code:
        raise typer.Exit(code)


def _print_summary(out_file: Path, done: ExportSummary) -> None:
    out.print(
        f"wrote {out_file}: {done.submissions} submissions, {done.acknowledgements} acknowledgements, "
        f"{done.questions} questions, {done.files} files; ledger head {done.ledger_head}"
    )


AllowEmptyOpt = Annotated[
    bool,
    typer.Option(
        "--allow-empty",
        help="Write the export even when nothing was recorded in the range (register and chain).",
    ),
]


@export_app.callback()
def export(
    ctx: typer.Context,
    out_file: Annotated[Path | None, typer.Option("--out", help="The ZIP to write.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="From date (YYYY-MM-DD).")] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="To date (YYYY-MM-DD), inclusive.")
    ] = None,
    framework: FrameworkOpt = None,
    allow_empty: AllowEmptyOpt = False,
) -> None:
    """Write the auditor export ZIP (or `export soa` for the Statement of Applicability)."""
    if ctx.invoked_subcommand is not None:
        return
    from core.evidence.audit import export_for_auditors, witness_permalinks

    if out_file is None:
        fail("--out FILE.zip is required", 2)
    fw = check_framework(framework)
    rt = runtime()
    start, end = _day_range(date_from, date_to, rt.settings.zone)
    permalinks = witness_permalinks(rt.db, rt.slack, since=start)
    with Progress(TextColumn("exporting {task.description}"), BarColumn(), console=err) as bar:
        task = bar.add_task("controls", total=4)

        def step(name: str) -> None:
            bar.update(task, description=name, advance=1)

        with rt.db.session_scope() as session:
            done = export_for_auditors(
                out_file,
                db_session=session,
                catalogue=rt.catalogue,
                settings=rt.settings,
                start=start,
                end=end,
                framework=fw,
                progress=step,
                permalinks=permalinks,
                allow_empty=allow_empty,
            )
    _print_summary(out_file, done)


def _day_range(
    date_from: str | None, date_to: str | None, zone: tzinfo
) -> tuple[datetime | None, datetime | None]:
    """The --from and --to days (in zone) as a range, or exit 2 naming the date that is not one."""
    from bot.dates import day_range

    try:
        return day_range(date_from, date_to, zone=zone)
    except UserFacingError as exc:
        fail(str(exc), 2)


@export_app.command("soa")
def export_soa(out_file: Annotated[Path, typer.Option("--out", help="The CSV to write.")]) -> None:
    """Write the Statement of Applicability: all 93 Annex A controls."""
    from core.evidence.audit import statement_of_applicability
    from core.evidence.export import write_soa

    rt = runtime()
    with rt.db.session_scope() as session:
        rows = statement_of_applicability(db_session=session, catalogue=rt.catalogue)
    write_soa(out_file, rows)
    out.print(f"wrote {out_file}: {len(rows)} Annex A controls")
