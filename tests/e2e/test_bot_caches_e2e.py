"""End to end through the fake Bot API: what the bot remembers between messages to answer faster (shared
answers, "the workspace has orders", the Bot API response classes, filters run in place) never shows stale data.
An import, a base currency change or a role change, made in the chat or by another process on the same
database, shows in the very next answer."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from aiogram.methods import SendMessage
from aiogram.methods.base import Response

from bot.app import build_dispatcher, keep_response_types
from bot.settings import WorkspaceSettings
from crm.currency import change_base_currency
from crm.importing.service import import_file
from storage.db import Database, open_database
from storage.repositories.team import TeamRepository
from tests.e2e.conftest import OWNER, Desk, shopify_csv
from tests.e2e.test_ask_e2e import amount_in
from tests.e2e.test_desk_e2e import upload

VIEWER = 3201
OCTOBER = [
    ("#1", "Ann Lee", "ann@example.com", "100.00", "2026-10-05 12:00:00 +0800", "paid"),
    ("#2", "Ben Ong", "ben@example.com", "200.00", "2026-10-12 12:00:00 +0800", "paid"),
]
LATER = [("#3", "Cat Tan", "cat@example.com", "50.00", "2026-10-20 12:00:00 +0800", "paid")]
NO_ORDERS = "There are no orders in SellerMate yet"


async def _other_process(db: Database) -> Database:
    """Another engine on the same database, as `sellermate import` or a webhook replica would have."""
    return await open_database(db.engine.url.render_as_string(hide_password=False), run_migrations=False)


async def test_imports_and_a_currency_change_show_in_the_next_answer(desk: Desk, tmp_path: Path) -> None:
    await desk.add_member(OWNER, "owner")
    empty = await desk.say(OWNER, "revenue last month")
    assert NO_ORDERS in empty.text, empty.text

    # An import in the chat: the next answer counts it, and no longer says there are no orders.
    await upload(desk, OWNER, shopify_csv(tmp_path / "orders_export.csv", OCTOBER))
    first = await desk.say(OWNER, "revenue last month")
    assert amount_in(first.text, 300.0) and NO_ORDERS not in first.text, first.text
    again = await desk.say(OWNER, "revenue last month")  # the shared answer
    assert again.text == first.text

    other = await _other_process(desk.db)
    try:
        # An import by another process: seen through its import log.
        later = shopify_csv(tmp_path / "later_orders_export.csv", LATER)
        await import_file(other, desk.workspace_id, later, settings=WorkspaceSettings().for_import())
        after_import = await desk.say(OWNER, "revenue last month")
        assert amount_in(after_import.text, 350.0), after_import.text

        # The base currency changed by another process: amounts re-priced, the answer in the new currency.
        await change_base_currency(other, desk.workspace_id, "MYR", fx_rates={"MYR": 0.25})
        in_myr = await desk.say(OWNER, "revenue last month")
        assert amount_in(in_myr.text, 1400.0) and "MYR" in in_myr.text, in_myr.text
        zh = await desk.say(OWNER, "上个月的销售额")
        assert amount_in(zh.text, 1400.0) and "MYR" in zh.text, zh.text
    finally:
        await other.dispose()


async def test_a_role_changed_elsewhere_applies_to_the_next_message(desk: Desk) -> None:
    await desk.add_member(OWNER, "owner")
    await desk.add_member(VIEWER, "viewer")
    refused = await desk.say(VIEWER, "remind me tomorrow at 10am to call Tan")
    assert "agent" in refused.text and "viewer" in refused.text, refused.text

    other = await _other_process(desk.db)  # a webhook replica (or the command line) promotes the viewer
    try:
        async with other.sessions() as session:
            await TeamRepository(session).set_role(desk.workspace_id, VIEWER, "agent")
            await session.commit()
    finally:
        await other.dispose()
    created = await desk.say(VIEWER, "remind me tomorrow at 10am to call Tan")
    assert "call Tan" in created.text and "viewer" not in created.text, created.text

    demoted = await desk.say(OWNER, f"/role {VIEWER} viewer")  # and back, in the chat
    assert "viewer" in demoted.text, demoted.text
    refused_again = await desk.say(VIEWER, "remind me tomorrow at 11am to call Tan")
    assert "agent" in refused_again.text and "viewer" in refused_again.text, refused_again.text


def test_the_bot_api_response_classes_outlive_a_garbage_collection() -> None:
    """pydantic keeps generic classes only weakly; the bot holds them so they are built once per process."""
    keep_response_types()
    response_class = weakref.ref(Response[SendMessage.__returning__])  # type: ignore[name-defined]
    gc.collect()
    assert response_class() is not None
    assert Response[SendMessage.__returning__] is response_class()  # type: ignore[name-defined]


async def test_every_filter_runs_on_the_event_loop(db: Database, workspace_id: int) -> None:
    """aiogram runs a plain callable in a worker thread; every filter of the bot's routes is awaited in place."""
    from bot.settings import Settings

    dp = build_dispatcher(Settings(), db, workspace_id=workspace_id)
    filters = [
        event_filter
        for router in dp.chain_tail
        for observer in router.observers.values()
        for handler in observer.handlers
        for event_filter in handler.filters or ()
    ]
    assert len(filters) > 20 and all(f.awaitable for f in filters)


async def test_a_shared_answer_costs_three_reads(desk: Desk, tmp_path: Path) -> None:
    """Who asks with where their conversation stands (one session), then whether the shared answer still holds
    (one statement): a question answered from the shared answers reads the database three times, no more. A
    state set in one update is still seen by the next (the conversation is read afresh for every update)."""
    from sqlalchemy import event

    await desk.add_member(OWNER, "owner")
    await upload(desk, OWNER, shopify_csv(tmp_path / "orders_export.csv", OCTOBER))
    await desk.say(OWNER, "revenue last month")
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(desk.db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        again = await desk.say(OWNER, "revenue last month")
    finally:
        event.remove(desk.db.engine.sync_engine, "before_cursor_execute", seen)
    assert amount_in(again.text, 300.0), again.text
    assert statements.count("SELECT") == 3, statements

    # A prompt opened by one update is what the next update sees: /customer asks for a name, the name answers.
    prompt = await desk.say(OWNER, "/customer")
    card = await desk.say(OWNER, "Ann Lee")
    assert prompt.text != card.text and "Ann Lee" in card.text, card.text
