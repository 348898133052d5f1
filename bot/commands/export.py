"""`export [from YYYY-MM-DD] [to YYYY-MM-DD] [iso27001|soc2]`: the auditor ZIP, delivered by DM."""

from __future__ import annotations

import tempfile
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.dates import day_range
from bot.errors import UsageError, UserFacingError
from bot.router import Command, Reply, Request, TextReply
from bot.runtime import Runtime
from core.evidence.audit import ExportSummary, export_for_auditors, witness_permalinks
from core.models import utcnow


def _parse(args: str) -> tuple[str | None, str | None, str | None]:
    words = args.split()
    start = end = framework = None
    while words:
        word = words.pop(0).lower()
        if word in {"iso27001", "soc2"}:
            framework = word
        elif word in {"from", "to"} and words:
            value = words.pop(0)
            start, end = (value, end) if word == "from" else (start, value)
        else:
            raise UsageError(f"I don't understand `{word}` here.", "export")
    return start, end, framework


def handle(runtime: Runtime, request: Request, args: str) -> Reply:
    """Build the export and DM it to the person who asked (or write it locally on the console)."""
    raw_start, raw_end, framework = _parse(args)
    start, end = day_range(raw_start, raw_end, "export", zone=runtime.settings.zone)
    name = f"compliance-export-{utcnow():%Y%m%d-%H%M%S}.zip"
    slack = runtime.slack if request.surface != "console" else None
    folder = Path(tempfile.mkdtemp()) if slack is not None else Path.cwd()
    permalinks = witness_permalinks(runtime.db, runtime.slack, since=start)
    with runtime.db.session_scope() as session:
        done = export_for_auditors(
            folder / name,
            db_session=session,
            catalogue=runtime.catalogue,
            settings=runtime.settings,
            start=start,
            end=end,
            framework=framework,
            permalinks=permalinks,
        )
    if slack is None:
        return TextReply(f"Export written to {done.path} (ledger head {done.ledger_head}).")
    # The upload happens after the session is closed: no Slack call inside a transaction.
    _send_by_dm(slack, request.actor.user_id, done)
    return TextReply(
        f"Export sent to you by DM ({done.submissions} submissions; ledger head `{done.ledger_head}`)."
    )


def _send_by_dm(slack: WebClient, user_id: str, done: ExportSummary) -> None:
    """Upload the ZIP into a DM with the person; the local copy is removed either way."""
    try:
        channel = slack.conversations_open(users=user_id)["channel"]["id"]
        slack.files_upload_v2(
            channel=channel,
            file=str(done.path),
            filename=done.path.name,
            title="Compliance evidence export",
            initial_comment=f"Your audit export. Ledger head: `{done.ledger_head}`",
        )
    except SlackApiError as exc:
        raise UserFacingError(
            f"The export was built but Slack refused the upload ({exc.response.get('error')})."
        ) from None
    finally:
        done.path.unlink(missing_ok=True)


COMMAND = Command(
    name="export",
    usage="export [from YYYY-MM-DD] [to YYYY-MM-DD] [iso27001|soc2]",
    summary="the auditor export (ZIP), sent to you by DM",
    examples=("export", "export from 2026-01-01 to 2026-06-30 soc2"),
    handler=handle,
    security_only=True,
)
