"""`risk import`, `risk list` and `risk show`: the risk register from the command line."""

from __future__ import annotations

import json
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from bot.cli.common import app, fail, out, runtime

if TYPE_CHECKING:
    from core.risks.models import Risk
    from core.risks.scale import RiskScale
    from core.risks.service import RiskRecord

risk_app = typer.Typer(help="The risk register.", no_args_is_help=True)
app.add_typer(risk_app, name="risk")


@risk_app.command("import")
def risk_import(
    file: Annotated[
        Path, typer.Argument(help="CSV or XLSX risk register (see examples/risks.csv).")
    ],
    actor: Annotated[
        str, typer.Option("--as", help="Who is importing (recorded in history).")
    ] = "cli",
) -> None:
    """Import or update risks; all-or-nothing, errors name their line."""
    from bot.cli.register_import import owners_in_slack, print_imported
    from core.models import utcnow
    from core.risks.importing import control_resolver, import_rows, read_risks, validate
    from core.risks.scale import RiskScale

    rt = runtime()
    if not file.exists():
        fail(f"{file} does not exist")
    raw = read_risks(file)
    people = owners_in_slack(rt, raw)
    with rt.db.session_scope() as session:
        rows = validate(
            raw,
            scale=RiskScale.from_settings(rt.settings),
            resolve_control=control_resolver(rt.catalogue, db_session=session),
            people=people,
        )
        result = import_rows(rows, db_session=session, actor=actor, now=utcnow())
    print_imported("risk register", result)


def _row(r: Risk, scale: RiskScale, zone: tzinfo) -> dict[str, Any]:
    """One risk as `risk list --json` prints it."""
    from core.localtime import local_day
    from core.risks.service import residual_score, score

    inherent, residual = score(r.likelihood, r.impact), residual_score(r)
    return {
        "id": r.ref,
        "title": r.title,
        "owner": r.owner,
        "owner_user_id": r.owner_user_id,
        "likelihood": r.likelihood,
        "impact": r.impact,
        "score": inherent,
        "level": scale.level(inherent),
        "treatment": r.treatment,
        "residual_score": residual,
        "residual_level": scale.level(residual),
        "controls": r.controls + r.requirements,
        "review_cadence": r.review_cadence,
        "next_review": local_day(r.next_review_at, zone),
        "version": r.version,
    }


@risk_app.command("list")
def risk_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List the risks with their scores and next review."""
    from core.risks.scale import RiskScale
    from core.risks.service import risks

    rt = runtime()
    scale = RiskScale.from_settings(rt.settings)
    with rt.db.session_scope() as session:
        rows = [_row(r, scale, rt.settings.zone) for r in risks(db_session=session)]
    if as_json:
        print(json.dumps(rows))
        return
    table = Table("ID", "Title", "Owner", "Score", "Treatment", "Residual", "Next review")
    for r in rows:
        table.add_row(
            r["id"],
            r["title"],
            r["owner"],
            f"{r['score']} {r['level']}",
            r["treatment"],
            f"{r['residual_score']} {r['residual_level']}",
            r["next_review"],
        )
    out.print(table)


def _show_lines(record: RiskRecord, scale: RiskScale, zone: tzinfo) -> list[str]:
    """`risk show`: the risk, its plan, history, reviews and acceptances."""
    from core.localtime import local_moment
    from core.risks.service import residual_score, score

    r = record.risk
    inherent, residual = score(r.likelihood, r.impact), residual_score(r)
    lines = [f"{r.ref} {r.title} (version {r.version})"]
    if r.description:
        lines.append(f"  description: {r.description}")
    lines += [
        f"  owner: {r.owner} ({r.owner_user_id})",
        f"  assets: {', '.join(r.assets) or '-'}",
        f"  likelihood {r.likelihood} x impact {r.impact} = {inherent} ({scale.level(inherent)})",
        f"  treatment: {r.treatment}; controls: {', '.join(r.controls + r.requirements) or '-'}",
        f"  residual: likelihood {r.residual_likelihood} x impact {r.residual_impact} = "
        f"{residual} ({scale.level(residual)})",
        f"  review: {r.review_cadence}, next {local_moment(r.next_review_at, zone)}",
    ]
    lines += [f"  plan: {a.due.isoformat()} {a.text} [{a.status}]" for a in record.actions]
    lines += [
        f"  history: v{v.version} {local_moment(v.changed_at, zone)} {v.how} by {v.changed_by}"
        for v in record.versions
    ]
    lines += [
        f"  review: v{rv.version} {local_moment(rv.reviewed_at, zone)} {rv.outcome} by {rv.user_id}"
        for rv in record.reviews
    ]
    for ac in record.acceptances:
        approval = f", approved by {ac.approved_by}" if ac.approved_by else ""
        pending = (
            " (awaiting security approval)" if ac.needs_approval and not ac.approved_by else ""
        )
        lines.append(
            f"  accepted: v{ac.version} score {ac.residual_score} by {ac.accepted_by}{approval}{pending}"
        )
    return lines


@risk_app.command("show")
def risk_show(ref: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Show one risk with its plan, history, reviews and acceptances."""
    from core.risks.scale import RiskScale
    from core.risks.service import risk_record

    rt = runtime()
    with rt.db.session_scope() as session:
        record = risk_record(ref, db_session=session)
        if record is None:
            fail(f"no risk '{ref}' in the register (see `compliance-bot risk list`)")
        lines = _show_lines(record, RiskScale.from_settings(rt.settings), rt.settings.zone)
    print("\n".join(lines))
