"""A small shop for handler tests: the committed Shopify export imported into the test database.

#2001 Ann Tan, paid, 57.70 SGD on 2 Mar 2026 (the only valid order); #2002 Raj Kumar, refunded; #2003 Mei Lim,
pending."""

from __future__ import annotations

from pathlib import Path

from bot.settings import WorkspaceSettings
from crm.importing.service import import_file
from tests.handlers.conftest import Chat

SHOPIFY = Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "shopify-orders_export.csv"


async def stock(chat: Chat) -> None:
    report = await import_file(chat.db, chat.workspace_id, SHOPIFY, settings=WorkspaceSettings())
    assert report.rejected == [] and report.orders_new == 3
