"""`questionnaire answer`: a customer's security questionnaire answered from the organisation's own knowledge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.cli.common import app, err, fail, out, runtime

if TYPE_CHECKING:
    from core.questionnaires.service import AnsweredFile

questionnaire_app = typer.Typer(help="Security questionnaires.", no_args_is_help=True)
app.add_typer(questionnaire_app, name="questionnaire")


def default_out(file: Path) -> Path:
    """`answers.xlsx` → `answers-answered.xlsx` beside it."""
    return file.with_name(f"{file.stem}-answered{file.suffix}")


@questionnaire_app.command("answer")
def questionnaire_answer(
    file: Annotated[Path, typer.Argument(help="The questionnaire: .xlsx or .csv.")],
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write the answered file (default FILE-answered)."),
    ] = None,
    column: Annotated[
        str | None, typer.Option("--column", help="Header of the question column.")
    ] = None,
    sheet: Annotated[
        list[str] | None,
        typer.Option("--sheet", help="A sheet holding questions (repeat for several)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object per question instead.")
    ] = False,
) -> None:
    """Fill the file's own answer columns (or add Answer, Status, Confidence, Sources); every other cell is kept."""
    if not file.is_file():
        fail(f"{file} does not exist")
    target = out_file if out_file is not None else (None if as_json else default_out(file))
    if target is not None and target.suffix.lower() != file.suffix.lower():
        fail(f"--out must be a {file.suffix} file like the questionnaire", 2)
    answered = answer_with_progress(file, column, sheet or [])
    if target is not None:
        target.write_bytes(answered.content)
    for line in answered.questionnaire.describe():
        err.print(f"Used {line}", highlight=False, soft_wrap=True)
    if as_json:
        for row in answered.rows:
            print(json.dumps(row.as_json(), ensure_ascii=False))
        return
    counts = answered.counts()
    out.print(
        f"{len(answered.rows)} questions: {counts['approved']} approved, "
        f"{counts['suggested']} suggested, {counts['needs_review']} need review; wrote {target}",
        highlight=False,
        soft_wrap=True,
    )


def answer_with_progress(file: Path, column: str | None, sheets: list[str]) -> AnsweredFile:
    """Answer the file with a progress bar on stderr; a questionnaire error ends the command."""
    from core.questionnaires import QuestionnaireError
    from core.questionnaires.service import answer_questionnaire

    rt = runtime()
    content = file.read_bytes()
    with Progress(
        TextColumn("answering"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("rows", total=None)
        searcher = rt.searcher()

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            with rt.db.session_scope() as session:
                return answer_questionnaire(
                    file.name,
                    content,
                    db_session=session,
                    searcher=searcher,
                    zone=rt.settings.zone,
                    column=column,
                    sheets=sheets,
                    progress=step,
                )
        except QuestionnaireError as exc:
            fail(str(exc))
