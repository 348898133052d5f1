"""`evidence <control> <text or link>`: hand in evidence; a DM with a file comes here too."""

from __future__ import annotations

from typing import Any

from bot.blocks.evidence import files_text, handed_in_text, suggestion_blocks
from bot.errors import UsageError, UserFacingError
from bot.evidence_flow import hand_in
from bot.guard import failure_message
from bot.router import Command, Reply, Request, TextReply
from bot.runtime import Runtime
from bot.slack_text import first_word
from core.evidence import handin
from core.evidence.handin import Control, HandedIn


def mentioned_target(runtime: Runtime, text: str) -> str | None:
    """A register ref or catalogue ID named anywhere in text."""
    with runtime.db.session_scope() as session:
        return handin.mentioned_target(text, db_session=session, catalogue=runtime.catalogue)


def claims(runtime: Runtime, request: Request) -> bool:
    """A file sent to the bot, or a link with one of the register's controls named, is evidence.

    A message ending in `?` is a question ("is <link> enough for AC-01?"), not a submission.
    """
    if request.files:
        # A file sent as `supplier <name> ...` is a supplier's report (bot/commands/supplier.py).
        return first_word(request.parsed.text)[0].lower() != "supplier"
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
    first, rest = first_word(args)
    with runtime.db.session_scope() as session:
        aim = handin.aim(
            first,
            args,
            loose=bool(files or request.parsed.links),
            with_files=bool(files),
            db_session=session,
            catalogue=runtime.catalogue,
            equivalents=runtime.equivalents,
        )
    target, controls = aim.target, aim.controls
    text = args.strip() if aim.named_inside else rest.strip()
    if files and not controls:
        return _ask_which_control(runtime, request, args)
    if files:
        return _hand_in_files(runtime, request, controls, text)
    if not text:
        raise UsageError(
            f"Add the evidence after the control: `evidence {target} <text or link>`.", "evidence"
        )
    result = hand_in(runtime, request.actor, controls, text=text, surface=request.surface)
    return TextReply(handed_in_text(result), ephemeral=True)


def _file_name(shared: dict[str, Any]) -> str:
    return str(shared.get("name") or shared.get("id") or "a file")


def _ask_which_control(runtime: Runtime, request: Request, args: str) -> Reply:
    """Files with no control named: nothing is taken yet; suggest the likely controls."""
    actor = request.actor
    with runtime.db.session_scope() as session:
        suggestions = handin.suggest(
            actor.user_id, actor.email, args, db_session=session, searcher=runtime.searcher
        )
    rows = [(s.ref, s.title, s.reason) for s in suggestions]
    listing = "\n".join(f"  - {r} {t} ({why})" for r, t, why in rows)
    if len(request.files) > 1:
        names = ", ".join(_file_name(f) for f in request.files)
        likely = f"\nLikely controls:\n{listing}" if rows else ""
        return TextReply(
            f"I haven't taken these {len(request.files)} files yet ({names}): I don't know which "
            "control they are for. Send them again with the control in the message, e.g. "
            f"`AC-01`.{likely}"
        )
    if not suggestions:
        raise UserFacingError(
            "Tell me which control this file is for, e.g. `evidence AC-01` with the file attached."
        )
    return TextReply(
        f"Which control is this evidence for?\n{listing}",
        blocks=suggestion_blocks(request.files[0]["id"], rows),
    )


def _hand_in_files(runtime: Runtime, request: Request, controls: list[Control], text: str) -> Reply:
    """Every file of the message is its own submission; the reply names each file and its fate."""

    def one(shared: dict[str, Any]) -> tuple[str, HandedIn]:
        result = hand_in(
            runtime,
            request.actor,
            controls,
            text=text,
            file_id=shared["id"],
            surface=request.surface,
        )
        return result.file_name or _file_name(shared), result

    if len(request.files) == 1:  # its refusal or failure is the reply, through the shared path
        return TextReply(handed_in_text(one(request.files[0])[1]), ephemeral=True)
    taken: list[tuple[str, HandedIn]] = []
    refused: list[tuple[str, str]] = []
    for shared in request.files:
        try:
            taken.append(one(shared))
        except Exception as exc:  # noqa: BLE001 - one bad file must not hide what became of the others
            # The shared path's wording: a refusal's own message, else a logged reference.
            refused.append((_file_name(shared), failure_message(exc)))
    reply = files_text(taken, refused)
    if not taken:
        raise UserFacingError(reply)
    return TextReply(reply, ephemeral=True)


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
