"""`sellermate rules`: retention rules (crm.automation) from the command line: list, add (--replace to save over
a rule), dry-run, enable, disable, delete, stats, run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from bot.cli import DB_OPTION_HELP, CLIError, run_async

rules_app = typer.Typer(
    help="Retention rules: trigger, condition, actions (docs/automation.md).", no_args_is_help=True
)
DbOption = Annotated[str | None, typer.Option("--db", help=DB_OPTION_HELP)]


async def _with_app(db: str | None, fn: Any) -> Any:
    from bot.cli import open_app
    from crm.automation.rules import RuleError

    app_ctx = await open_app(db_url=db)
    try:
        return await fn(app_ctx)
    except RuleError as exc:  # in the configured language, as the command's other output
        raise CLIError(exc.say(app_ctx.settings.language)) from None
    finally:
        await app_ctx.close()


def _now() -> datetime:
    return datetime.now(UTC)


def format_row(row: Any, language: str = "en") -> str:
    state = "on " if row.rule.enabled else "off"
    what = row.spec.describe(language) if row.spec is not None else "(cannot be read)"
    s = row.stats
    counts = (
        f"fired for {s.customers} customers; drafts {s.drafts} ({s.approved} approved); "
        f"orders within the outcome window {s.ordered}; capped {s.capped}"
        if s is not None
        else "not fired yet"
    )
    return f"[{state}] {row.rule.name} ({row.rule.source}): {what}\n      {counts}"


@rules_app.command("list")
def list_rules(db: DbOption = None) -> None:
    """The rules, on or off, with how many customers each fired for and its outcomes."""
    from crm.automation.engine import list_rules as rows_of

    async def go(app_ctx: Any) -> tuple[list[Any], str]:
        rows = await rows_of(app_ctx.db, app_ctx.workspace_id, app_ctx.settings.automation, _now())
        return rows, app_ctx.settings.language

    rows, language = run_async(lambda: _with_app(db, go))
    if not rows:
        typer.echo("no rules yet: add one with `sellermate rules add` or automation.rules in config.yaml")
    for row in rows:
        typer.echo(format_row(row, language))


stats = rules_app.command("stats", help="The same as list: each rule's customers and outcomes.")(list_rules)


@rules_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The rule's name.")],
    when: Annotated[
        str | None, typer.Option("--when", help="Trigger, e.g. first_order, order_cancelled.")
    ] = None,
    words: Annotated[
        str | None,
        typer.Option(
            "--words",
            help='The rule in plain words, e.g. "30 days after the last order, draft a replenishment message".',
        ),
    ] = None,
    days: Annotated[
        int | None, typer.Option("--days", help="days_since_last_order, days_since_last_interaction: N days.")
    ] = None,
    points_reach: Annotated[
        int | None, typer.Option("--points-reach", help="points_reached: the balance that fires it.")
    ] = None,
    festival: Annotated[
        str | None, typer.Option("--festival", help="festival: a festival (cny, christmas, ...) or any.")
    ] = None,
    days_before: Annotated[
        int | None, typer.Option("--days-before", help="festival: this many days before the day.")
    ] = None,
    segment: Annotated[str | None, typer.Option("--segment", help="entered_segment: the segment.")] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="entered_stage: the lifecycle stage.")] = None,
    on_tag: Annotated[str | None, typer.Option("--on-tag", help="tag_added: the tag.")] = None,
    condition: Annotated[str | None, typer.Option("--if", help='Condition, e.g. "orders == 0".')] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Add this tag.")] = None,
    untag: Annotated[list[str] | None, typer.Option("--untag", help="Remove this tag.")] = None,
    draft: Annotated[
        str | None, typer.Option("--draft", help="Draft this intent (waits for approval).")
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="The draft's language (default: the customer's).")
    ] = None,
    remind: Annotated[
        str | None, typer.Option("--remind", help="Remind this member (Telegram id, name, role).")
    ] = None,
    remind_text: Annotated[str | None, typer.Option("--remind-text", help="The reminder's text.")] = None,
    alert: Annotated[
        str | None, typer.Option("--alert", help="Alert the bound groups with this text.")
    ] = None,
    points: Annotated[int | None, typer.Option("--points", help="Award (or take) points.")] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Replace the rule of that name (it is left off until enabled again)."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Save a rule (disabled); then `rules dry-run NAME` and `rules enable NAME`."""
    from crm.automation.engine import RuleExists, replace_rule, save_rule
    from crm.automation.words import parse_words

    if words:
        parsed = parse_words(words)
        if parsed is None:
            raise CLIError(
                f"cannot read {words!r}; e.g. \"when a customer's first order is cancelled, tag them 'cancel-1st' and draft an apology\""
            )
        data: dict[str, Any] = parsed
    else:
        if when is None:
            raise CLIError("give --when TRIGGER (or --words)")
        data = {
            "trigger": when,
            "days": days,
            "segment": segment,
            "stage": stage,
            "tag": on_tag,
            "points": points_reach,
            "festival": festival,
            "days_before": days_before,
            "if": condition,
        }
        data = {k: v for k, v in data.items() if v is not None}
        actions: list[dict[str, Any]] = [{"tag": t} for t in tag or []] + [{"untag": t} for t in untag or []]
        if draft:
            actions.append({"draft": draft, **({"language": lang} if lang else {})})
        if remind:
            actions.append({"remind": remind, "text": remind_text or name})
        if alert:
            actions.append({"alert": alert})
        if points is not None:
            actions.append({"points": points})
        data["actions"] = actions

    async def go(app_ctx: Any) -> Any:
        if replace:
            rule, stopped = await replace_rule(app_ctx.db, app_ctx.workspace_id, name, data, at=_now())
            return rule, stopped, app_ctx.settings.language
        try:
            rule = await save_rule(app_ctx.db, app_ctx.workspace_id, name, data, at=_now())
        except RuleExists:
            raise CLIError(
                f"a rule called {name!r} exists already; give --replace to replace it "
                f"(or `sellermate rules delete {name}`)"
            ) from None
        return rule, None, app_ctx.settings.language

    rule, stopped, language = run_async(lambda: _with_app(db, go))
    from crm.automation.engine import spec_of

    typer.echo(f"rule {rule.name} saved (off): {spec_of(rule).describe(language)}")
    if stopped is not None:
        typer.echo(
            f"it replaced the rule of that name and is off until enabled again, as what it does changed; "
            f"stopped {stopped[0]} waiting drafts, {stopped[1]} reminders and the later steps of "
            f"{stopped[2]} customers"
        )
    typer.echo(f"see what it would do: sellermate rules dry-run {rule.name}")


