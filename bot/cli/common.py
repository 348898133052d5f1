"""Shared pieces of the `compliance-bot` command line: the root app, output and start-up."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperGroup

from bot import __version__
from core.config import ConfigError, Settings, load_settings
from core.errors import DomainError
from knowledge.model_files import ModelError

if TYPE_CHECKING:
    from bot.runtime import Runtime


class RootGroup(TyperGroup):
    """The root command: the CLI's one place where a refused request becomes an error line."""

    def invoke(self, ctx: Any) -> Any:  # typer's own (vendored) click Context
        """Run the chosen command; a DomainError it raises is printed and exits 1."""
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            fail(str(exc))
        except ModelError as exc:  # EMBEDDING_MODEL names weights we refuse: a start-up error
            fail(str(exc), 2)


app = typer.Typer(
    cls=RootGroup,
    help="compliance-bot: an ISO 27001 / SOC 2 assistant for Slack and the terminal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()

FrameworkOpt = Annotated[
    str | None,
    typer.Option("--framework", help="iso27001 or soc2", show_default=False),
]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one error line and exit with code."""
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings() -> Settings:
    """Load settings or stop with exit code 2 naming the bad variable."""
    try:
        loaded = load_settings()
    except ConfigError as exc:
        fail(str(exc), 2)
    logging.basicConfig(level=loaded.log_level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return loaded


def runtime(*, migrate: bool = True) -> Runtime:
    """A Runtime with migrations applied (the common start-up of every command)."""
    from bot.runtime import Runtime

    rt = Runtime(settings())
    if migrate:
        try:
            rt.migrate()
        except Exception as exc:  # noqa: BLE001 - any database failure at start-up is one line
            fail(f"cannot prepare the database at DATABASE_URL: {str(exc).splitlines()[0]}", 2)
    return rt


def check_framework(value: str | None) -> str | None:
    """A --framework value normalised, or exit 2 naming the choices."""
    if value is None:
        return None
    value = value.lower().replace(" ", "").replace("-", "")
    if value not in {"iso27001", "soc2"}:
        fail("--framework must be iso27001 or soc2", 2)
    return value


def _version(value: bool) -> None:
    if value:
        out.print(f"compliance-bot {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """compliance-bot: an ISO 27001 / SOC 2 assistant for Slack and the terminal."""


def main() -> None:
    """Console-script entry point: bad configuration is one line, never a traceback."""
    try:
        app()
    except ConfigError as exc:
        err.print(f"error: {exc}")
        sys.exit(2)
