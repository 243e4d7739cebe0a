"""Shared answers (crm/query/cache.py): reused only while the question and the data are the same."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from bot.settings import Settings
from crm.query.cache import ResultCache
from crm.query.service import ask
from storage.db import Database, open_database
from storage.models import ImportLog
from tests.scheduling_fixtures import Shop

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SETTINGS = Settings(workspace={"timezone": "Asia/Singapore"})


async def _ask(db: Database, ws: int, cache: ResultCache, text: str = "revenue last 30 days"):  # type: ignore[no-untyped-def]
    return await ask(text, db=db, workspace_id=ws, settings=SETTINGS, as_of=NOW, cache=cache)


async def test_same_question_is_shared_until_the_data_changes(db: Database, workspace_id: int) -> None:
    shop = Shop(db, workspace_id)
    await shop.customer("Ann", [(datetime(2026, 11, 20, tzinfo=UTC), 100)])
    cache = ResultCache()
    first = await _ask(db, workspace_id, cache)
    again = await _ask(db, workspace_id, cache)
    assert first.value == again.value == 100 and (cache.misses, cache.hits) == (1, 1)
    # A committed write in this process (an order) invalidates at once.
    await shop.customer("Ben", [(datetime(2026, 11, 21, tzinfo=UTC), 50)])
    assert (await _ask(db, workspace_id, cache)).value == 150 and cache.misses == 2
    # A different question, or the same one in the other language, is its own entry.
    zh = await _ask(db, workspace_id, cache, "最近30天的销售额")
    assert zh.value == 150 and zh.language == "zh" and cache.misses == 3


async def test_an_import_by_another_process_invalidates(db: Database, workspace_id: int) -> None:
    shop = Shop(db, workspace_id)
    await shop.customer("Ann", [(datetime(2026, 11, 20, tzinfo=UTC), 100)])
    cache = ResultCache()
    await _ask(db, workspace_id, cache)
    # Another engine on the same database, as `sellermate import` in another process would be.
    other = await open_database(db.engine.url.render_as_string(hide_password=False), run_migrations=False)
    try:
        async with other.sessions() as s:
            s.add(ImportLog(workspace_id=workspace_id, file_name="later.csv", status="done", finished_at=NOW))
            await s.commit()
    finally:
        await other.dispose()
    version = db.data_version
    await _ask(db, workspace_id, cache)
    assert cache.misses == 2 and db.data_version == version  # seen through the import log, not this process


async def test_concurrent_askers_share_one_computation_and_entries_expire(
    db: Database, workspace_id: int
) -> None:
    shop = Shop(db, workspace_id)
    await shop.customer("Ann", [(datetime(2026, 11, 20, tzinfo=UTC), 100)])
    t = [0.0]
    cache = ResultCache(ttl=60, clock=lambda: t[0])
    results = await asyncio.gather(*(_ask(db, workspace_id, cache) for _ in range(8)))
    assert {r.value for r in results} == {100} and cache.misses == 1 and cache.hits == 7
    results[0].text = "changed by a caller"  # callers get copies: the shared answer is untouched
    assert (await _ask(db, workspace_id, cache)).text != "changed by a caller"
    t[0] = 61.0
    await _ask(db, workspace_id, cache)
    assert cache.misses == 2


async def test_clarify_and_failures_are_not_kept(db: Database, workspace_id: int) -> None:
    cache = ResultCache()
    await _ask(db, workspace_id, cache, "tell me a joke")
    await _ask(db, workspace_id, cache, "tell me a joke")
    assert cache.hits == 0

    async def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    for _ in range(2):
        with contextlib.suppress(RuntimeError):
            await cache.get_or_compute(("k",), boom)
    assert cache.misses == 2 and cache.hits == 0


async def test_the_one_round_trip_token_is_data_token_and_base_currency(
    db: Database, workspace_id: int
) -> None:
    """What a shared answer is checked against, read in one statement, is what the two reads it replaced give."""
    from sqlalchemy import select

    from storage.models import Customer, MergeEvent
    from storage.repositories.analytics import data_token, data_token_and_currency
    from storage.repositories.currency import base_currency

    async def both() -> tuple[object, object]:
        async with db.sessions() as s:
            return (await data_token(db, s, workspace_id), await base_currency(s, workspace_id)), (
                await data_token_and_currency(db, s, workspace_id)
            )

    old, new = await both()
    assert old == new and new[1] == "SGD" and new[0][2:] == (None, None, None, None)
    shop = Shop(db, workspace_id)
    await shop.customer("Ann", [(datetime(2026, 11, 20, tzinfo=UTC), 100)])
    await shop.customer("Ben", [(datetime(2026, 11, 21, tzinfo=UTC), 50)])
    async with db.sessions() as s:
        ann, ben = (await s.execute(select(Customer.id).order_by(Customer.id))).scalars().all()
        s.add(ImportLog(workspace_id=workspace_id, file_name="a.csv", status="done", finished_at=NOW))
        s.add(
            MergeEvent(
                workspace_id=workspace_id, survivor_id=ann, merged_id=ben, reason="manual", undone_at=NOW
            )
        )
        await s.commit()
    old, new = await both()
    assert old == new and None not in new[0] and new[0][3] == new[0][5] == NOW
    async with db.sessions() as s:  # a workspace that does not exist has no currency
        assert await data_token_and_currency(db, s, workspace_id + 99) == (
            (db.serial, db.data_version, None, None, None, None),
            None,
        )
