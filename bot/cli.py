"""The `compliance-bot` command line."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot import __version__
from bot.errors import UserFacingError
from core.config import ConfigError, Settings, load_settings

app = typer.Typer(
    help="compliance-bot: an ISO 27001 / SOC 2 assistant for Slack and the terminal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
catalogue_app = typer.Typer(help="The control catalogue.", no_args_is_help=True)
index_app = typer.Typer(help="The search index.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(index_app, name="index")

err = Console(stderr=True)
out = Console()

FrameworkOpt = Annotated[
    str | None,
    typer.Option("--framework", help="iso27001 or soc2", show_default=False),
]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one error line and exit with code."""
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings() -> Settings:
    """Load settings or stop with exit code 2 naming the bad variable."""
    try:
        loaded = load_settings()
    except ConfigError as exc:
        fail(str(exc), 2)
    logging.basicConfig(level=loaded.log_level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return loaded


def runtime(*, migrate: bool = True) -> object:
    """A Runtime with migrations applied (the common start-up of every command)."""
    from bot.runtime import Runtime

    rt = Runtime(settings())
    if migrate:
        try:
            rt.migrate()
        except Exception as exc:  # noqa: BLE001 - any database failure at start-up is one line
            fail(f"cannot prepare the database at DATABASE_URL: {str(exc).splitlines()[0]}", 2)
    return rt


def _check_framework(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.lower().replace(" ", "").replace("-", "")
    if value not in {"iso27001", "soc2"}:
        fail("--framework must be iso27001 or soc2", 2)
    return value


def _version(value: bool) -> None:
    if value:
        out.print(f"compliance-bot {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """compliance-bot: an ISO 27001 / SOC 2 assistant for Slack and the terminal."""


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations up to the newest revision."""
    from core.migrate import current_revision

    rt = runtime()
    out.print(f"database is at revision {current_revision(rt.settings.database_url)}")  # type: ignore[attr-defined]


@app.command()
def chat(
    as_user: Annotated[
        str | None, typer.Option("--as", help="Act as this Slack user ID, e.g. U123ABC.")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Act as the person with this email.")
    ] = None,
) -> None:
    """A local console: talk to the bot in the terminal (or pipe lines in)."""
    from bot.commands import all_commands
    from bot.console import run
    from bot.router import Actor, Router

    if as_user and user:
        fail("use either --as or --user, not both", 2)
    if user is not None and "@" not in user:
        fail("--user takes an email address, e.g. --user alice@example.com", 2)
    rt = runtime()
    identity = as_user or user or "console"
    actor = Actor(
        user_id=identity,
        email=user,
        is_security=identity in rt.settings.security_team,  # type: ignore[attr-defined]
    )
    router = Router(rt, all_commands())  # type: ignore[arg-type]
    raise typer.Exit(run(router, actor))


def _answer_json(answer: object) -> dict[str, object]:
    from knowledge.answer import Answer, render_text

    assert isinstance(answer, Answer)
    return {
        "query": answer.query,
        "took_ms": round(answer.took_ms, 3),
        "confident": answer.confident,
        "answer": render_text(answer),
        "results": [
            {
                "id": h.entry.id,
                "framework": h.entry.framework,
                "kind": h.entry.kind,
                "title": h.entry.title,
                "summary": h.entry.summary,
                "score": round(h.score, 4),
            }
            for h in answer.hits
        ],
    }


@app.command()
def ask(
    question: Annotated[
        str | None, typer.Argument(help="The question; omit to read one per line from stdin.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per question.")] = False,
    k: Annotated[int, typer.Option("-k", min=1, max=20, help="How many results.")] = 5,
    framework: FrameworkOpt = None,
) -> None:
    """Answer questions from the catalogue (loads the model and index once)."""
    from bot.questions import record_question
    from bot.runtime import Runtime
    from knowledge.answer import render_text
    from knowledge.search import EmptyQueryError

    fw = _check_framework(framework)
    rt = runtime()
    assert isinstance(rt, Runtime)
    questions = [question] if question is not None else (line.rstrip("\n") for line in sys.stdin)
    failed = False
    for text in questions:
        if question is None and not text.strip():
            continue
        try:
            answer = rt.answer(text, k=k, framework=fw)
        except EmptyQueryError as exc:
            failed = True
            if as_json:
                print(json.dumps({"query": text, "error": str(exc)}), flush=True)
            else:
                err.print(f"error: {exc}")
            continue
        with rt.db.session_scope() as session:
            record_question(db_session=session, user_id="cli", surface="cli", channel=None, answer=answer)
        if as_json:
            print(json.dumps(_answer_json(answer), ensure_ascii=False), flush=True)
        else:
            print(render_text(answer), flush=True)
            if question is None:
                print(flush=True)
    if failed:
        raise typer.Exit(1)


@catalogue_app.command("validate")
def catalogue_validate(
    directory: Annotated[
        Path | None, typer.Argument(help="A directory of organisation content to check.")
    ] = None,
) -> None:
    """Validate the bundled catalogue and, given DIR, organisation content."""
    from knowledge.catalogue import CatalogueError, load_org, load_standard

    try:
        cat = load_standard()
    except CatalogueError as exc:
        fail(str(exc))
    counts = {fw: len(cat.by_framework(fw)) for fw in ("iso27001", "soc2", "topic")}
    out.print(
        f"catalogue OK: {counts['iso27001']} ISO 27001, {counts['soc2']} SOC 2, "
        f"{counts['topic']} topics, {len(cat.legacy)} legacy IDs, {len(cat.pairs)} crosswalk pairs"
    )
    if directory is not None:
        if not directory.is_dir():
            fail(f"{directory} is not a directory")
        before = len(cat.entries)
        problems = load_org(directory, cat)
        for problem in problems:
            err.print(f"[red]invalid:[/red] {problem}", highlight=False, soft_wrap=True)
        out.print(f"{len(cat.entries) - before} organisation entries loaded from {directory}")
        if problems:
            raise typer.Exit(1)


def _catalogue() -> object:
    from knowledge.catalogue import CatalogueError, load_catalogue

    cfg = settings()
    try:
        return load_catalogue(cfg.knowledge_dir)
    except CatalogueError as exc:
        fail(str(exc))


@catalogue_app.command("list")
def catalogue_list(
    framework: Annotated[
        str | None, typer.Option("--framework", help="iso27001, soc2, topic or org")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List catalogue entries."""
    from knowledge.catalogue import Catalogue

    if framework is not None and framework not in {"iso27001", "soc2", "topic", "org"}:
        fail("--framework must be one of iso27001, soc2, topic, org", 2)
    cat = _catalogue()
    assert isinstance(cat, Catalogue)
    entries = cat.by_framework(framework)
    if as_json:
        rows = [
            {"id": e.id, "framework": e.framework, "kind": e.kind, "title": e.title}
            for e in entries
        ]
        print(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("ID", "Framework", "Kind", "Title")
    for e in entries:
        table.add_row(e.id, e.framework, e.kind, e.title)
    out.print(table)


@catalogue_app.command("show")
def catalogue_show(entry_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Show one entry (accepts A.5.15, a.5.15, 5.15, Annex A 5.15, cc6.1 and 2013 IDs)."""
    from knowledge.answer import Answer, render_text
    from knowledge.catalogue import Catalogue
    from knowledge.search import Hit

    cat = _catalogue()
    assert isinstance(cat, Catalogue)
    entry, legacy = cat.resolve(entry_id)
    if entry is None:
        fail(f"no catalogue entry matches '{entry_id}' (try `compliance-bot catalogue list`)")
    hit = Hit(entry, 1.0, via="legacy" if legacy else "id", legacy=legacy)
    from knowledge.answer import compose
    from knowledge.search import SearchResult

    answer: Answer = compose(SearchResult(entry_id, [hit], None), cat, min_score=0)
    print(render_text(answer))
    if entry.guidance:
        print("Guidance:")
        print(f"  {entry.guidance}")
    print(f"Review cadence: {entry.cadence}")
    if entry.keywords:
        print(f"Keywords: {', '.join(entry.keywords)}")


@catalogue_app.command("crosswalk")
def catalogue_crosswalk(entry_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Show the other framework's counterparts of an ID, with our rationale."""
    from knowledge.catalogue import Catalogue

    cat = _catalogue()
    assert isinstance(cat, Catalogue)
    entry, _ = cat.resolve(entry_id)
    if entry is None:
        fail(f"no catalogue entry matches '{entry_id}'")
    links = cat.crosswalk(entry.id)
    print(f"{entry.id} {entry.title}")
    if not links:
        note = cat.unmapped.get(entry.id)
        print(f"  no counterpart: {note.reason}" if note else "  no crosswalk pairs")
        return
    for link in links:
        target = cat.entries[link.target]
        print(f"  {target.id} {target.title} [{link.strength}]")
        print(f"      {link.rationale}")


@index_app.command("build")
def index_build() -> None:
    """Rebuild the search index now (normally it rebuilds itself when content changes)."""
    from bot.runtime import Runtime

    rt = Runtime(settings())
    with Progress(
        TextColumn("embedding"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=err,
    ) as progress:
        task = progress.add_task("embed", total=None)

        def step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        searcher = rt.searcher(rebuild=True, progress=step)
    out.print(
        f"index built: {len(searcher.entries)} entries, {searcher.dense.index.ntotal} vectors, "
        f"in {rt.settings.index_dir}"
    )


def main() -> None:
    """Console-script entry point: user-facing errors become one line, never a traceback."""
    try:
        app()
    except ConfigError as exc:
        err.print(f"error: {exc}")
        sys.exit(2)
    except UserFacingError as exc:
        err.print(f"error: {exc}")
        sys.exit(1)
