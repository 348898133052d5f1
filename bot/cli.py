"""The `compliance-bot` command line."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

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
    from bot.evidence_support import user_resolver

    rt = _rt()
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
            record_question(
                db_session=session, user_id="cli", surface="cli", channel=None, answer=answer
            )
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


@app.command()
def serve(
    http: Annotated[bool, typer.Option("--http", help="Serve the Events API over HTTP.")] = False,
    host: Annotated[str, typer.Option("--host", help="HTTP bind address.")] = "0.0.0.0",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="HTTP port.")] = 3000,
) -> None:
    """Run the Slack bot: Socket Mode when SLACK_APP_TOKEN is set, or --http for the Events API."""
    from bot.app import build_app
    from bot.runtime import Runtime

    rt = runtime()
    assert isinstance(rt, Runtime)
    if not http and rt.settings.slack_app_token is None:
        fail("set SLACK_APP_TOKEN for Socket Mode, or run `compliance-bot serve --http`", 2)
    slack_app = build_app(rt)
    # Load the model and index before taking traffic so the first answer is fast.
    rt.searcher()
    if http:
        import waitress

        from bot.http import wsgi_app

        err.print(f"serving Slack events on http://{host}:{port}/slack/events (health: /healthz)")
        waitress.serve(
            wsgi_app(slack_app, rt), host=host, port=port, threads=8, ident="compliance-bot"
        )
        return
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    assert rt.settings.slack_app_token is not None
    handler = SocketModeHandler(
        slack_app,
        app_token=rt.settings.slack_app_token.get_secret_value(),
        web_client=slack_app.client,
    )
    err.print("connected to Slack in Socket Mode")
    handler.start()


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
    from bot.questions import questions_report
    from bot.runtime import Runtime

    try:
        start = parse_day(since or "")
    except UserFacingError as exc:
        fail(str(exc), 2)
    rt = runtime()
    assert isinstance(rt, Runtime)
    with rt.db.session_scope() as session:
        print(report_text(questions_report(db_session=session, since=start)))


register_app = typer.Typer(help="The organisation's control register.", no_args_is_help=True)
evidence_app = typer.Typer(help="Evidence and the tamper-evident ledger.", no_args_is_help=True)
export_app = typer.Typer(help="Exports for auditors.", invoke_without_command=True)
app.add_typer(register_app, name="register")
app.add_typer(evidence_app, name="evidence")
app.add_typer(export_app, name="export")


def _rt() -> Any:
    from bot.runtime import Runtime

    rt = runtime()
    assert isinstance(rt, Runtime)
    return rt


@register_app.command("import")
def register_import(
    file: Annotated[Path, typer.Argument(help="CSV or YAML register (see examples/register.csv).")],
    actor: Annotated[
        str, typer.Option("--as", help="Who is importing (recorded in history).")
    ] = "cli",
) -> None:
    """Import or update controls; all-or-nothing, errors name their line."""
    from bot.evidence_support import requirement_resolver, user_resolver
    from core.evidence.register import RegisterImportError, import_rows, read_rows, validate

    rt = _rt()
    if not file.exists():
        fail(f"{file} does not exist")
    try:
        raw = read_rows(file)
        rows = validate(
            raw,
            resolve_requirement=requirement_resolver(rt.catalogue),
            known_ids=list(rt.catalogue.entries),
        )
    except RegisterImportError as exc:
        fail(str(exc))
    resolve = user_resolver(rt.slack)
    with Progress(
        TextColumn("importing"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=err,
    ) as bar:
        task = bar.add_task("import", total=len(rows))

        def tracked(email: str) -> str | None:
            return resolve(email)

        with rt.db.session_scope() as session:
            result = import_rows(rows, db_session=session, actor=actor, resolve_user=tracked)
        bar.update(task, completed=len(rows))
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
    from sqlalchemy import select

    from core.models import OrgControl

    rt = _rt()
    with rt.db.session_scope() as session:
        controls = list(session.scalars(select(OrgControl).order_by(OrgControl.ref)))
        rows = [
            {
                "id": c.ref,
                "title": c.title,
                "requirements": c.requirements,
                "owner": c.owner,
                "cadence": c.cadence,
                "applicable": c.applicable,
                "version": c.version,
            }
            for c in controls
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
    from sqlalchemy import select

    from core.models import EvidenceRequest, OrgControl, OrgControlVersion

    rt = _rt()
    with rt.db.session_scope() as session:
        control = session.scalars(select(OrgControl).where(OrgControl.ref.ilike(ref))).first()
        if control is None:
            fail(f"no control '{ref}' in the register (see `compliance-bot register list`)")
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
        for v in session.scalars(
            select(OrgControlVersion)
            .where(OrgControlVersion.control_id == control.id)
            .order_by(OrgControlVersion.version)
        ):
            print(f"  history: v{v.version} {v.changed_at:%Y-%m-%d %H:%M} by {v.changed_by}")
        for r in session.scalars(
            select(EvidenceRequest)
            .where(EvidenceRequest.control_id == control.id)
            .order_by(EvidenceRequest.due_at)
        ):
            print(f"  evidence {r.period}: {r.status}, due {r.due_at:%Y-%m-%d}")


@evidence_app.command("verify")
def evidence_verify() -> None:
    """Walk the hash chain; exit 1 naming the first altered, removed or reordered record."""
    from core import ledger

    rt = _rt()
    with rt.db.session_scope() as session:
        result = ledger.verify(db_session=session)
    if not result.ok:
        fail(f"ledger verification FAILED: {result.problem}")
    out.print(f"ledger OK: {result.records} records, head {result.head}")


@export_app.callback()
def export(
    ctx: typer.Context,
    out_file: Annotated[Path | None, typer.Option("--out", help="The ZIP to write.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="From date (YYYY-MM-DD).")] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="To date (YYYY-MM-DD), inclusive.")
    ] = None,
    framework: FrameworkOpt = None,
) -> None:
    """Write the auditor export ZIP (or `export soa` for the Statement of Applicability)."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.dates import day_range
    from bot.evidence_support import requirements
    from core.evidence.export import ExportEmptyError, build_export

    if out_file is None:
        fail("--out FILE.zip is required", 2)
    fw = _check_framework(framework)
    try:
        start, end = day_range(date_from, date_to)
    except UserFacingError as exc:
        fail(str(exc), 2)
    rt = _rt()
    with Progress(TextColumn("exporting {task.description}"), BarColumn(), console=err) as bar:
        task = bar.add_task("controls", total=4)

        def step(name: str) -> None:
            bar.update(task, description=name, advance=1)

        try:
            with rt.db.session_scope() as session:
                manifest = build_export(
                    out_file,
                    db_session=session,
                    requirements=requirements(rt.catalogue),
                    start=start,
                    end=end,
                    framework=fw,
                    progress=step,
                )
        except ExportEmptyError as exc:
            fail(str(exc))
    counts = manifest["counts"]
    out.print(
        f"wrote {out_file}: {counts['submissions']} submissions, {counts['acknowledgements']} acknowledgements, "
        f"{counts['questions']} questions, {counts['files']} files; ledger head {manifest['ledger_head']['hash']}"
    )


