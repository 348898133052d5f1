"""`access-review start|status|list|remind|close`: access reviews from Slack (security team)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.blocks.access_review import start_modal
from bot.errors import UsageError, UserFacingError
from bot.router import Command, ModalReply, Reply, Request, TextReply
from bot.runtime import Runtime
from bot.slack_text import first_word, parse_id
from core.access_reviews import service

SUBCOMMANDS = ("start", "status", "list", "remind", "close")
NAME = "access-review"


def _review_id(args: str) -> int:
    word = first_word(args)[0]
    if not word:
        raise UsageError("Give the review number, e.g. `access-review status 3`.", NAME)
    found = parse_id(word)
    if found is not None:
        return found
    if word.lstrip("#").isdecimal():
        raise UserFacingError(
            f"There is no access review {word[:40]}; `access-review list` shows them."
        )
    raise UsageError(
        f"`{word[:40]}` is not a review number; `access-review list` shows them.", NAME
    )


def _line(st: service.Status) -> str:
    removals = ", ".join(f"{n} {k}" for k, n in st.removals.items()) or "none"
    late = " — *overdue*" if st.overdue else ""
    return (
        f"#{st.id} [{st.status}] {', '.join(st.systems)} due {st.due_at[:10]}: {st.decided}/{st.items} "
        f"decided ({st.kept} kept, {st.revoked} revoked); removals: {removals}{late}"
    )


def _list(runtime: Runtime, request: Request, rest: str, session: Session) -> Reply:
    rows = [
        service.status(r.id, db_session=session) for r in service.list_reviews(db_session=session)
    ]
    return TextReply("\n".join(_line(st) for st in rows) or "No access reviews yet.")


def _status(runtime: Runtime, request: Request, rest: str, session: Session) -> Reply:
    st = service.status(_review_id(rest), db_session=session)
    left = "\n".join(f"  <@{r['reviewer']}>: {r['undecided']} left" for r in st.reviewers)
    return TextReply(_line(st) + (f"\n{left}" if left else ""))


def _remind(runtime: Runtime, request: Request, rest: str, session: Session) -> Reply:
    queued = service.remind_now(_review_id(rest), db_session=session)
    return TextReply(f"Queued {queued} reminder(s).")


def _close(runtime: Runtime, request: Request, rest: str, session: Session) -> Reply:
    review = service.close(
        _review_id(rest),
        db_session=session,
        closed_by=request.actor.user_id,
        zone=runtime.settings.zone,
        max_bytes=runtime.settings.evidence_max_bytes,
    )
    return TextReply(f"Access review {review.id} closed.")


_ACTIONS = {"list": _list, "status": _status, "remind": _remind, "close": _close}


def handle(runtime: Runtime, request: Request, args: str) -> Reply:
    """Run one access-review subcommand."""
    action, rest = first_word(args)
    action = action.lower()
    if action not in SUBCOMMANDS:
        raise UsageError(f"Use one of: {', '.join(SUBCOMMANDS)}.", NAME)
    if action == "start":
        return ModalReply(
            start_modal(),
            "Start an access review with `/compliance access-review start` in Slack (a form opens), "
            "or from a shell: `compliance-bot access-review start --systems github,aws "
            "--reviewer manager|owner --due YYYY-MM-DD`",
        )
    with runtime.db.session_scope() as session:
        return _ACTIONS[action](runtime, request, rest, session)


COMMAND = Command(
    name=NAME,
    usage="access-review start|status <id>|list|remind <id>|close <id>",
    summary="access reviews: every account kept or revoked by the person who should know",
    examples=("access-review start", "access-review status 2", "access-review close 2"),
    handler=handle,
    security_only=True,
)
