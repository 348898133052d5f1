"""`readiness`: where each framework stands, as a table with a bar per group or as JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from bot.cli.common import FrameworkOpt, app, check_framework, out, runtime

if TYPE_CHECKING:
    from core.readiness.model import FrameworkReadiness

SHORT = {
    "overdue": "overdue",
    "gap": "gap",
    "no_evidence": "none",
    "submitted": "review",
    "current": "current",
    "not_applicable": "n/a",
}


@app.command("readiness")
def readiness_command(
    framework: FrameworkOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Requirement status per framework and group: gaps, evidence due, current, overdue."""
    from bot.blocks.readiness import urgent_line
    from bot.commands.readiness import measure

    chosen = check_framework(framework)
    # A ReadinessError (an empty register) is the root command's one error line.
    report = measure(runtime(), chosen)
    if as_json:
        print(json.dumps(report.as_json()))
        return
    wide = out.width >= 100  # titles when they fit; the IDs (A.5, CC6) on a narrow terminal
    for fw in report.frameworks:
        out.print(_table(fw, wide=wide))
    urgent = report.most_urgent()
    if urgent:
        out.print("[bold]Most urgent[/bold]")
        for item in urgent:
            out.print(f"  - {urgent_line(item, report.zone, mention=False)}", highlight=False)


def _table(fw: FrameworkReadiness, *, wide: bool) -> Table:
    """One framework: a row per group with its bar and a count per status."""
    from bot.blocks.readiness import LABELS, WIDTH, bar, breakdown, headline, percent

    table = Table(
        title=headline(fw),
        title_justify="left",
        caption=breakdown(fw.tally),
        box=box.SIMPLE,
        collapse_padding=True,
        pad_edge=False,
    )
    table.add_column("Group", no_wrap=True, overflow="ellipsis", max_width=40)
    table.add_column("Ready", no_wrap=True, min_width=WIDTH + 5)
    for status in LABELS:
        table.add_column(SHORT[status], justify="right", no_wrap=True, min_width=len(SHORT[status]))
    for group in fw.groups:
        table.add_row(
            group.title if wide else group.id,
            f"{bar(group.ready)} {percent(group.ready):>4}",
            *(str(group.counts[status]) for status in LABELS),
        )
    return table