@export_app.command("soa")
def export_soa(out_file: Annotated[Path, typer.Option("--out", help="The CSV to write.")]) -> None:
    """Write the Statement of Applicability: all 93 Annex A controls."""
    from bot.evidence_support import requirements
    from core.evidence.export import soa_rows, write_soa

    rt = _rt()
    annex = [
        r
        for r in requirements(rt.catalogue).values()
        if rt.catalogue.entries[r.id].kind == "annex_a"
    ]
    with rt.db.session_scope() as session:
        rows = soa_rows(db_session=session, annex_a=annex)
    write_soa(out_file, rows)
    out.print(f"wrote {out_file}: {len(rows)} Annex A controls")


jobs_app = typer.Typer(help="Scheduled work, run once or listed.", no_args_is_help=True)
campaign_app = typer.Typer(
    help="Training and policy acknowledgement campaigns.", no_args_is_help=True
)
app.add_typer(jobs_app, name="jobs")
app.add_typer(campaign_app, name="campaign")


def _jobs(rt: Any) -> Any:
    from jobs.runner import Jobs

    return Jobs(rt.db, rt.settings, rt.slack)


def _parse_now(value: str | None) -> Any:
    from datetime import UTC, datetime

    from core.models import utcnow

    if value is None:
        return utcnow()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--now '{value}' is not an ISO date-time such as 2026-12-01T09:30:00+00:00", 2)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@app.command()
