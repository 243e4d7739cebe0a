"""`sellermate points show|redeem|adjust|expire CUSTOMER ...`: loyalty points from the command line (the
ledger rows say "command line"; the audit trail records each change)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.cli import DB_OPTION_HELP, CLIError, run_async

points_app = typer.Typer(help="Loyalty points: balance, redeem, adjust, expire.", no_args_is_help=True)
DbOpt = Annotated[str | None, typer.Option("--db", help=DB_OPTION_HELP)]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of the reply: en or zh.")]
ReasonArg = Annotated[
    list[str] | None, typer.Argument(help="Why (e.g. voucher, goodwill correction).", show_default=False)
]
ReasonOpt = Annotated[
    str | None, typer.Option("--reason", help="Why, instead of after the points.", show_default=False)
]
CustomerArg = Annotated[
    int, typer.Argument(help="Customer number, as the card shows it.", show_default=False)
]


def _go(customer: int, db: str | None, lang: str, change: tuple[str, int, str] | None = None) -> str:
    from bot.cli import open_app
    from bot.i18n import get_i18n
    from bot.points_view import points_text
    from crm import loyalty
    from storage.repositories import customer_desk

    async def go() -> str:
        app_ctx = await open_app(db_url=db)
        ws = app_ctx.settings.workspace
        i18n = get_i18n(lang)
        now = datetime.now(UTC)
        try:
            async with app_ctx.db.sessions() as session:
                found = await customer_desk.get_customer(session, app_ctx.workspace_id, customer)
                if found is None:
                    raise CLIError(i18n("points.no_customer", id=customer))
                kw = {"expiry_days": ws.loyalty_expiry_days, "tz": ws.timezone, "now": now}
                first = ""
                if change is None:
                    acc = await loyalty.account(session, app_ctx.workspace_id, customer, **kw)  # type: ignore[arg-type]
                else:
                    reason, amount, note = change
                    try:
                        acc = await loyalty.change(
                            session,
                            app_ctx.workspace_id,
                            customer,
                            amount,
                            reason,
                            note,
                            member_id=None,
                            actor="cli",
                            **kw,  # type: ignore[arg-type]
                        )
                    except loyalty.LoyaltyError as exc:
                        raise CLIError(i18n(exc.key, **exc.args_)) from None
                    await session.commit()
                    key = "points.redeemed" if reason == "redeem" else "points.adjusted"
                    sign = "+" if amount > 0 else "−"
                    first = i18n(key, points=abs(amount), sign=sign, id=customer) + "\n"
                return first + points_text(acc, i18n, ws.timezone, found.display_name)
        finally:
            await app_ctx.close()

    return _plain(run_async(go))


def _reason(words: list[str] | None, option: str | None, lang: str, example: str) -> str:
    """The reason, given after the points or with --reason (not both); a missing one is refused with the
    command line's own example."""
    from bot.i18n import get_i18n

    i18n = get_i18n(lang)
    said = " ".join(words or []).strip()
    if said and option is not None:
        raise CLIError(i18n("cli.points_reason_twice", said=said, option=option))
    why = said or (option or "").strip()
    if not why:
        raise CLIError(i18n("cli.points_no_reason", example=f"sellermate points {example}"))
    return why


def _plain(text: str) -> str:
    import re

    return re.sub(r"</?(b|i|code)>", "", text)


def register(app: typer.Typer) -> None:
    @points_app.command("show")
    def show(customer: CustomerArg, db: DbOpt = None, lang: LangOpt = "en") -> None:
        """Balance, points expiring soon and the last ledger rows of CUSTOMER."""
        typer.echo(_go(customer, db, lang))

    @points_app.command("redeem", context_settings={"ignore_unknown_options": True})
    def redeem(
        customer: CustomerArg,
        points: Annotated[int, typer.Argument(help="Points to redeem.", show_default=False)],
        reason: ReasonArg = None,
        reason_opt: ReasonOpt = None,
        db: DbOpt = None,
        lang: LangOpt = "en",
    ) -> None:
        """Redeem POINTS of CUSTOMER (refused above the balance), oldest points first. Say why after the
        points or with --reason: `points redeem 12 200 voucher` or `points redeem 12 200 --reason voucher`."""
        why = _reason(reason, reason_opt, lang, "redeem 12 200 voucher")
        typer.echo(_go(customer, db, lang, ("redeem", points, why)))

    # Unknown options are kept as arguments so a negative number of points (-50) is a number, not an option.
    @points_app.command("adjust", context_settings={"ignore_unknown_options": True})
    def adjust(
        customer: CustomerArg,
        points: Annotated[
            int, typer.Argument(help="Points to add (negative: take off).", show_default=False)
        ],
        reason: ReasonArg = None,
        reason_opt: ReasonOpt = None,
        db: DbOpt = None,
        lang: LangOpt = "en",
    ) -> None:
        """Add or take off POINTS of CUSTOMER by hand, with a reason after the points or with --reason:
        `points adjust 12 -50 goodwill correction` or `points adjust 12 -50 --reason "goodwill correction"`."""
        why = _reason(reason, reason_opt, lang, "adjust 12 -50 goodwill correction")
        typer.echo(_go(customer, db, lang, ("adjust", points, why)))

    @points_app.command("expire")
    def expire(db: DbOpt = None) -> None:
        """Write off the points past their expiry day now (the worker does it every night; idempotent)."""
        from bot.cli import open_app
        from bot.scheduler import expire_points

        async def go() -> int:
            app_ctx = await open_app(db_url=db)
            try:
                return await expire_points(
                    app_ctx.db, app_ctx.settings, app_ctx.workspace_id, datetime.now(UTC)
                )
            finally:
                await app_ctx.close()

        typer.echo(f"{run_async(go):,} points expired")

    app.add_typer(points_app, name="points")
