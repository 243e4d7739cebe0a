"""End to end through the fake Bot API: best sellers asked in English and Chinese, and /products with its buttons."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import OWNER, Desk
from tests.e2e.test_ask_e2e import shop  # noqa: F401  (a fixture: 40 buyers of "Serum" in October 2026)

pytestmark = pytest.mark.parametrize(
    "backend", ["sqlite"]
)  # the SQL is covered on both in tests/test_products.py


async def _table_and_chart(desk: Desk, user: int, text: str) -> tuple[str, str]:
    mark = desk.server.mark()
    desk.server.send_text(user, text)
    reply = await desk.server.wait_call("sendMessage", chat_id=user, after=mark)
    photo = await desk.server.wait_call("sendPhoto", chat_id=user, after=mark)
    assert next(iter(photo.files.values()))[1].startswith(b"\x89PNG")
    return reply.text, photo.text


async def test_best_sellers_last_month_in_english(shop: Desk) -> None:  # noqa: F811
    text, caption = await _table_and_chart(shop, OWNER, "best sellers last month")
    assert "Best sellers by units last month" in text, text
    assert "<pre>" in text and "Serum" in text
    assert re.search(r"Serum\s+40\s", text), (
        text
    )  # 40 paid October orders of one unit; the refund is not counted
    assert "Best sellers" in caption


async def test_best_sellers_last_month_in_chinese(shop: Desk) -> None:  # noqa: F811
    text, caption = await _table_and_chart(shop, 8008, "上个月卖得最好的产品")
    assert "上个月" in text and "畅销商品" in text, text
    assert "<pre>" in text and re.search(r"Serum\s+40\s", text), text
    assert "畅销商品" in caption


async def test_the_products_command_offers_the_other_rankings(shop: Desk) -> None:  # noqa: F811
    reply = await shop.say(OWNER, "/products")
    assert "last 30 days" in reply.text, reply.text
    labels = [label for label, data in reply.buttons() if data.startswith("sug:")]
    assert any("by revenue" in label for label in labels) and any("by buyers" in label for label in labels)


async def test_an_order_import_packs_the_product_months_before_anyone_asks(shop: Desk) -> None:  # noqa: F811
    """After the upload's report, the bot packs the months the import cleared in the background, so the first
    product question reads packed months (storage.repositories.product_blocks)."""
    import asyncio

    from sqlalchemy import func, select

    from storage.models import ProductBlock

    for _ in range(100):
        async with shop.db.sessions() as s:
            months = await s.scalar(select(func.count()).select_from(ProductBlock))
            packed = await s.scalar(select(func.count()).where(ProductBlock.data.is_not(None)))
        if months and packed == months:
            break
        await asyncio.sleep(0.1)
    assert months and packed == months, (packed, months)