def worker() -> None:
    """Run the scheduler: evidence nudges, campaign reminders, ledger witness, paced delivery."""
    from jobs.scheduler import run_worker

    rt = _rt()
    if rt.slack is None:
        fail("the worker sends Slack messages: set SLACK_BOT_TOKEN", 2)
    err.print(
        f"worker running every {rt.settings.worker_interval_seconds}s; stop with Ctrl-C or SIGTERM"
    )
    run_worker(_jobs(rt), interval_seconds=rt.settings.worker_interval_seconds)


@jobs_app.command("run")
def jobs_run(
    now: Annotated[
        str | None, typer.Option("--now", help="Pretend it is this ISO date-time.")
    ] = None,
) -> None:
    """Run everything due at that moment once, then exit."""
    moment = _parse_now(now)
    rt = _rt()
    stats = _jobs(rt).run_due(moment)
    note = "" if rt.slack else " (no SLACK_BOT_TOKEN: messages stay queued)"
    out.print(
        f"ran jobs due at {moment.isoformat()}: sent {stats.sent}, failed {stats.failed}, "
        f"retried {stats.retried}, reconciled {stats.reconciled}{note}"
    )
    for recipient, reason in stats.refused:
        err.print(f"not delivered to {recipient}: {reason}")


@jobs_app.command("list")
def jobs_list() -> None:
    """Show what is scheduled next."""
    rt = _rt()
    table = Table("What", "When (UTC)", "Detail")
    for what, when, detail in _jobs(rt).upcoming():
        table.add_row(what, when.strftime("%Y-%m-%d %H:%M") if when else "-", detail)
    out.print(table)


def _campaign_error(exc: Exception) -> NoReturn:
    fail(str(exc))


