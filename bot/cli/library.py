"""`library import|list|export`: the answer library of approved questionnaire answers."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bot.cli.common import app, fail, out, runtime
from core.localtime import local_day

library_app = typer.Typer(help="The answer library (approved answers).", no_args_is_help=True)
app.add_typer(library_app, name="library")


@library_app.command("import")
def library_import(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX with question, answer, sources.")],
    actor: Annotated[str, typer.Option("--as", help="Who approves these answers.")] = "cli",
) -> None:
    """Import approved answers; all rows or none, each problem names its line."""
    from core.imports import file_size_problem
    from core.questionnaires import QuestionnaireError
    from core.questionnaires.library import import_library

    if not file.is_file():
        fail(f"{file} does not exist")
    too_big = file_size_problem(file)  # refused before a byte is read
    if too_big:
        fail(too_big)
    rt = runtime()
    try:
        with rt.db.session_scope() as session:
            result = import_library(
                file.name,
                file.read_bytes(),
                db_session=session,
                catalogue=rt.catalogue,
                actor=actor,
            )
    except QuestionnaireError as exc:
        fail(str(exc))
    out.print(
        f"library imported: {len(result.created)} created, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged",
        soft_wrap=True,
    )


@library_app.command("list")
def library_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List approved answers with their sources and approver."""
    from core.questionnaires.library import as_json as entry_json
    from core.questionnaires.library import entries

    rt = runtime()
    with rt.db.session_scope() as session:
        rows = [entry_json(e) for e in entries(db_session=session)]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        out.print(
            "The library is empty: `compliance-bot library import FILE` (see examples/library.csv)."
        )
        return
    zone = rt.settings.zone
    table = Table("ID", "Question", "Sources", "Approved by", "Approved", "v")
    for r in rows:
        table.add_row(
            f"LIB-{r['id']}",
            r["question"],
            ", ".join(s["id"] for s in r["sources"]),
            r["approved_by"],
            local_day(datetime.fromisoformat(r["approved_at"]), zone),
            str(r["version"]),
        )
    out.print(table)


@library_app.command("export")
def library_export(
    out_file: Annotated[Path, typer.Option("--out", help="The .csv or .xlsx to write.")],
) -> None:
    """Write the library as CSV or XLSX (formulas neutralised); it imports again unchanged."""
    from core.questionnaires import QuestionnaireError
    from core.questionnaires.library import count, export

    rt = runtime()
    try:
        with rt.db.session_scope() as session:
            content = export(out_file.name, db_session=session)
            total = count(db_session=session)
    except QuestionnaireError as exc:
        fail(str(exc), 2)
    out_file.write_bytes(content)
    out.print(f"wrote {out_file}: {total} answers", highlight=False, soft_wrap=True)
