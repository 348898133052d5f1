"""`access-review` and `people`: account snapshots, reviews, decisions' follow-up, from the shell."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli.common import app, fail, out, runtime

if TYPE_CHECKING:
    from bot.runtime import Runtime

access_app = typer.Typer(
    help="Access reviews: accounts, reviewers, decisions.", no_args_is_help=True
)
people_app = typer.Typer(
    help="The people directory (email, manager, department).", no_args_is_help=True
)
app.add_typer(access_app, name="access-review")
app.add_typer(people_app, name="people")

_Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]
_Map = Annotated[
    list[str] | None,
    typer.Option("--map", help="FIELD=HEADER for a column named otherwise (repeatable)."),
]


def _read(file: Path) -> bytes:
    if not file.is_file():
        fail(f"{file} is not a file", 2)
    return file.read_bytes()


def _report(as_json: bool, data: Any, line: str) -> None:
    """Print the command's result: its JSON with --json, else the one line for people."""
    if as_json:
        print(json.dumps(data))
    else:
        out.print(line, highlight=False, soft_wrap=True)


def sync_slack(rt: Runtime) -> None:
    """Refresh the directory from Slack's member list (outside the import's transaction)."""
    from core.access_reviews.people import remember_slack, slack_members

    if rt.slack is None:
        return
    members = slack_members(rt.slack)
    with rt.db.session_scope() as session:
        remember_slack(members, db_session=session)


@access_app.command("import")
def access_import(
    system: Annotated[str, typer.Argument(help="The system's name, e.g. github, aws, vpn.")],
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8) or XLSX export of its users.")],
    owner: Annotated[str | None, typer.Option("--owner", help="The system owner's email.")] = None,
    mapping: _Map = None,
    as_json: _Json = False,
) -> None:
    """Store a system's accounts as a snapshot (source, time, SHA-256), matched to people."""
    from core.access_reviews.files import parse_map, read_accounts
    from core.access_reviews.snapshots import store_snapshot

    content = _read(file)
    rows = read_accounts(content, file.name, parse_map(mapping or []))
    rt = runtime()
    sync_slack(rt)
    media = "text/csv" if file.suffix.lower() != ".xlsx" else "application/vnd.ms-excel"
    with rt.db.session_scope() as session:
        result = store_snapshot(
            system,
            rows,
            db_session=session,
            raw=content,
            media_type=media,
            source=f"file:{file.name}",
            taken_by="cli",
            owner_email=owner,
        )
    _report(
        as_json,
        result.as_json(),
        f"{result.system}: {result.accounts} accounts stored (snapshot {result.snapshot_id}, "
        f"SHA-256 {result.sha256}); {result.privileged} privileged, "
        f"{len(result.unknown_owner)} unknown_owner, {len(result.likely_leaver)} likely_leaver",
    )


@access_app.command("pull")
def access_pull(
    system: Annotated[str, typer.Argument(help="github or google (as configured in settings).")],
    owner: Annotated[str | None, typer.Option("--owner", help="The system owner's email.")] = None,
    as_json: _Json = False,
) -> None:
    """Pull a system's accounts through its connector; a failed pull keeps the previous snapshot."""
    from core.access_reviews.connectors import configured
    from core.access_reviews.snapshots import store_pulled

    rt = runtime()
    connectors = configured(rt.settings)
    if system not in connectors:
        fail(
            f"no connector for '{system}': set GITHUB_ORG and GITHUB_TOKEN (github) or "
            "GOOGLE_WORKSPACE_DOMAIN, GOOGLE_SERVICE_ACCOUNT_FILE and GOOGLE_ADMIN_EMAIL (google)",
            2,
        )
    connector = connectors[system]()
    rows = connector.pull()  # network, before any transaction
    sync_slack(rt)
    with rt.db.session_scope() as session:
        result = store_pulled(
            connector.name,
            connector.source,
            rows,
            db_session=session,
            taken_by="cli",
            owner_email=owner,
        )
    _report(
        as_json,
        result.as_json(),
        f"{result.system}: {result.accounts} accounts pulled (snapshot {result.snapshot_id}, "
        f"SHA-256 {result.sha256}); {len(result.verified)} removal(s) verified, "
        f"{len(result.still_present)} still present: {', '.join(result.still_present) or 'none'}",
    )