@campaign_app.command("start")
def campaign_start(
    title: Annotated[str, typer.Option("--title", help="What people acknowledge.")],
    audience: Annotated[
        str, typer.Option("--audience", help="all, usergroup:S…, channel:C… or users:U1,U2")
    ],
    due: Annotated[str, typer.Option("--due", help="Due date, YYYY-MM-DD.")],
    link: Annotated[str | None, typer.Option("--link", help="Where to read it.")] = None,
    document: Annotated[
        Path | None, typer.Option("--document", help="The document (its SHA-256 is recorded).")
    ] = None,
    quiz: Annotated[
        Path | None, typer.Option("--quiz", help="YAML quiz that must be passed.")
    ] = None,
    rolling: Annotated[
        bool, typer.Option("--rolling", help="Keep adding people who join the audience.")
    ] = False,
    guests: Annotated[
        bool, typer.Option("--include-guests", help="Include guest accounts.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the campaign as JSON.")] = False,
) -> None:
    """Start a campaign; invitations are queued for the worker (or `jobs run`) to send."""
    from datetime import UTC, datetime, time

    from jobs import campaigns
    from jobs.audience import AudienceError
    from jobs.quiz import QuizError, as_dict, load

    try:
        due_at = datetime.combine(
            datetime.strptime(due, "%Y-%m-%d").date(), time(23, 59, 59), tzinfo=UTC
        )
    except ValueError:
        fail(f"--due '{due}' is not a date: use YYYY-MM-DD", 2)
    if link and not link.startswith(("http://", "https://")):
        fail("--link must start with http:// or https://", 2)
    doc = None
    if document is not None:
        if not document.is_file():
            fail(f"--document {document} is not a file", 2)
        doc = (document.name, document.read_bytes())
    quiz_data = None
    if quiz is not None:
        try:
            quiz_data = as_dict(load(quiz))
        except QuizError as exc:
            fail(str(exc), 2)
    rt = _rt()
    if rt.slack is None:
        fail("campaigns resolve their audience in Slack: set SLACK_BOT_TOKEN", 2)
    due_at = due_at.replace(tzinfo=rt.settings.zone).astimezone(UTC)
    try:
        with rt.db.session_scope() as session:
            campaign = campaigns.start(
                rt.slack,
                db_session=session,
                title=title,
                audience_spec=audience,
                due=due_at,
                created_by="cli",
                reminder_days=rt.settings.campaign_reminder_days,
                link=link,
                document=doc,
                quiz=quiz_data,
                rolling=rolling,
                include_guests=guests,
            )
            st = campaigns.status(campaign.id, db_session=session)
    except (campaigns.CampaignError, AudienceError) as exc:
        _campaign_error(exc)
    if as_json:
        print(json.dumps(st.as_json()))
    else:
        out.print(
            f"campaign {st.id} started: {st.recipients} people in {st.audience}; invitations queued"
        )


@campaign_app.command("status")
def campaign_status(
    campaign_id: Annotated[int, typer.Argument(metavar="ID")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Delivered, acknowledged and overdue counts."""
    from jobs import campaigns

    rt = _rt()
    try:
        with rt.db.session_scope() as session:
            st = campaigns.status(campaign_id, db_session=session)
    except campaigns.CampaignError as exc:
        _campaign_error(exc)
    if as_json:
        print(json.dumps(st.as_json()))
        return
    out.print(
        f"#{st.id} {st.title} [{st.status}] audience {st.audience}, due {st.due_at[:10]}: "
        f"{st.delivered}/{st.recipients} delivered, {st.acknowledged} acknowledged, {st.overdue} overdue, "
        f"{st.failed} unreachable"
    )


@campaign_app.command("list")
def campaign_list() -> None:
    """All campaigns."""
    from jobs import campaigns

    rt = _rt()
    table = Table("ID", "Title", "Status", "Audience", "Due", "Acknowledged")
    with rt.db.session_scope() as session:
        for c in campaigns.list_campaigns(db_session=session):
            st = campaigns.status(c.id, db_session=session)
            table.add_row(
                str(c.id),
                c.title,
                c.status,
                c.audience,
                f"{c.due_at:%Y-%m-%d}",
                f"{st.acknowledged}/{st.recipients}",
            )
    out.print(table)


@campaign_app.command("remind")
def campaign_remind(campaign_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Queue a reminder now to everyone who has not acknowledged."""
    from core.models import Campaign, utcnow
    from jobs import campaigns

    rt = _rt()
    with rt.db.session_scope() as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.status != "active":
            fail(f"there is no active campaign {campaign_id}")
        queued = campaigns.remind(
            campaign, db_session=session, round_key=f"manual-{utcnow():%Y%m%d%H%M}"
        )
    out.print(f"queued {queued} reminder(s)")


@campaign_app.command("close")
def campaign_close(campaign_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Close a campaign and post the final report to SECURITY_CHANNEL."""
    from jobs import campaigns

    rt = _rt()
    try:
        with rt.db.session_scope() as session:
            campaigns.close(
                campaign_id,
                db_session=session,
                closed_by="cli",
                security_channel=rt.settings.security_channel,
            )
    except campaigns.CampaignError as exc:
        _campaign_error(exc)
    out.print(f"campaign {campaign_id} closed; final report queued for SECURITY_CHANNEL")
