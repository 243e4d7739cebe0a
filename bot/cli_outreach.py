"""`sellermate draft`: an outreach draft for one customer (or a segment) from the command line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli import (
    AS_OF_HELP,
    DB_OPTION_HELP,
    CLIError,
    check_output_file,
    parse_as_of,
    resolve_segment,
    run_async,
)


def draft(
    customer: Annotated[
        str | None, typer.Argument(help="Customer id, name or e-mail (omit with --segment).")
    ] = None,
    intent: Annotated[
        str,
        typer.Option(
            "--intent",
            help="welcome, thank_you, abandoned_cart, replenishment, "
            "winback, review_request, service_recovery, festival, custom",
        ),
    ] = "custom",
    lang: Annotated[
        str | None, typer.Option("--lang", help="en, zh, ms, th, id, vi (default: the customer's)")
    ] = None,
    coupon: Annotated[str | None, typer.Option("--coupon", help="Coupon code to include.")] = None,
    discount: Annotated[
        str | None, typer.Option("--discount", help='The discount, e.g. "10%" or "RM5".')
    ] = None,
    expires: Annotated[str | None, typer.Option("--expires", help="Offer expiry date (YYYY-MM-DD).")] = None,
    brief: Annotated[
        str | None, typer.Option("--brief", help="Free-form instruction for the message.")
    ] = None,
    festival: Annotated[
        str | None, typer.Option("--festival", help="Festival name (default: the next one).")
    ] = None,
    segment: Annotated[
        str | None, typer.Option("--segment", help="Draft for an RFM segment instead.")
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="With --segment: only this country.")
    ] = None,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="With --segment: write the recipients here.")
    ] = None,
    no_llm: Annotated[
        bool, typer.Option("--no-llm", help="Use the templates even when an LLM is configured.")
    ] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
    db: Annotated[str | None, typer.Option("--db", help=DB_OPTION_HELP)] = None,
) -> None:
    """Draft a message: `sellermate draft "Tan Wei Ling" --intent winback --lang th --coupon BACK10 --discount 10%`."""
    from crm.outreach.service import Offer

    day = parse_as_of(as_of)
    try:
        expiry = date.fromisoformat(expires) if expires else None
    except ValueError:
        raise CLIError(f"--expires must be a date like 2026-12-31, got {expires!r}") from None
    if discount is not None:
        from crm.outreach.offer import discount_problem

        if problem := discount_problem(discount):
            raise CLIError(f"--discount: {problem}")
    offer = Offer(coupon=coupon, discount=discount, expires=expiry)
    if segment is None and customer is None:
        raise CLIError("name a CUSTOMER or give --segment")
    intent = resolve_intent(intent)
    if segment is not None:
        segment = resolve_segment(segment)
    if csv_file is not None:
        check_output_file(csv_file, "--csv")
    if country:
        from bot.cli_analytics import country_code

        country = country_code(country)

    async def go() -> Any:
        from bot.cli import open_app

        app_ctx = await open_app(db_url=db, read_demo=True)
        try:
            return await make_draft(
                app_ctx,
                customer=customer,
                segment=segment,
                intent=intent,
                language=lang,
                offer=offer,
                brief=brief,
                festival=festival,
                country=country,
                day=day,
                use_llm=not no_llm,
            )
        finally:
            await app_ctx.close()

    out = run_async(go)
    if segment is not None:
        typer.echo(format_draft(out))
        if csv_file is not None:
            csv_file.write_bytes(out.recipients_csv)
            typer.echo(f"recipients written to {csv_file}")
        return
    typer.echo(format_draft(out))
    if out.status == "refused":
        raise typer.Exit(1)


def resolve_intent(text: str) -> str:
    """--intent written loosely: win-back, Win Back, thank-you, thankyou are winback and thank_you."""
    from crm.outreach.intents import INTENTS

    key = re.sub(r"[\s_-]+", "_", text.strip().lower())
    by_letters = {i.replace("_", ""): i for i in INTENTS}
    found = key if key in INTENTS else by_letters.get(key.replace("_", ""))
    if found is None:
        raise CLIError(f"unknown intent {text!r}; use one of: {', '.join(INTENTS)}")
    return found


async def make_draft(
    app_ctx: Any,
    *,
    customer: str | None,
    segment: str | None = None,
    intent: str = "custom",
    language: str | None = None,
    offer: Any = None,
    brief: str | None = None,
    festival: str | None = None,
    country: str | None = None,
    day: date | None = None,
    use_llm: bool = True,
) -> Any:
    """The outreach service call behind `sellermate draft` (and the console chat's draft requests): a Draft for
    one customer found by id/name/e-mail, or a SegmentDraft for a segment. User-fixable problems are CLIErrors."""
    from crm.outreach.service import DraftError, draft_for_customer, draft_for_segment
    from storage.repositories.analytics import find_customers

    llm: Any = None
    if use_llm:
        from crm.query.llm import build_chat_model

        llm = build_chat_model(app_ctx.settings.llm)
    moment = app_ctx.as_of(day)
    try:
        if segment is not None:
            return await draft_for_segment(
                app_ctx.db,
                app_ctx.workspace_id,
                segment=segment,
                intent=intent,
                settings=app_ctx.settings,
                as_of=moment,
                country=country,
                language=language,
                offer=offer,
                llm=llm,
                festival=festival,
            )
        async with app_ctx.db.sessions() as session:
            # One more than are named: "5 customers match" when 18 did was a wrong count.
            hits = await find_customers(session, app_ctx.workspace_id, customer or "", limit=6)
        if not hits:
            raise CLIError(f"no customer matches {customer!r}")
        if len(hits) > 1:
            many = f"{len(hits)} customers match" if len(hits) <= 5 else "more than 5 customers match"
            named = ", ".join(map(str, hits[:5]))
            raise CLIError(f"{many} {customer!r} (ids {named}{', …' if len(hits) > 5 else ''}); use the id")
        return await draft_for_customer(
            app_ctx.db,
            app_ctx.workspace_id,
            hits[0],
            intent=intent,
            settings=app_ctx.settings,
            as_of=moment,
            language=language,
            brief=brief,
            festival=festival,
            offer=offer,
            llm=llm,
        )
    except DraftError as exc:
        raise CLIError(str(exc)) from None


def format_draft(out: Any) -> str:
    """A Draft or SegmentDraft as the text `sellermate draft` prints."""
    if hasattr(out, "templates"):
        parts = [f"--- template ({language})\n{text}\n" for language, text in out.templates.items()]
        skipped = ", ".join(f"{k}: {v}" for k, v in out.skipped.items()) or "none"
        parts.append(f"{out.count} recipients; skipped {skipped}")
        return "\n".join(parts)
    if out.status == "refused":
        return f"draft #{out.id} refused for {out.customer_name}: {out.refused_reason}"
    parts = [
        f"draft #{out.id} for {out.customer_name} ({out.intent}, {out.language}, {out.source})\n",
        out.text,
    ]
    parts += [f"\n--- variant {i}\n{variant}" for i, variant in enumerate(out.variants[1:], start=2)]
    parts += [f"\nnote: {warning}" for warning in out.warnings]
    return "\n".join(parts)


def register(app: typer.Typer) -> None:
    app.command("draft")(draft)