@access_app.command("mapping")
def access_mapping(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX with system, account_id, email.")],
) -> None:
    """Link accounts whose own email matches nobody to a person (next import or pull uses it)."""
    from core.access_reviews.files import read_mappings
    from core.access_reviews.people import import_mappings

    rows = read_mappings(_read(file), file.name)
    rt = runtime()
    with rt.db.session_scope() as session:
        count = import_mappings(rows, db_session=session, actor="cli")
    out.print(f"{count} account mapping(s) stored")


@people_app.command("import")
def people_import(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX: email, manager_email, department.")],
    mapping: _Map = None,
) -> None:
    """Import who manages whom (managers review their people's accounts)."""
    from core.access_reviews.files import parse_map, read_people
    from core.access_reviews.people import import_people

    rows = read_people(_read(file), file.name, parse_map(mapping or []))
    rt = runtime()
    sync_slack(rt)
    with rt.db.session_scope() as session:
        done = import_people(rows, db_session=session, actor="cli")
    out.print(
        f"people imported: {done.created} new, {done.updated} updated; "
        f"{done.linked} linked to a Slack user"
    )


def security_reviewers(rt: Runtime) -> list[str]:
    """The people (not user groups) of SECURITY_TEAM: the last resort reviewers."""
    return [m for m in rt.settings.security_team if m[:1] in {"U", "W"}]


def _day(due: str) -> date:
    """--due as a date, or exit 2 naming the format."""
    try:
        return datetime.strptime(due, "%Y-%m-%d").date()
    except ValueError:
        fail(f"--due '{due}' is not a date: use YYYY-MM-DD", 2)


@access_app.command("start")
def access_start(
    systems: Annotated[str, typer.Option("--systems", help="Comma-separated, e.g. github,aws.")],
    reviewer: Annotated[
        str, typer.Option("--reviewer", help="manager (each person's manager) or owner.")
    ],
    due: Annotated[str, typer.Option("--due", help="YYYY-MM-DD")],
    as_json: _Json = False,
) -> None:
    """Start a review: every account assigned to a reviewer, who gets a DM to decide."""
    from core.access_reviews import service
    from core.campaigns.service import due_at_end_of

    day = _day(due)
    names = service.parse_systems(systems)
    rt = runtime()
    sync_slack(rt)
    with rt.db.session_scope() as session:
        review = service.start(
            db_session=session,
            systems=names,
            mode=reviewer,
            due=due_at_end_of(day, rt.settings.zone),
            created_by="cli",
            security=security_reviewers(rt),
            zone=rt.settings.zone,
        )
        st = service.status(review.id, db_session=session)
    _report(
        as_json,
        st.as_json(),
        f"access review {st.id} started: {st.items} accounts in {', '.join(st.systems)} for "
        f"{len(st.reviewers)} reviewer(s); invitations queued",
    )


@access_app.command("status")
def access_status(
    review_id: Annotated[int, typer.Argument(metavar="ID")], as_json: _Json = False
) -> None:
    """Decided, kept, revoked and undecided accounts; removals; who has accounts left."""
    from core.access_reviews import service

    rt = runtime()
    with rt.db.session_scope() as session:
        st = service.status(review_id, db_session=session)
    if as_json:
        print(json.dumps(st.as_json()))
        return
    removals = ", ".join(f"{n} {k}" for k, n in st.removals.items()) or "none"
    out.print(
        f"#{st.id} [{st.status}] {', '.join(st.systems)} ({st.reviewer_mode}), due {st.due_at[:10]}: "
        f"{st.decided}/{st.items} decided ({st.kept} kept, {st.revoked} revoked); "
        f"removals: {removals}" + (" — OVERDUE" if st.overdue else ""),
        highlight=False,
        soft_wrap=True,
    )
    for row in st.reviewers:
        out.print(f"  {row['reviewer']}: {row['undecided']} left", highlight=False)


