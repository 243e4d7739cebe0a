"""Conversation state in the database (bot.fsm_storage): kept across storage instances, one read per update."""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event, func, select

from bot.fsm_storage import DatabaseStorage
from storage.db import Database
from storage.models import ConversationState


class Card(StatesGroup):
    note = State()


KEY = StorageKey(bot_id=42, chat_id=-100500, user_id=7)
OTHER = StorageKey(bot_id=42, chat_id=7, user_id=7)


async def rows(db: Database) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ConversationState)) or 0)


async def test_state_and_data_outlive_the_storage_that_wrote_them(db: Database) -> None:
    first = FSMContext(DatabaseStorage(db), KEY)
    await first.set_state(Card.note)
    await first.update_data(customer_id=12, offer={"coupon": "VIP10", "expires": None})

    restarted = FSMContext(DatabaseStorage(db), KEY)  # a new process on the same database
    assert await restarted.get_state() == "Card:note"
    assert await restarted.get_data() == {"customer_id": 12, "offer": {"coupon": "VIP10", "expires": None}}
    assert await FSMContext(DatabaseStorage(db), OTHER).get_state() is None  # keys do not mix (chat differs)

    await restarted.update_data(customer_id=13)
    assert await FSMContext(DatabaseStorage(db), KEY).get_data() == {
        "customer_id": 13,
        "offer": {"coupon": "VIP10", "expires": None},
    }
    await restarted.clear()
    assert await rows(db) == 0  # nothing kept once the conversation is over
    assert await FSMContext(DatabaseStorage(db), KEY).get_state() is None

    data_only = FSMContext(DatabaseStorage(db), KEY)  # data without a state (a pending offer) is kept too
    await data_only.update_data(draft_offer=None)
    assert await FSMContext(DatabaseStorage(db), KEY).get_data() == {"draft_offer": None}
    await data_only.set_data({})
    assert await rows(db) == 0


async def test_an_update_reads_the_row_once(db: Database) -> None:
    storage = DatabaseStorage(db)
    await FSMContext(storage, KEY).set_state(Card.note)
    await FSMContext(storage, KEY).set_data({"customer_id": 12})
    reads: list[str] = []

    @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "fsm_states" in statement:
            reads.append(statement)

    async def update(expected_state: str | None) -> dict[str, Any]:
        # What aiogram does in one update: read the state (middleware), then the handler reads and clears.
        context = FSMContext(storage, KEY)
        assert await context.get_state() == expected_state
        data = await context.get_data()
        await context.update_data(seen=True)
        await context.set_state(None)
        return data

    try:
        assert await asyncio.create_task(update("Card:note")) == {"customer_id": 12}
        assert len(reads) == 1
        # The next update reads afresh and sees what the previous one wrote.
        assert await asyncio.create_task(update(None)) == {"customer_id": 12, "seen": True}
        assert len(reads) == 2
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
