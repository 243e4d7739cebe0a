"""The `sellermate` command line: every answer the bot gives is also reachable here."""
from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

import typer
from pydantic import ValidationError

app = typer.Typer(
    name="sellermate",
    help="SellerMate: a CRM assistant for cross-border e-commerce sellers (Telegram bot + CLI).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")

DB_OPTION_HELP = "Database URL (default from SELLERMATE_DATABASE_URL or config.yaml)."
AS_OF_HELP = "Answer as of the end of this local date (YYYY-MM-DD); default now."


class CLIError(Exception):
    """An error the user can fix; printed as one line, never a traceback."""


def parse_as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CLIError(f"--as-of must be a date like 2026-11-23, got {value!r}") from None


def run_async(fn: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine for a command, turning user-fixable errors into one clear line and exit code 2."""
    from storage.db import DatabaseURLError

    try:
        return asyncio.run(fn())  # type: ignore[arg-type]
    except (CLIError, DatabaseURLError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        typer.echo(f"error: setting {where}: {first.get('msg')}", err=True)
        raise typer.Exit(2) from None


def _register_all() -> None:
    # Each area registers its own commands; import order is the order in --help.
    from bot import cli_import

    cli_import.register(app)
    for name in ("cli_customers", "cli_ask", "cli_analytics", "cli_bot", "cli_outreach", "cli_reminders",
                 "cli_demo_data", "cli_worker"):
        try:
            module = __import__(f"bot.{name}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != f"bot.{name}":
                raise
            continue
        module.register(app)


def main(argv: list[str] | None = None) -> Any:
    _register_all()
    try:
        return app(args=argv, prog_name="sellermate")
    except CLIError as exc:  # raised while checking options, before any async work
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    # `python -m bot.cli`: run the imported module's main, so its exception classes are the ones raised.
    from bot.cli import main as _main

    sys.exit(_main())
