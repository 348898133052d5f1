"""`worker`, `jobs` and `campaign`: scheduled work from the CLI."""

from __future__ import annotations

import json
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from bot.cli.common import app, err, fail, out, runtime
from core.localtime import local_day, local_moment

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from jobs.runner import Jobs

jobs_app = typer.Typer(help="Scheduled work, run once or listed.", no_args_is_help=True)
campaign_app = typer.Typer(
    help="Training and policy acknowledgement campaigns.", no_args_is_help=True
)
app.add_typer(jobs_app, name="jobs")
app.add_typer(campaign_app, name="campaign")


def _jobs(rt: Runtime) -> Jobs:
    from bot.blocks.messages import render
    from jobs.runner import Jobs

    return Jobs(rt.db, rt.settings, rt.slack, render=render)


def _parse_now(value: str | None, zone: tzinfo) -> datetime:
    """--now as an instant in UTC; without an offset it is a time of day in zone (TZ)."""
    from datetime import UTC

    from core.models import utcnow

    if value is None:
        return utcnow()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--now '{value}' is not an ISO date-time such as 2026-12-01T09:30:00+00:00", 2)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)).astimezone(UTC)


@app.command()
def worker() -> None:
    """Run the scheduler: reminders (evidence and more), campaigns, ledger witness, paced delivery."""
    from jobs.scheduler import run_worker

    rt = runtime()
    if rt.slack is None:
        fail("the worker sends Slack messages: set SLACK_BOT_TOKEN", 2)
    err.print(
        f"worker running every {rt.settings.worker_interval_seconds}s; stop with Ctrl-C or SIGTERM"
    )
    run_worker(_jobs(rt), interval_seconds=rt.settings.worker_interval_seconds)


@jobs_app.command("run")
def jobs_run(
    now: Annotated[
        str | None,
        typer.Option("--now", help="Pretend it is this ISO date-time (no offset: a time in TZ)."),
    ] = None,
) -> None:
    """Run everything due at that moment once, then exit."""
    rt = runtime()
    moment = _parse_now(now, rt.settings.zone)
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
    rt = runtime()
    table = Table("What", "When", "Detail")
    for what, when, detail in _jobs(rt).upcoming():
        table.add_row(what, local_moment(when, rt.settings.zone) if when else "-", detail)
    out.print(table)


_Title = Annotated[str, typer.Option("--title", help="What people acknowledge.")]
_Audience = Annotated[
    str, typer.Option("--audience", help="all, usergroup:S…, channel:C… or users:U1,U2")
]
_Due = Annotated[str, typer.Option("--due", help="Due date, YYYY-MM-DD.")]
_Link = Annotated[str | None, typer.Option("--link", help="Where to read it.")]
_Document = Annotated[
    Path | None, typer.Option("--document", help="The document (its SHA-256 is recorded).")
]
_Quiz = Annotated[Path | None, typer.Option("--quiz", help="YAML quiz that must be passed.")]
_Rolling = Annotated[
    bool, typer.Option("--rolling", help="Keep adding people who join the audience.")
]
_Guests = Annotated[bool, typer.Option("--include-guests", help="Include guest accounts.")]


def _start_inputs(
    due: str, link: str | None, document: Path | None, quiz: Path | None
) -> tuple[date, tuple[str, bytes] | None, dict[str, Any] | None]:
    """The due day, document and quiz of `campaign start`, or exit 2 naming the bad option."""
    from core.campaigns.quiz import QuizError, as_dict, load
    from core.campaigns.service import CampaignError, check_link

    try:
        due_day = datetime.strptime(due, "%Y-%m-%d").date()
    except ValueError:
        fail(f"--due '{due}' is not a date: use YYYY-MM-DD", 2)
    try:
        check_link(link)
    except CampaignError:
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
    return due_day, doc, quiz_data


@campaign_app.command("start")
def campaign_start(
    title: _Title,
    audience: _Audience,
    due: _Due,
    link: _Link = None,
    document: _Document = None,
    quiz: _Quiz = None,
    rolling: _Rolling = False,
    guests: _Guests = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the campaign as JSON.")] = False,
) -> None:
    """Start a campaign; invitations are queued for the worker (or `jobs run`) to send."""
    from core.campaigns import service as campaigns

    due_day, doc, quiz_data = _start_inputs(due, link, document, quiz)
    rt = runtime()
    if rt.slack is None:
        fail("campaigns resolve their audience in Slack: set SLACK_BOT_TOKEN", 2)
    with rt.db.session_scope() as session:
        campaign = campaigns.start(
            rt.slack,
            db_session=session,
            title=title,
            audience_spec=audience,
            due=campaigns.due_on(due_day, rt.settings.zone),
            created_by="cli",
            reminder_days=rt.settings.campaign_reminder_days,
            link=link,
            document=doc,
            quiz=quiz_data,
            rolling=rolling,
            include_guests=guests,
        )
        st = campaigns.status(campaign.id, db_session=session)
    if as_json:
        print(json.dumps(st.as_json()))
        return
    out.print(
        f"campaign {st.id} started: {st.recipients} people in {st.audience}; invitations queued"
    )


@campaign_app.command("status")
def campaign_status(
    campaign_id: Annotated[int, typer.Argument(metavar="ID")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Delivered, acknowledged and overdue counts."""
    from core.campaigns import service as campaigns

    rt = runtime()
    with rt.db.session_scope() as session:
        st = campaigns.status(campaign_id, db_session=session)
    if as_json:
        print(json.dumps(st.as_json()))
        return
    due = local_day(datetime.fromisoformat(st.due_at), rt.settings.zone)
    out.print(
        f"#{st.id} {st.title} [{st.status}] audience {st.audience}, due {due}: "
        f"{st.delivered}/{st.recipients} delivered, {st.acknowledged} acknowledged, {st.overdue} overdue, "
        f"{st.failed} unreachable"
    )


@campaign_app.command("list")
def campaign_list() -> None:
    """All campaigns."""
    from core.campaigns import service as campaigns

    rt = runtime()
    table = Table("ID", "Title", "Status", "Audience", "Due", "Acknowledged")
    with rt.db.session_scope() as session:
        for c in campaigns.list_campaigns(db_session=session):
            st = campaigns.status(c.id, db_session=session)
            table.add_row(
                str(c.id),
                c.title,
                c.status,
                c.audience,
                local_day(c.due_at, rt.settings.zone),
                f"{st.acknowledged}/{st.recipients}",
            )
    out.print(table)


@campaign_app.command("remind")
def campaign_remind(campaign_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Queue a reminder now to everyone who has not acknowledged."""
    from core.campaigns import service as campaigns

    rt = runtime()
    with rt.db.session_scope() as session:
        queued = campaigns.remind_now(campaign_id, db_session=session)
    out.print(f"queued {queued} reminder(s)")


@campaign_app.command("close")
def campaign_close(campaign_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Close a campaign and post the final report to SECURITY_CHANNEL."""
    from core.campaigns import service as campaigns

    rt = runtime()
    with rt.db.session_scope() as session:
        campaigns.close(
            campaign_id,
            db_session=session,
            closed_by="cli",
            security_channel=rt.settings.security_channel,
        )
    out.print(f"campaign {campaign_id} closed; final report queued for SECURITY_CHANNEL")
