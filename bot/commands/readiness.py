"""`readiness [iso27001|soc2]`: where each framework stands, per group, and what is most urgent."""

from __future__ import annotations

from bot.blocks.common import Block
from bot.blocks.readiness import home_readiness_blocks, readiness_blocks, readiness_text
from bot.errors import UsageError
from bot.router import Command, Reply, Request, TextReply
from bot.runtime import Runtime
from core.readiness import Readiness, ReadinessError, readiness
from core.readiness.scope import FRAMEWORKS


def measure(runtime: Runtime, framework: str | None = None) -> Readiness:
    """Readiness now, as every surface shows it (one framework or both); ReadinessError says why not."""
    settings = runtime.settings
    with runtime.db.session_scope() as session:
        return readiness(
            db_session=session,
            catalogue=runtime.catalogue,
            soc2_categories=settings.soc2_categories,
            zone=settings.zone,
            framework=framework,
        )


def home_readiness(runtime: Runtime) -> list[Block]:
    """App Home's readiness summary for the security team (or why there is none yet)."""
    try:
        return home_readiness_blocks(measure(runtime))
    except ReadinessError as exc:
        return home_readiness_blocks(None, str(exc))


def handle(runtime: Runtime, request: Request, args: str) -> Reply:
    """Show per-group bars and the ten most urgent items."""
    words = args.lower().split()
    if len(words) > 1 or (words and words[0] not in FRAMEWORKS):
        raise UsageError("Name one framework, iso27001 or soc2, or none for both.", "readiness")
    report = measure(runtime, words[0] if words else None)
    return TextReply(readiness_text(report), blocks=readiness_blocks(report))


COMMAND = Command(
    name="readiness",
    usage="readiness [iso27001|soc2]",
    summary="where each framework stands: a bar per group and the ten most urgent items",
    examples=("readiness", "readiness soc2"),
    handler=handle,
    security_only=True,
)