@access_app.command("list")
def access_list(as_json: _Json = False) -> None:
    """Every access review."""
    from core.access_reviews import service

    rt = runtime()
    with rt.db.session_scope() as session:
        rows = [
            service.status(r.id, db_session=session)
            for r in service.list_reviews(db_session=session)
        ]
    if as_json:
        print(json.dumps([r.as_json() for r in rows]))
        return
    if not rows:
        out.print("No access reviews yet.")
    for st in rows:
        out.print(
            f"#{st.id} [{st.status}] {', '.join(st.systems)} due {st.due_at[:10]}: "
            f"{st.decided}/{st.items} decided",
            highlight=False,
            soft_wrap=True,
        )


@access_app.command("remind")
def access_remind(review_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Queue a reminder now to every reviewer with accounts left."""
    from core.access_reviews import service

    rt = runtime()
    with rt.db.session_scope() as session:
        queued = service.remind_now(review_id, db_session=session)
    out.print(f"queued {queued} reminder(s)")


@access_app.command("close")
def access_close(review_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Close a review whose accounts are all decided and removals all confirmed or excepted."""
    from core.access_reviews import service

    rt = runtime()
    with rt.db.session_scope() as session:
        service.close(
            review_id,
            db_session=session,
            closed_by="cli",
            zone=rt.settings.zone,
            max_bytes=rt.settings.evidence_max_bytes,
        )
    out.print(f"access review {review_id} closed")


@access_app.command("removed")
def access_removed(
    removal_id: Annotated[int, typer.Argument(metavar="REMOVAL_ID")],
    note: Annotated[str | None, typer.Option("--note", help="What was done.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="A screenshot or export.")] = None,
) -> None:
    """Mark a removal task done (recorded as done by the security team from the shell)."""
    from core.access_reviews.removals import mark_done
    from core.evidence.service import FileUpload

    upload = FileUpload(file.name, _read(file)) if file is not None else None
    rt = runtime()
    with rt.db.session_scope() as session:
        mark_done(
            removal_id,
            user_id="cli",
            is_security=True,
            db_session=session,
            note=note,
            upload=upload,
            max_bytes=rt.settings.evidence_max_bytes,
        )
    out.print(f"removal {removal_id} marked done")


@access_app.command("reassign")
def access_reassign(
    item_id: Annotated[
        int, typer.Argument(metavar="ITEM_ID", help="From `status --json` or the CSV.")
    ],
    to: Annotated[str, typer.Option("--to", help="The new reviewer's Slack user ID (U…).")],
) -> None:
    """Give an undecided account to another reviewer (never to the account's own holder)."""
    from core.access_reviews.decisions import reassign

    if not (to[:1] in {"U", "W"} and to.isalnum()):
        fail(f"--to '{to[:40]}' is not a Slack user ID (U…)", 2)
    rt = runtime()
    with rt.db.session_scope() as session:
        reassign(item_id, to_user=to, by="cli", db_session=session)
    out.print(f"account {item_id} reassigned to {to}")


@access_app.command("exception")
def access_exception(
    removal_id: Annotated[int, typer.Argument(metavar="REMOVAL_ID")],
    reason: Annotated[str, typer.Option("--reason", help="Why the account may stay.")],
) -> None:
    """Accept that a revoked account stays (security team), with the reason recorded."""
    from core.access_reviews.removals import accept_exception

    rt = runtime()
    with rt.db.session_scope() as session:
        accept_exception(removal_id, by="cli", reason=reason, db_session=session)
    out.print(f"removal {removal_id} accepted as an exception")
