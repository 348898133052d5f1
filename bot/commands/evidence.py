"""`evidence <control> <text or link>`: hand in evidence; a DM with a file comes here too."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.blocks.evidence import suggestion_blocks
from bot.errors import UsageError, UserFacingError
from bot.evidence_flow import download, find_controls, hand_in, result_text, suggest
from bot.router import Command, Reply, Request, TextReply
from bot.runtime import Runtime
from core.evidence.service import FileUpload
from core.models import OrgControl
from knowledge import ids


def mentioned_target(runtime: Runtime, text: str) -> str | None:
    """A register ref or catalogue ID named anywhere in text."""
    with runtime.db.session_scope() as session:
        refs = list(session.scalars(select(OrgControl.ref)))
    for ref in refs:
        if re.search(rf"(?<![\w.-]){re.escape(ref)}(?![\w-])", text, re.IGNORECASE):
            return ref
    for group in ids.groups(text):
        for cid in group:
            if cid in runtime.catalogue.entries or cid in runtime.catalogue.legacy:
                return cid
    return None


def claims(runtime: Runtime, request: Request) -> bool:
    """A file sent to the bot, or a link with one of the register's controls named, is evidence.

    A message ending in `?` is a question ("is <link> enough for AC-01?"), not a submission.
    """
    if request.files:
        return True
    if not request.parsed.links or request.surface not in {"slack_dm", "console"}:
        return False
    if request.parsed.text.rstrip().endswith("?"):
        return False
    target = mentioned_target(runtime, request.parsed.text)
    return (
        target is not None and not target[:1].isdigit() and target not in runtime.catalogue.entries
    )


def handle(runtime: Runtime, request: Request, args: str) -> Reply:
    """Submit evidence for the named control, or ask which control a shared file is for."""
    files = request.files
    if not args.strip() and not files:
        raise UsageError(
            "Name the control, then the evidence: a sentence, a link, or attach a file.", "evidence"
        )
    first, _, rest = args.strip().partition(" ")
    target: str | None = first
    text = rest.strip()
    try:
        controls = find_controls(runtime, first) if first else []
    except UserFacingError:
        if not files and not request.parsed.links:
            raise
        target = mentioned_target(runtime, args)
        text = args.strip()
        controls = find_controls(runtime, target) if target else []
        if not controls and not files:
            raise
    if files and not controls:
        suggestions = suggest(runtime, request.actor, args)
        if not suggestions:
            raise UserFacingError(
                "Tell me which control this file is for, e.g. `evidence AC-01` with the file attached."
            )
        rows = [(s.ref, s.title, s.reason) for s in suggestions]
        listing = "\n".join(f"  - {r} {t} ({why})" for r, t, why in rows)
        return TextReply(
            f"Which control is this evidence for?\n{listing}",
            blocks=suggestion_blocks(files[0]["id"], rows),
        )
    upload: FileUpload | None = None
    if files:
        upload = _fetch(runtime, files[0]["id"])
    elif not text:
        raise UsageError(
            f"Add the evidence after the control: `evidence {target} <text or link>`.", "evidence"
        )
    result = hand_in(
        runtime, request.actor, controls, text=text, upload=upload, surface=request.surface
    )
    return TextReply(result_text(result, runtime), ephemeral=True)


def _fetch(runtime: Runtime, file_id: str) -> FileUpload:
    token = runtime.settings.slack_bot_token
    if runtime.slack is None or token is None:
        raise UserFacingError("Files can only be handed in through Slack.")
    return download(
        runtime.slack, file_id, token.get_secret_value(), runtime.settings.evidence_max_bytes
    )


COMMAND = Command(
    name="evidence",
    usage="evidence <control> <text or link>",
    summary="hand in evidence for a control (or DM me a file naming the control)",
    examples=(
        "evidence AC-01 Q4 access review done, export at https://drive.example.com/x",
        "evidence A.5.18 https://…",
    ),
    handler=handle,
    claims=claims,
)
