"""`sellermate demo-data`: write the demo dataset as real platform export files and import them."""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli import DB_OPTION_HELP, CLIError, parse_as_of, run_async


async def import_demo_files(app_ctx: Any, files: list[Path], *, echo: Any = typer.echo) -> dict[str, int]:
    """Import rates first, then every export through the importer; one progress line per file."""
    from bot.cli_import import import_rates_file
    from crm.importing.errors import ImportFileError
    from crm.importing.service import import_file

    totals = {
        "files": 0,
        "rows": 0,
        "orders": 0,
        "customers_new": 0,
        "customers_merged": 0,
        "rejected": 0,
        "skipped": 0,
        "activity": 0,
        "identities": 0,
    }
    for path in files:
        started = time.perf_counter()
        if path.name == "rates.csv":
            n = await import_rates_file(app_ctx, path)
            echo(f"  {path.name}: {n} exchange rates into {app_ctx.base_currency}")
            continue
        try:
            # Exactly what `sellermate import FILE` does (default store naming), so that importing the
            # demo folder again later changes nothing.
            report = await import_file(
                app_ctx.db, app_ctx.workspace_id, path, settings=app_ctx.settings.workspace.for_import()
            )
        except ImportFileError as exc:
            totals["skipped"] += 1
            echo(f"  {path.name}: not imported ({exc})")
            continue
        took = time.perf_counter() - started
        totals["files"] += 1
        totals["rows"] += report.rows
        totals["rejected"] += report.rows_rejected
        if report.kind in (
            "interactions",
            "reviews",
            "events",
        ):  # chats/reviews or browsing events: the report counts records added
            totals["activity"] = totals.get("activity", 0) + report.orders_new
            echo(
                f"  {path.name}: {report.rows} rows, {report.orders_new} added, "
                f"{report.rows_rejected} rejected ({took:.1f}s)"
            )
        else:
            totals["orders"] += report.orders_new + report.orders_updated
            totals["customers_new"] += report.customers_new
            totals["customers_merged"] += report.customers_merged
            totals["identities"] = totals.get("identities", 0) + getattr(report, "identities_new", 0)
            echo(
                f"  {path.name}: {report.platform} store {report.store!r}: {report.rows} rows, "
                f"{report.orders_new} new orders, {report.customers_new} new customers, "
                f"{report.customers_merged} merged, {report.rows_rejected} rejected ({took:.1f}s)"
            )
        for note in report.notes:
            echo(f"    note: {note}")
        if report.kind == "reviews":  # the rows not kept (anonymous, unknown reviewers, spam), said
            from crm.importing.reviews import review_summary

            for message in review_summary(report):
                echo(f"    {message.render('en')}")
        for r in report.rejected[:5]:
            echo(f"    line {r.line_no}: {r.reason}")
    return totals


def register(app: typer.Typer) -> None:
    @app.command("demo-data")
    def demo_data_cmd(
        out: Annotated[
            Path | None, typer.Option(help="Folder for the export files (default: a temporary one).")
        ] = None,
        seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 7,
        customers: Annotated[int, typer.Option(help="Number of buyers to simulate.")] = 1500,
        as_of: Annotated[
            str | None,
            typer.Option(
                "--as-of", help="Last day of the data (YYYY-MM-DD); orders end the day before. Default today."
            ),
        ] = None,
        no_import: Annotated[bool, typer.Option("--no-import", help="Only write the files.")] = False,
        db: Annotated[str | None, typer.Option(help=DB_OPTION_HELP)] = None,
    ) -> None:
        """Write a realistic multi-platform demo dataset as real export files, then import them."""
        from crm.importing.demo import generate_demo_exports

        if customers < 1:
            typer.echo("error: --customers must be at least 1", err=True)
            raise typer.Exit(2)
        day: date | None = None
        try:
            day = parse_as_of(as_of)
        except CLIError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        folder = out or Path(tempfile.mkdtemp(prefix="sellermate-demo-"))
        files = generate_demo_exports(folder, seed=seed, customers=customers, as_of=day)
        typer.echo(f"wrote {len(files)} files to {folder}")
        if no_import:
            for path in files:
                typer.echo(f"  {path.name}")
            return

        async def go() -> dict[str, int]:
            from bot.cli import open_app

            app_ctx = await open_app(db_url=db)
            try:
                return await import_demo_files(app_ctx, files)
            finally:
                await app_ctx.close()

        totals = run_async(go)
        typer.echo(
            f"imported {totals['files']} files: {totals['rows']} rows, {totals['orders']} orders, "
            f"{totals['identities']} buyer identities became {totals['customers_new'] - totals['customers_merged']} "
            f"customers (same e-mail or phone across platforms), "
            f"{totals['activity']} chats, reviews and browsing events, {totals['rejected']} rows rejected"
        )
        if totals["rejected"] or totals["skipped"]:
            raise typer.Exit(1)
