"""Commands for asking: db, chat, ask, index, serve and the questions report."""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from bot.cli.common import FrameworkOpt, app, check_framework, err, fail, out, runtime, settings
from bot.errors import UserFacingError

if TYPE_CHECKING:
    from bot.runtime import Runtime

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
index_app = typer.Typer(help="The search index.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(index_app, name="index")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations up to the newest revision."""
    from core.migrate import current_revision

    rt = runtime()
    out.print(f"database is at revision {current_revision(rt.settings.database_url)}")


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
    from bot.slack_client import user_resolver

    rt = runtime()
    identity = as_user or "console"
    if user is not None:
        # With Slack configured, act as the real account behind the email.
        identity = user_resolver(rt.slack)(user) or user
    actor = Actor(user_id=identity, email=user, is_security=rt.team.contains(identity))
    router = Router(rt, all_commands())
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
    fw = check_framework(framework)
    rt = runtime()
    questions = [question] if question is not None else (line.rstrip("\n") for line in sys.stdin)
    failed = False
    for text in questions:
        if question is None and not text.strip():
            continue
        answered = _ask_one(rt, text, k=k, framework=fw, as_json=as_json, spaced=question is None)
        failed = failed or not answered
    if failed:
        raise typer.Exit(1)


def _ask_one(
    rt: Runtime, text: str, *, k: int, framework: str | None, as_json: bool, spaced: bool
) -> bool:
    """Answer, record and print one question; False when search refuses it (an empty question)."""
    from core.questions.service import answer_question
    from knowledge.answer import render_text
    from knowledge.search import EmptyQueryError

    searcher = rt.searcher()
    try:
        with rt.db.session_scope() as session:
            answer, _ = answer_question(
                text,
                db_session=session,
                searcher=searcher,
                min_score=rt.settings.answer_min_score,
                user_id="cli",
                surface="cli",
                channel=None,
                k=k,
                framework=framework,
            )
    except EmptyQueryError as exc:
        if as_json:
            print(json.dumps({"query": text, "error": str(exc)}), flush=True)
        else:
            err.print(f"error: {exc}")
        return False
    if as_json:
        print(json.dumps(_answer_json(answer), ensure_ascii=False), flush=True)
    else:
        # One question per line from stdin: a blank line between the answers.
        print(render_text(answer) + ("\n" if spaced else ""), flush=True)
    return True


@index_app.command("build")
def index_build() -> None:
    """Rebuild the search index now (normally it rebuilds itself when content changes)."""
    from bot.runtime import Runtime
    from knowledge.catalogue import CatalogueError

    rt = Runtime(settings())
    try:
        rt.catalogue  # noqa: B018 - validate before the slow part
    except CatalogueError as exc:
        fail(str(exc))
    with Progress(
        TextColumn("embedding"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
    ) as progress:
        task = progress.add_task("embed", total=None)

        def step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        searcher = rt.searcher(rebuild=True, progress=step)
    out.print(
        f"index built: {len(searcher.entries)} entries, {searcher.dense.index.ntotal} vectors, "
        f"in {rt.settings.index_dir}"
    )


@app.command()
def serve(
    http: Annotated[bool, typer.Option("--http", help="Serve the Events API over HTTP.")] = False,
    host: Annotated[str, typer.Option("--host", help="HTTP bind address.")] = "0.0.0.0",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="HTTP port.")] = 3000,
) -> None:
    """Run the Slack bot: Socket Mode when SLACK_APP_TOKEN is set, or --http for the Events API."""
    from bot.app import build_app

    rt = runtime()
    if not http and rt.settings.slack_app_token is None:
        fail("set SLACK_APP_TOKEN for Socket Mode, or run `compliance-bot serve --http`", 2)
    slack_app = build_app(rt)
    # Load the model and index before taking traffic so the first answer is fast.
    rt.searcher()
    from bot.serving import serve_http, serve_socket

    if http:
        from bot.http import wsgi_app

        err.print(f"serving Slack events on http://{host}:{port}/slack/events (health: /healthz)")
        left = serve_http(slack_app, rt, host=host, port=port, wsgi=wsgi_app(slack_app, rt))
    else:
        err.print("connected to Slack in Socket Mode")
        left = serve_socket(slack_app, rt)
    if left:
        # Listener threads still running were recorded as unfinished: exit without waiting for them.
        logging.shutdown()
        sys.stderr.flush()
        os._exit(0)


report_app = typer.Typer(help="Reports for the security team.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("questions")
def report_questions(
    since: Annotated[
        str | None, typer.Option("--since", help="Only questions from this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Most asked questions, questions with no good match, and answers voted down."""
    from bot.commands.report import report_text
    from bot.dates import parse_day
    from core.questions.service import questions_report

    rt = runtime()
    try:
        start = parse_day(since or "", zone=rt.settings.zone)
    except UserFacingError as exc:
        fail(str(exc), 2)
    with rt.db.session_scope() as session:
        print(report_text(questions_report(db_session=session, since=start), rt.settings.zone))