@rules_app.command("dry-run")
def dry_run(name: Annotated[str, typer.Argument(help="The rule's name.")], db: DbOption = None) -> None:
    """What the rule would do on the real history of the look-back window, changing nothing."""
    dry, language = run_async(lambda: _with_app(db, lambda app_ctx: _dry(app_ctx, name)))
    typer.echo(dry.describe(language))


async def _dry(app_ctx: Any, name: str) -> tuple[Any, str]:
    from crm.automation.engine import dry_run as run_dry
    from crm.automation.engine import spec_of, sync_config_rules
    from crm.settings import lifecycle_days
    from storage.repositories import automation as repo

    cfg = app_ctx.settings.automation
    await sync_config_rules(app_ctx.db, app_ctx.workspace_id, cfg, _now())
    async with app_ctx.db.sessions() as session:
        rule = await repo.rule_by_name(session, app_ctx.workspace_id, name)
    if rule is None:
        raise CLIError(f"no rule called {name!r}; see sellermate rules list")
    tz = ZoneInfo(app_ctx.settings.workspace.timezone)
    dry = await run_dry(
        app_ctx.db,
        app_ctx.workspace_id,
        spec_of(rule),
        _now(),
        tz,
        cfg.lookback_days,
        lifecycle_days(app_ctx.settings.workspace),
    )
    return dry, app_ctx.settings.language


def _switch(name: str, on: bool, db: str | None) -> None:
    from crm.automation.engine import set_enabled

    async def go(app_ctx: Any) -> Any:
        dry = await _dry(app_ctx, name) if on else None
        _, stopped = await set_enabled(app_ctx.db, app_ctx.workspace_id, name, on)
        return dry, stopped

    dry, stopped = run_async(lambda: _with_app(db, go))
    if on:
        typer.echo(dry[0].describe(dry[1]))
        typer.echo(f"rule {name} enabled: it runs after each import and daily")
    else:
        typer.echo(
            f"rule {name} disabled; stopped {stopped[0]} waiting drafts, {stopped[1]} reminders "
            f"and the later steps of {stopped[2]} customers"
        )


@rules_app.command("enable")
def enable(name: Annotated[str, typer.Argument(help="The rule's name.")], db: DbOption = None) -> None:
    """Enable a rule (its dry run is shown first)."""
    _switch(name, True, db)


@rules_app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="The rule's name.")], db: DbOption = None) -> None:
    """Disable a rule; its drafts still waiting and pending reminders stop."""
    _switch(name, False, db)


@rules_app.command("delete")
def delete(
    name: Annotated[str, typer.Argument(help="The rule's name.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    db: DbOption = None,
) -> None:
    """Delete a rule; its drafts still waiting, pending reminders and later steps stop, as when disabled."""
    from crm.automation.engine import delete_rule

    if not yes and not typer.confirm(
        f"delete rule {name}? its waiting drafts, reminders and later steps stop", default=False
    ):
        typer.echo("nothing deleted")
        raise typer.Exit(1)

    async def go(app_ctx: Any) -> Any:
        return await delete_rule(app_ctx.db, app_ctx.workspace_id, name, at=_now())

    rule, stopped = run_async(lambda: _with_app(db, go))
    typer.echo(
        f"rule {rule.name} deleted; stopped {stopped[0]} waiting drafts, {stopped[1]} reminders "
        f"and the later steps of {stopped[2]} customers"
    )


@rules_app.command("run")
def run(db: DbOption = None) -> None:
    """Evaluate every enabled rule now (the daily run does this too)."""
    from crm.automation.engine import evaluate

    async def go(app_ctx: Any) -> Any:
        return await evaluate(
            app_ctx.db,
            app_ctx.workspace_id,
            cfg=app_ctx.settings.automation,
            settings=app_ctx.settings,
            as_of=_now(),
            actor="cli",
        )

    done = run_async(lambda: _with_app(db, go))
    # A dry run counts customers; a run makes one firing per event, and a customer may have several events.
    fired = (
        ", ".join(
            f"{k} {v}" + (f" ({done.customers.get(k, v)} customers)" if done.customers.get(k, v) != v else "")
            for k, v in done.fired.items()
        )
        or "no enabled rules"
    )
    typer.echo(f"fired: {fired}; {done.drafts} drafts wait for approval; {done.capped} held back by the cap")
    for problem in done.problems:
        typer.echo(f"warning: {problem}", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
