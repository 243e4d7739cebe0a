"""`sellermate experiments`: each outreach experiment's variants (n, conversions, rate with its 95% Wilson
interval) and the winner only when the two-proportion z-test says so; the same report as /experiments."""

from __future__ import annotations

import html
import json
import re
from typing import Annotated, Any

import typer

from bot.cli import AS_OF_HELP, DB_OPTION_HELP, CLIError, parse_as_of, run_async
from bot.cli_analytics import PERIOD_HELP, parse_period


def plain(text: str) -> str:
    """A chat text for the terminal: no HTML tags or entities."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def experiments(
    window: Annotated[
        int, typer.Option("--window", help="Days after an approval in which a valid order counts (1-365).")
    ] = 14,
    period: Annotated[
        str | None,
        typer.Option("--period", help=f"Approvals in this period: {PERIOD_HELP} (default: all)"),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="en or zh")] = "en",
    db: Annotated[str | None, typer.Option("--db", help=DB_OPTION_HELP)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the machine-readable JSON answer.")] = False,
) -> None:
    """Outreach experiments: each variant's conversion with a 95% Wilson interval, and the winner (p < 0.05)."""
    from zoneinfo import ZoneInfo

    from bot.cli import open_app
    from bot.i18n import get_i18n
    from bot.outreach_view import experiments_text
    from crm.outreach.experiments import experiment_report

    if not 1 <= window <= 365:
        raise CLIError(f"--window must be between 1 and 365 days, got {window}")
    if lang not in ("en", "zh"):
        raise CLIError(f"--lang must be en or zh, got {lang!r}")
    chosen = parse_period(period, as_of)
    day = parse_as_of(as_of)

    async def go() -> Any:
        app_ctx = await open_app(db_url=db, read_demo=True)
        try:
            now = app_ctx.as_of(day)
            start, end = (
                chosen.bounds(now, ZoneInfo(app_ctx.settings.workspace.timezone)) if chosen else (None, now)
            )
            async with app_ctx.db.sessions() as session:
                return await experiment_report(
                    session, app_ctx.workspace_id, start=start, end=end, as_of=now, window_days=window
                )
        finally:
            await app_ctx.close()

    results = run_async(go)
    if as_json:
        typer.echo(
            json.dumps(
                {"window_days": window, "experiments": [r.to_json() for r in results]}, ensure_ascii=False
            )
        )
        return
    typer.echo(plain(experiments_text(results, window, get_i18n(lang))))


def register(app: typer.Typer) -> None:
    app.command("experiments")(experiments)
