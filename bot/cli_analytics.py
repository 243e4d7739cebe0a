"""`sellermate kpi|segments|customer|cohort|journeys`: the analytics as commands, for people who prefer them to questions."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli import (
    AS_OF_HELP,
    DB_OPTION_HELP,
    CLIError,
    check_output_file,
    parse_as_of,
    resolve_metric,
    resolve_segment,
    run_async,
)
from crm.catalog import METRIC_IDS as METRICS
from crm.catalog import PLATFORM_IDS as PLATFORMS

if TYPE_CHECKING:
    from crm.query.ir import Filters, Period

PERIOD_HELP = (
    "today, yesterday, this-week, last-week, this-month, last-month, this-quarter, last-quarter, "
    "this-year, last-year, last-N-days, all, YYYY, YYYY-MM, YYYY-QN (default: last-90-days; all for avg_ltv)"
)


def _period_limits() -> tuple[int, int, int]:
    """The IR's bounds on a period (most days back, first and last year), read from crm.query.ir.Period when a
    --period is checked (the IR is not imported for --help)."""
    from crm.query.ir import Period

    fields = Period.model_fields
    max_days = next((m.le for m in fields["n"].metadata if getattr(m, "le", None)), 3660)
    min_year = next((m.ge for m in fields["year"].metadata if getattr(m, "ge", None)), 2000)
    max_year = next((m.le for m in fields["year"].metadata if getattr(m, "le", None)), 2100)
    return max_days, min_year, max_year


DbOpt = Annotated[str | None, typer.Option("--db", help=DB_OPTION_HELP)]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the machine-readable JSON answer.")]
ChartOpt = Annotated[Path | None, typer.Option("--chart", help="Also write a PNG chart to this file.")]
PlatformOpt = Annotated[str | None, typer.Option("--platform", help=", ".join(PLATFORMS))]
CountryOpt = Annotated[
    str | None, typer.Option("--country", help="Country: ISO code (SG, GB) or name (Thailand, 泰国)")
]
TagOpt = Annotated[str | None, typer.Option("--tag", help="Only customers with this tag.")]


def parse_period(text: str | None, as_of: str | None = None) -> Period | None:
    """A --period value as an IR period (None = the metric's default); a bad one is one CLIError line, and so
    is one that starts after the as-of day (`--as-of`, else today): it is in the future, and answering it would
    say 0 for what has not happened (as `ask` declines it)."""
    if text is None:
        return None
    from pydantic import ValidationError

    from crm.query.ir import Period

    MAX_DAYS, MIN_YEAR, MAX_YEAR = _period_limits()  # noqa: N806 (the IR's constants)
    t = text.strip().lower().replace("_", "-")

    def bad(why: str) -> CLIError:
        return CLIError(f"--period {text!r}: {why}; use one of: {PERIOD_HELP}")

    named = {
        "today",
        "yesterday",
        "this-week",
        "last-week",
        "this-month",
        "last-month",
        "this-quarter",
        "last-quarter",
        "this-year",
        "last-year",
    }
    fields: dict[str, Any]
    if t in named:
        fields = {"kind": t.replace("-", "_")}
    elif t in ("all", "all-time"):
        fields = {"kind": "all_time"}
    elif m := re.fullmatch(r"last-(\d+)-days?", t):
        n = int(m.group(1))
        if not 1 <= n <= MAX_DAYS:
            raise bad(f"the number of days must be between 1 and {MAX_DAYS}")
        fields = {"kind": "last_n_days", "n": n}
    elif m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
        if not 1 <= int(m.group(2)) <= 12:
            raise bad("the month must be 01 to 12")
        fields = {"kind": "month", "year": int(m.group(1)), "month": int(m.group(2))}
    elif m := re.fullmatch(r"(\d{4})-q(\d+)", t):
        if not 1 <= int(m.group(2)) <= 4:
            raise bad("the quarter must be Q1 to Q4")
        fields = {"kind": "quarter", "year": int(m.group(1)), "quarter": int(m.group(2))}
    elif re.fullmatch(r"\d{4}", t):
        fields = {"kind": "year", "year": int(t)}
    else:
        raise bad("not understood")
    if "year" in fields and not MIN_YEAR <= fields["year"] <= MAX_YEAR:
        raise bad(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    try:
        chosen = Period(**fields)
    except ValidationError as exc:  # any rule of the IR not checked above
        first = exc.errors()[0]
        raise bad(f"{'.'.join(map(str, first.get('loc', ()))) or 'value'}: {first.get('msg')}") from None
    from datetime import UTC, date, datetime, time, timedelta

    from bot.cli import parse_as_of

    # A day ahead of this machine's date is still today somewhere east of it (as --as-of allows). The period's
    # own bounds say where it starts: after the as-of day, it has not begun.
    ref = parse_as_of(as_of) or date.today() + timedelta(days=1)
    moment = datetime.combine(ref + timedelta(days=1), time.min, UTC)
    start, _ = chosen.bounds(moment, UTC)
    if start is not None and start >= moment:
        raise CLIError(
            f"--period {text!r} is in the future (as of {ref.isoformat()}): SellerMate reports on what "
            "has already happened"
        )
    return chosen


def country_code(text: str) -> str:
    """--country as an ISO code: a code (SG, uk), or a name the questions also understand (Thailand, 泰国)."""
    from crm.query.vocab import country_phrases

    t = text.strip()
    if re.fullmatch(r"[A-Za-z]{2}", t):
        code = "GB" if t.upper() == "UK" else t.upper()
        try:
            import pycountry
        except ImportError:  # pragma: no cover - a dependency
            return code
        if pycountry.countries.get(alpha_2=code) is not None:
            return code
    elif (code := country_phrases().get(t.lower())) is not None:
        return code
    raise CLIError(
        f"unknown country {text!r}: use an ISO code such as SG, MY, TH, GB or a name such as Thailand"
    )


def filters(
    platform: str | None, country: str | None, tag: str | None, segment: str | None = None
) -> Filters:
    if platform and platform.lower() not in PLATFORMS:
        raise CLIError(f"--platform must be one of {', '.join(PLATFORMS)}")
    if segment:
        segment = resolve_segment(segment)
    if country:
        country = country_code(country)
    from crm.query.ir import Filters

    return Filters(platform=platform.lower() if platform else None, country=country, tag=tag, segment=segment)  # type: ignore[arg-type]


def answer_language(*words: str | None) -> str:
    """Chinese when the command was written with Chinese words (`kpi 客单价`, `segments 重要挽留客户`)."""
    return "zh" if any(w and re.search(r"[\u3400-\u9fff]", w) for w in words) else "en"


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CLIError(f"{option} {value!r}: write the date as YYYY-MM-DD") from None


def run_query(
    query: Any, db: str | None, as_of: str | None, as_json: bool, chart: Path | None, language: str = "en"
) -> Any:
    """Execute one IR query and print it (text and table, or JSON); write the chart when asked. As `ask`: a
    SQLite file that is not there is not created, and an empty or missing database gets the note saying what
    to do (on standard error, so that --json stays one object)."""
    from bot.cli import open_app
    from bot.cli_ask import empty_db_note, has_orders
    from bot.render import render_chart, render_text
    from crm.query.compiler import execute

    day: date | None = parse_as_of(as_of)
    if chart is not None:
        check_output_file(chart, "--chart")

    async def go() -> Any:
        app_ctx = await open_app(db_url=db, read_demo=True, read_only=True)
        try:
            result = await execute(
                query,
                db=app_ctx.db,
                workspace_id=app_ctx.workspace_id,
                settings=app_ctx.settings,
                as_of=app_ctx.as_of(day),
                language=language,
            )
            missing = app_ctx.missing_database
            return result, missing, missing is not None or not await has_orders(app_ctx)
        finally:
            await app_ctx.close()

    result, missing, empty = run_async(go)
    if as_json:
        typer.echo(json.dumps(result.to_json_dict(), ensure_ascii=False, default=str))
    else:
        typer.echo(render_text(result))
    if empty:
        typer.echo(empty_db_note(result.language or language, missing), err=True)
    if chart is not None:
        if result.chart is None:
            typer.echo("(no chart for this answer)", err=True)
        else:
            try:
                render_chart(result.chart, chart)
            except OSError as exc:
                raise CLIError(f"--chart: cannot write {str(chart)!r}: {exc.strerror or exc}") from None
            typer.echo(f"chart written to {chart}", err=True)
    return result


def register(app: typer.Typer) -> None:
    register_products(app)

    @app.command("kpi")
    def kpi(
        metric: Annotated[str, typer.Argument(help=", ".join(METRICS))] = "revenue",
        period: Annotated[str | None, typer.Option(help=PERIOD_HELP)] = None,
        by: Annotated[
            str | None, typer.Option(help="platform, country, month, quarter, year or segment")
        ] = None,
        platform: PlatformOpt = None,
        country: CountryOpt = None,
        tag: TagOpt = None,
        segment: Annotated[str | None, typer.Option(help="Only customers in this RFM segment.")] = None,
        db: DbOpt = None,
        as_of: AsOfOpt = None,
        as_json: JsonOpt = False,
        chart: ChartOpt = None,
    ) -> None:
        """One KPI (definitions in the README, Metrics), optionally per platform/country/month/segment."""
        from crm.query.ir import MetricQuery, Period

        language = answer_language(metric, country, segment)
        metric = resolve_metric(metric)
        if by not in (None, "platform", "country", "month", "quarter", "year", "segment"):
            raise CLIError("--by must be platform, country, month, quarter, year or segment")
        when = parse_period(period, as_of)
        if metric == "avg_ltv" and when is None and by not in ("month", "quarter", "year"):
            when = Period(kind="all_time")  # lifetime value is all of a customer's spend, as `ask` answers it
        run_query(
            MetricQuery(
                metric=metric,
                period=when,
                group_by=by,  # type: ignore[arg-type]
                filters=filters(platform, country, tag, segment),
            ),
            db,
            as_of,
            as_json,
            chart,
            language,
        )

    @app.command("segments")
    def segments(
        segment: Annotated[str | None, typer.Argument(help="Count one segment (default: all eight).")] = None,
        country: CountryOpt = None,
        tag: TagOpt = None,
        db: DbOpt = None,
        as_of: AsOfOpt = None,
        as_json: JsonOpt = False,
        chart: ChartOpt = None,
    ) -> None:
        """RFM segment counts (the eight segments in the README, Metrics)."""
        from crm.query.ir import SegmentsQuery

        language = answer_language(segment, country)
        if segment:
            segment = resolve_segment(segment)
        run_query(
            SegmentsQuery(segment=segment, filters=filters(None, country, tag)),  # type: ignore[arg-type]
            db,
            as_of,
            as_json,
            chart,
            language,
        )

    @app.command("customer")
    def customer(
        search: Annotated[
            str, typer.Argument(help="Name, email, phone, order id, platform username or #id.")
        ],
        db: DbOpt = None,
        as_of: AsOfOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """A customer's profile: orders, segment, lifecycle, P(alive), predicted CLV, points, tags."""
        from crm.query.ir import CustomerQuery

        if not search.strip():
            raise CLIError("say which customer: a name, email, phone, order id or #id")
        result = run_query(
            CustomerQuery(search=search.strip()), db, as_of, as_json, None, answer_language(search)
        )
        if not result.rows and result.value is None:
            raise typer.Exit(1)  # no customer matches: a script can tell, as with grep
        shown_id = result.shown_customer()
        if shown_id is not None:
            history = _card_viewed(shown_id, db, result.language or "en")
            if history and not as_json:
                typer.echo("\n".join(history))

    @app.command("cohort")
    def cohort(
        period: Annotated[
            str | None,
            typer.Option(help="First-order months from this period on (default: the last 12 months)."),
        ] = None,
        months: Annotated[int, typer.Option(help="Months after the first order to show.")] = 12,
        platform: PlatformOpt = None,
        country: CountryOpt = None,
        db: DbOpt = None,
        as_of: AsOfOpt = None,
        as_json: JsonOpt = False,
        chart: ChartOpt = None,
    ) -> None:
        """Monthly cohort retention: share of each first-order month buying again k months later."""
        from crm.query.ir import CohortQuery

        if not 1 <= months <= 36:
            raise CLIError("--months must be between 1 and 36")
        run_query(
            CohortQuery(
                period=parse_period(period, as_of),
                max_offset=months,
                filters=filters(platform, country, None),
            ),
            db,
            as_of,
            as_json,
            chart,
        )

    @app.command("journeys")
    def journeys(
        start: Annotated[
            str | None,
            typer.Option("--from", help="First date, YYYY-MM-DD (default: 30 days before --to)."),
        ] = None,
        end: Annotated[
            str | None, typer.Option("--to", help="Second date, YYYY-MM-DD (default: the as-of date).")
        ] = None,
        lang: Annotated[str, typer.Option("--lang", help="Answer language: en or zh.")] = "en",
        db: DbOpt = None,
        as_of: AsOfOpt = None,
        as_json: JsonOpt = False,
        chart: ChartOpt = None,
    ) -> None:
        """Lifecycle stage changes: customers by their stage on --from and on --to, with row shares."""
        from crm.query.ir import TransitionsQuery

        if lang not in ("en", "zh"):
            raise CLIError("--lang must be en or zh")
        d1, d2 = _day(start, "--from"), _day(end, "--to")
        if d1 is not None and d2 is not None and d1 >= d2:
            raise CLIError("--from must be before --to")
        run_query(TransitionsQuery(start=d1, end=d2), db, as_of, as_json, chart, language=lang)


def _card_viewed(customer_id: int, db: str | None, language: str) -> list[str]:
    """One customer's card was shown: the view goes in the audit trail (as the bot's views do), and the
    customer's consent history is read for the card."""
    from bot.cli import open_app
    from crm.rights import CLI, consent_lines, record_act

    async def go() -> list[str]:
        app_ctx = await open_app(db_url=db, read_demo=True)
        try:
            await record_act(app_ctx.db, app_ctx.workspace_id, "viewed", CLI, f"customer:{customer_id}")
            async with app_ctx.db.sessions() as session:
                return await consent_lines(
                    session, app_ctx.workspace_id, customer_id, language, app_ctx.settings.workspace.timezone
                )
        finally:
            await app_ctx.close()

    return run_async(go)


PRODUCT_KINDS = {
    "best": "best",
    "mix": "mix",
    "categories": "mix",
    "together": "together",
    "reorder": "reorder",
    "returns": "returns",
    "winback": "winback",
}


def register_products(app: typer.Typer) -> None:
    @app.command("products")
    def products(
        kind: Annotated[
            str, typer.Argument(help="best, together, reorder, returns, mix (category preference) or winback")
        ] = "best",
        product: Annotated[
            str | None, typer.Argument(help="reorder: a SKU or words of the product's name")
        ] = None,
        by: Annotated[str, typer.Option(help="best: units, revenue or buyers")] = "units",
        n: Annotated[int, typer.Option("--n", help="How many rows (1-100).")] = 10,
        group: Annotated[str | None, typer.Option("--group", help="mix: country or segment")] = None,
        min_orders: Annotated[
            int, typer.Option("--min-orders", help="together: orders containing both, at least")
        ] = 5,
        period: Annotated[str | None, typer.Option(help=PERIOD_HELP)] = None,
        platform: PlatformOpt = None,
        country: CountryOpt = None,
        tag: TagOpt = None,
        segment: Annotated[str | None, typer.Option(help="Only customers in this RFM segment.")] = None,
        db: DbOpt = None,
        as_of: AsOfOpt = None,
        as_json: JsonOpt = False,
        chart: ChartOpt = None,
    ) -> None:
        """Products (docs/products.md): best sellers, bought together, reorder cycles, returns, category mix."""
        from crm.query.ir import ProductQuery

        if kind not in PRODUCT_KINDS:
            raise CLIError(f"products: say one of {', '.join(PRODUCT_KINDS)}")
        if by not in ("units", "revenue", "buyers"):
            raise CLIError("--by must be units, revenue or buyers")
        if group not in (None, "country", "segment"):
            raise CLIError("--group must be country or segment")
        if not 1 <= n <= 100:
            raise CLIError("--n must be between 1 and 100")
        if min_orders < 1:
            raise CLIError("--min-orders must be at least 1")
        run_query(
            ProductQuery(
                kind=PRODUCT_KINDS[kind],  # type: ignore[arg-type]
                by=by,  # type: ignore[arg-type]
                n=n,
                group_by=group,  # type: ignore[arg-type]
                product=product,
                min_orders=min_orders,
                period=parse_period(period, as_of),
                filters=filters(platform, country, tag, segment),
            ),
            db,
            as_of,
            as_json,
            chart,
            answer_language(product, country, segment),
        )
