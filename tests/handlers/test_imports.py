"""handlers/imports.py through the app's Dispatcher: an export sent in chat is downloaded and imported."""

from __future__ import annotations

from aiogram.types import Document
from sqlalchemy import func, select

from storage.models import Order
from tests.fakes.recording_bot import message
from tests.handlers.conftest import OWNER, Chat, sent_texts
from tests.handlers.shop import SHOPIFY


async def test_a_shopify_export_sent_in_chat_is_imported(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    content = SHOPIFY.read_bytes()
    chat.bot.recording.files["documents/export-1"] = content
    document = Document(
        file_id="export-1", file_unique_id="export-1", file_name="orders_export.csv", file_size=len(content)
    )
    calls = await chat.feed(message(OWNER, document=document))
    texts = sent_texts(calls)
    assert any("orders_export.csv" in t for t in texts), texts
    async with chat.db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Order))).scalar() == 3


async def test_a_file_of_another_kind_is_refused(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    document = Document(file_id="x", file_unique_id="x", file_name="holiday.mp4", file_size=1000)
    texts = sent_texts(await chat.feed(message(OWNER, document=document)))
    assert len(texts) == 1 and ("holiday.mp4" in texts[0] or "CSV" in texts[0]), texts
    assert not chat.bot.sent("GetFile")
