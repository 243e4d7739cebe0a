"""`sellermate currency set CODE`: change the base currency, every amount converted (or nothing changed)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli import DB_OPTION_HELP, CLIError, run_async

currency_app = typer.Typer(help="The base currency every amount is reported in.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    @currency_app.command("set")
    def set_currency(
        code: Annotated[str, typer.Argument(help="ISO currency code, e.g. MYR.", show_default=False)],
        db: Annotated[str | None, typer.Option(help=DB_OPTION_HELP)] = None,
    ) -> None:
        """Change the base currency, converting every amount (refused when CODE has no rate).

        In one transaction the rates on file are re-expressed in CODE (cross rates) and every order is
        re-priced; without a rate for CODE nothing changes."""
        from bot.cli import open_app
        from crm.currency import CurrencyChangeRefused, change_base_currency

        async def go() -> None:
            app_ctx = await open_app(db_url=db)
            try:
                change = await change_base_currency(
                    app_ctx.db, app_ctx.workspace_id, code, fx_rates=app_ctx.settings.workspace.fx_rates
                )
            except CurrencyChangeRefused as exc:
                raise CLIError(f"the base currency stays {exc.base}: {exc}") from None
            finally:
                await app_ctx.close()
            if not change.changed:
                typer.echo(f"the base currency is already {change.new}; nothing changed")
                return
            typer.echo(
                f"base currency {change.old} -> {change.new}: {change.rates} exchange rates re-expressed "
                f"in {change.new}, {change.orders} orders re-priced"
            )
            if change.unpriced:
                typer.echo(f"  orders without an exchange rate, still left out of amounts: {change.unpriced}")
            configured = _configured()
            if configured is not None and configured != change.new:
                typer.echo(
                    f"note: workspace.base_currency (SELLERMATE_BASE_CURRENCY) is {configured} in your "
                    f"configuration; it only seeds a new workspace, so the workspace stays in {change.new} and "
                    f"each start warns about it: set it to {change.new} or remove it",
                    err=True,
                )

        run_async(go)

    @currency_app.command("show")
    def show_currency(db: Annotated[str | None, typer.Option(help=DB_OPTION_HELP)] = None) -> None:
        """Print the base currency (the workspace's, whatever the configuration says)."""
        from bot.cli import open_app

        async def go() -> str:
            app_ctx = await open_app(db_url=db)
            await app_ctx.close()
            return str(app_ctx.base_currency)

        typer.echo(run_async(go))

    app.add_typer(currency_app, name="currency")


def _configured() -> str | None:
    """The base currency the configuration (file or environment) names explicitly, if it does."""
    from bot.settings import load_settings

    workspace = load_settings().workspace
    return workspace.base_currency if "base_currency" in workspace.model_fields_set else None
