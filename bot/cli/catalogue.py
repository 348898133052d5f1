"""`compliance-bot catalogue …`: validate, list, show and crosswalk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from bot.cli.common import app, err, fail, out, settings

if TYPE_CHECKING:
    from knowledge.catalogue import Catalogue
    from knowledge.schema import Entry, LegacyId

catalogue_app = typer.Typer(help="The control catalogue.", no_args_is_help=True)
app.add_typer(catalogue_app, name="catalogue")


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


def _entry(entry_id: str, hint: str = "") -> tuple[Catalogue, Entry, LegacyId | None]:
    """The catalogue and the entry a typed ID names, or exit 1 saying nothing matches."""
    from knowledge.catalogue import Catalogue

    cat = _catalogue()
    assert isinstance(cat, Catalogue)
    entry, legacy = cat.resolve(entry_id)
    if entry is None:
        fail(f"no catalogue entry matches '{entry_id}'{hint}")
    return cat, entry, legacy


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
    from knowledge.search import Hit

    cat, entry, legacy = _entry(entry_id, " (try `compliance-bot catalogue list`)")
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
    cat, entry, _ = _entry(entry_id)
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
