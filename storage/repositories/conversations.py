"""Conversation state repository: where each person's conversation with the bot stands (state name and data).

One row per storage key while a state or data is set; every statement is a primary-key lookup or an upsert,
so the bot's per-update read stays one indexed row. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState


@dataclass(frozen=True)
class Conversation:
    state: str | None
    data: dict[str, Any]


async def read_conversation(session: AsyncSession, key: str) -> Conversation | None:
    """The state and data under `key` in one read; None when nothing is kept for it."""
    row = (
        await session.execute(
            select(ConversationState.state, ConversationState.data).where(ConversationState.key == key)
        )
    ).first()
    if row is None:
        return None
    return Conversation(state=row.state, data=dict(row.data or {}))


def _upsert(session: AsyncSession, values: dict[str, Any]) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ConversationState)
    stmt = insert.values(**values, updated_at=func.now())
    changed = {name: stmt.excluded[name] for name in values if name != "key"}
    return stmt.on_conflict_do_update(index_elements=["key"], set_={**changed, "updated_at": func.now()})


async def save_state(session: AsyncSession, key: str, state: str | None) -> None:
    """Set the state under `key`; None clears it (and drops the row when no data is left either)."""
    if state is not None:
        await session.execute(_upsert(session, {"key": key, "state": state}))
        return
    table = ConversationState
    await session.execute(delete(table).where(table.key == key, table.data.is_(None)))
    await session.execute(update(table).where(table.key == key).values(state=None, updated_at=func.now()))


async def save_data(session: AsyncSession, key: str, data: dict[str, Any]) -> None:
    """Replace the data under `key`; an empty mapping clears it (and drops the row when no state is set)."""
    if data:
        await session.execute(_upsert(session, {"key": key, "data": dict(data)}))
        return
    table = ConversationState
    await session.execute(delete(table).where(table.key == key, table.state.is_(None)))
    await session.execute(update(table).where(table.key == key).values(data=None, updated_at=func.now()))
