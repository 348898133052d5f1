"""`report [since YYYY-MM-DD]`: what people ask and where the catalogue falls short."""

from __future__ import annotations

from datetime import tzinfo

from bot.dates import parse_day
from bot.router import Command, Reply, Request, TextReply
from bot.runtime import Runtime
from core.localtime import local_day
from core.questions.service import QuestionsReport, questions_report


def report_text(report: QuestionsReport, zone: tzinfo) -> str:
    """The questions report as plain text (days in zone)."""
    lines = [f"Questions asked: {report.total}"]
    lines.append("Most asked:")
    lines += [f"  {count:>4}  {text}" for text, count in report.most_asked] or ["  (none)"]
    lines.append(f"No good match (knowledge gaps): {len(report.gaps)}")
    lines += [f"  - {local_day(q.asked_at, zone)} {q.text[:120]}" for q in report.gaps[:20]]
    lines.append(f"Answers voted down: {len(report.voted_down)}")
    for question, vote in report.voted_down[:20]:
        note = f" — missing: {vote.comment}" if vote.comment else ""
        lines.append(f"  - {question.text[:120]} (top: {', '.join(question.top_ids[:2])}){note}")
    return "\n".join(lines)


def handle(runtime: Runtime, request: Request, args: str) -> Reply:
    """Show the questions report."""
    since = parse_day(args, "report", zone=runtime.settings.zone)
    with runtime.db.session_scope() as session:
        text = report_text(questions_report(db_session=session, since=since), runtime.settings.zone)
    return TextReply(f"```{text}```")


COMMAND = Command(
    name="report",
    usage="report [since YYYY-MM-DD]",
    summary="most asked questions, knowledge gaps and answers voted down",
    examples=("report", "report since 2026-10-01"),
    handler=handle,
    security_only=True,
)
