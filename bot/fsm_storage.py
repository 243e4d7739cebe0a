"""Conversation state (aiogram FSM) in the product's own database, so an open prompt survives a restart.

Used when no Redis URL is configured. aiogram reads the state once at the start of every update; that read
fetches the data too, and the update's handler gets the data from it instead of reading the row again, so
an update costs one primary-key read (plus the writes of a handler that changes the state).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.repositories.conversations import read_conversation, save_data, save_state

# The conversation read at the start of the update this task is handling: (storage, key, state, data).
# Each update runs in its own task (or starts with a fresh read), so it never outlives its update's view.
_current: ContextVar[tuple[DatabaseStorage, str, str | None, dict[str, Any]] | None] = ContextVar(
    "sellermate_fsm_current", default=None
)


# The conversation `read_with` read for the update this task is about to hand to aiogram's FSM middleware;
# taken (and cleared) by the next `get_state`.
_primed: ContextVar[tuple[DatabaseStorage, str, str | None, dict[str, Any]] | None] = ContextVar(
    "sellermate_fsm_primed", default=None
)


class DatabaseStorage(BaseStorage):
    """An aiogram `BaseStorage` over the `fsm_states` table (SQLite or PostgreSQL, through the repository)."""

    def __init__(self, db: Database, key_builder: KeyBuilder | None = None) -> None:
        self.db = db
        self.key_builder = key_builder or DefaultKeyBuilder(
            with_bot_id=True, with_business_connection_id=True, with_destiny=True
        )

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    def _remember(self, key: str, state: str | None, data: dict[str, Any]) -> None:
        _current.set((self, key, state, data))

    def _remembered(self, key: str) -> tuple[str | None, dict[str, Any]] | None:
        current = _current.get()
        if current is None or current[0] is not self or current[1] != key:
            return None
        return current[2], current[3]

    async def read_with(self, session: AsyncSession, key: StorageKey) -> None:
        """Read the conversation under `key` in the caller's session: the bot's desk reads it with who is asking,
        in one round trip, just before aiogram asks for the state; that `get_state` takes this read."""
        k = self._key(key)
        found = await read_conversation(session, k)
        _primed.set((self, k, *((found.state, found.data) if found is not None else (None, {}))))

    async def get_state(self, key: StorageKey) -> str | None:
        # Always read (or take the read made for this update by `read_with`): aiogram calls this first in every
        # update, and this read is the update's view.
        k = self._key(key)
        primed = _primed.get()
        if primed is not None:
            _primed.set(None)  # for this update only
        if primed is not None and primed[0] is self and primed[1] == k:
            state, data = primed[2], primed[3]
        else:
            async with self.db.sessions() as session:
                found = await read_conversation(session, k)
            state, data = (found.state, found.data) if found is not None else (None, {})
        self._remember(k, state, data)
        return state

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        k = self._key(key)
        remembered = self._remembered(k)
        if remembered is not None:
            return copy.deepcopy(remembered[1])
        async with self.db.sessions() as session:
            found = await read_conversation(session, k)
        return dict(found.data) if found is not None else {}

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        k = self._key(key)
        name = state.state if isinstance(state, State) else state
        async with self.db.sessions() as session:
            await save_state(session, k, name)
            await session.commit()
        remembered = self._remembered(k)
        if remembered is not None:
            self._remember(k, name, remembered[1])

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        k = self._key(key)
        values = copy.deepcopy(dict(data))
        async with self.db.sessions() as session:
            await save_data(session, k, values)
            await session.commit()
        remembered = self._remembered(k)
        if remembered is not None:
            self._remember(k, remembered[0], values)

    async def close(self) -> None:
        """Nothing to close: the database belongs to the application."""
