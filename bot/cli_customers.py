"""`sellermate customers ...`: merge and split customers by hand, list and undo merges."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli import DB_OPTION_HELP, CLIError, run_async

customers_app = typer.Typer(
    help="Merge or split customers by hand; list and undo merges; export or erase one customer's data.",
    no_args_is_help=True,
)
DbOpt = Annotated[str | None, typer.Option("--db", help=DB_OPTION_HELP)]


def _run(action, audited: str | None = None):  # type: ignore[no-untyped-def]
    """Open the workspace, run `action(session, workspace_id)` in one transaction, map domain errors; with
    `audited` ("merged"), the act is recorded in the audit trail in the same transaction."""
    from bot.cli import open_app
    from crm.importing.identity import MergeError
    from storage.repositories import audit

    async def go(db_url: str | None):  # type: ignore[no-untyped-def]
        app_ctx = await open_app(db_url=db_url)
        try:
            async with app_ctx.db.sessions() as session:
                try:
                    out = await action(session, app_ctx.workspace_id)
                except MergeError as exc:
                    raise CLIError(str(exc)) from None
                if audited:
                    await audit.record(
                        session,
                        app_ctx.workspace_id,
                        "merged",
                        actor="cli",
                        subject=audited,
                        detail={"result": out},
                    )
                await session.commit()
                return out
        finally:
            await app_ctx.close()

    return go


@customers_app.command("merge")
def merge(
    survivor: Annotated[int, typer.Argument(help="Customer number that stays.")],
    merged: Annotated[int, typer.Argument(help="Customer number merged into it.")],
    db: DbOpt = None,
) -> None:
    """Merge customer MERGED into SURVIVOR (ids from `sellermate customer NAME`)."""
    from crm.importing.identity import merge_by_hand

    ev = run_async(
        lambda: _run(lambda s, ws: merge_by_hand(s, ws, survivor, merged), f"merge:{merged}>{survivor}")(db)
    )
    typer.echo(
        f"customer #{merged} merged into #{survivor} (merge #{ev}; undo with `sellermate customers undo {ev}`)"
    )


@customers_app.command("split")
def split(
    identity: Annotated[
        int,
        typer.Argument(
            help="Buyer identity number, as the customer card lists them "
            '(`sellermate customer NAME`: "Buyer identities: #678 …").'
        ),
    ],
    db: DbOpt = None,
) -> None:
    """Move one buyer identity (and its orders) out into a customer of its own."""
    from crm.importing.identity import split_identity

    new = run_async(
        lambda: _run(lambda s, ws: split_identity(s, ws, identity), f"split:identity:{identity}")(db)
    )
    typer.echo(f"buyer identity #{identity} is now customer #{new}")


@customers_app.command("undo")
def undo(merge_id: int, db: DbOpt = None) -> None:
    """Undo a merge (automatic or by hand): the merged customer comes back with its orders."""
    from crm.importing.identity import undo_merge

    restored = run_async(
        lambda: _run(lambda s, ws: undo_merge(s, ws, merge_id), f"undo:merge:{merge_id}")(db)
    )
    typer.echo(f"merge #{merge_id} undone: customer #{restored} is separate again")


@customers_app.command("merges")
def merges(limit: int = 20, db: DbOpt = None) -> None:
    """List recent merges and splits, newest first, with what matched."""
    from storage.repositories.imports import recent_merges

    events = run_async(lambda: _run(lambda s, ws: recent_merges(s, ws, limit))(db))
    if not events:
        typer.echo("no merges yet")
    for ev in events:
        what = f"same {ev.reason} {ev.matched_on}" if ev.matched_on else ev.reason
        undone = " (undone)" if ev.undone_at else ""
        typer.echo(f"#{ev.id} {ev.created_at:%Y-%m-%d}: #{ev.merged_id} → #{ev.survivor_id}: {what}{undone}")


def _with_app(work):  # type: ignore[no-untyped-def]
    """Run `work(app_ctx)` on the opened workspace (its own transactions)."""
    from bot.cli import open_app

    async def go(db_url: str | None):  # type: ignore[no-untyped-def]
        app_ctx = await open_app(db_url=db_url)
        try:
            return await work(app_ctx)
        finally:
            await app_ctx.close()

    return go


@customers_app.command("export")
def export(
    customer: Annotated[int, typer.Argument(help="Customer number (from `sellermate customer NAME`).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for customer-N.json and customer-N.csv.")] = Path(
        "."
    ),
    db: DbOpt = None,
) -> None:
    """Export everything held about one customer (a data-access request): JSON and CSV files."""
    from crm.rights import CLI, export_customer, record_export

    done = run_async(lambda: _with_app(lambda a: export_customer(a.db, a.workspace_id, customer))(db))
    if done is None:
        raise CLIError(f"no customer #{customer}")
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / done.json_name).write_bytes(done.json)
        (out / done.csv_name).write_bytes(done.csv)
    except OSError as exc:
        raise CLIError(f"--out: cannot write to {str(out)!r}: {exc.strerror or exc}") from None
    # Recorded only once the files are there: the audit trail never says exported when nothing was.
    run_async(lambda: _with_app(lambda a: record_export(a.db, a.workspace_id, done, CLI))(db))
    typer.echo(
        f"customer #{customer}: {done.rows} records written to {out / done.json_name} and {out / done.csv_name}"
    )


@customers_app.command("erase")
def erase_command(
    customer: Annotated[int, typer.Argument(help="Customer number (from `sellermate customer NAME`).")],
    yes: Annotated[bool, typer.Option("--yes", help="Erase without asking (it cannot be undone).")] = False,
    db: DbOpt = None,
) -> None:
    """Erase one customer on request: their name, contact details, notes and messages go, their orders stay
    (without a person) so every figure stays right. Cannot be undone."""
    from crm.rights import CLI, erase

    if not yes and not typer.confirm(f"Erase customer #{customer}? This cannot be undone", default=False):
        raise typer.Exit(1)
    done = run_async(lambda: _with_app(lambda a: erase(a.db, a.workspace_id, customer, CLI))(db))
    if done is None:
        raise CLIError(f"no customer #{customer}")
    records = ", ".join(f"#{i}" for i in done.customer_ids)
    mentions = sum(done.mentions.values())
    typer.echo(
        f"customer {records} erased: names, contact details, notes and messages cleared"
        + (f"; {mentions} mentions elsewhere removed" if mentions else "")
        + "; orders and figures kept"
    )


audit_app = typer.Typer(
    help="The audit trail: who viewed, exported, changed or erased what.", no_args_is_help=False
)


@audit_app.callback(invoke_without_command=True)
def audit_list(
    limit: Annotated[int, typer.Option("--limit", help="How many events, newest first.")] = 30,
    action: Annotated[
        str | None, typer.Option("--action", help="Only this kind of event (e.g. erased).")
    ] = None,
    db: DbOpt = None,
) -> None:
    """List recent audit events, newest first."""
    from crm.rights import ACTIONS
    from storage.repositories import audit

    if limit < 1:
        raise CLIError(f"--limit must be a whole number of events, 1 or more (got {limit})")
    if action is not None and action not in ACTIONS:
        raise CLIError(f"--action: no such kind of event {action!r}; the kinds are: {', '.join(ACTIONS)}")

    async def work(a):  # type: ignore[no-untyped-def]
        async with a.db.sessions() as s:
            return await audit.recent(s, a.workspace_id, limit=limit, action=action)

    events = run_async(lambda: _with_app(work)(db))
    if not events:
        typer.echo("no audit events yet")
    for e in events:
        who = e.member or e.actor
        typer.echo(f"{e.at:%Y-%m-%d %H:%M} UTC  {who:<16} {e.action:<9} {e.subject or ''}")


tags_app = typer.Typer(help="Rule-based tags (workspace.tag_rules in config.yaml).", no_args_is_help=True)


@tags_app.command("refresh")
def tags_refresh(db: DbOpt = None) -> None:
    """Re-evaluate every tag rule now (imports and the daily job do this too)."""
    from bot.cli import open_app
    from crm.settings import lifecycle_days
    from crm.tags import refresh_rule_tags

    async def go():  # type: ignore[no-untyped-def]
        app_ctx = await open_app(db_url=db)
        try:
            rules = app_ctx.settings.workspace.tag_rules
            if not rules:
                raise CLIError(
                    "no tag rules: add workspace.tag_rules to config.yaml (see config.example.yaml)"
                )
            async with app_ctx.db.sessions() as session:
                out = await refresh_rule_tags(
                    session,
                    app_ctx.workspace_id,
                    rules,
                    app_ctx.as_of(),
                    app_ctx.tz,
                    lifecycle_days(app_ctx.settings.workspace),
                )
                await session.commit()
            return out
        finally:
            await app_ctx.close()

    for name, (added, removed) in run_async(go).items():
        typer.echo(f"{name}: {added} customers tagged, {removed} untagged")


def register(app: typer.Typer) -> None:
    app.add_typer(customers_app, name="customers")
    app.add_typer(tags_app, name="tags")
    app.add_typer(audit_app, name="audit")
