"""End to end through the fake Bot API: best sellers asked in English and Chinese, and /products with its buttons."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import OWNER, Desk
from tests.e2e.test_ask_e2e import shop  # noqa: F401  (a fixture: 40 buyers of "Serum" in October 2026)
from tests.e2e.test_desk_e2e import upload

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


# Six Thai buyers each buy coffee beans every 30 days, the last time on 22 October (32 days before the desk's
# clock, 23 Nov 2026: due this week), the second time with a grinder filter; four Singapore buyers buy tea.
THAI = [(f"Thai Buyer {i}", f"thai{i}@example.com") for i in range(6)]
SINGAPORE = [(f"SG Buyer {i}", f"sg{i}@example.com") for i in range(4)]


def _reorder_csv(path: Path) -> Path:
    from tests.test_importing import SHOPIFY_HEADER

    n = 3000
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(SHOPIFY_HEADER)

        def order(buyer: tuple[str, str], country: str, day: str, items: list[tuple[str, str, str]]) -> None:
            nonlocal n
            n += 1
            total = f"{sum(float(p) for _, _, p in items):.2f}"
            for k, (sku, name, price) in enumerate(items):
                row = dict.fromkeys(SHOPIFY_HEADER, "")
                row.update({"Name": f"#{n}", "Lineitem quantity": "1", "Lineitem name": name})
                row.update({"Lineitem price": price, "Lineitem sku": sku})
                if k == 0:  # Shopify writes the order's own columns on its first line only
                    row.update(
                        {
                            "Email": buyer[1],
                            "Financial Status": "paid",
                            "Fulfillment Status": "fulfilled",
                            "Currency": "SGD",
                            "Subtotal": total,
                            "Total": total,
                            "Created at": f"{day} 12:00:00 +0800",
                            "Billing Name": buyer[0],
                            "Billing Country": country,
                            "Shipping Country": country,
                        }
                    )
                writer.writerow([row[h] for h in SHOPIFY_HEADER])

        coffee, beans_filter = ("COF", "Coffee Beans", "20.00"), ("FIL", "Grinder Filter", "5.00")
        for buyer in THAI:
            order(buyer, "TH", "2026-08-23", [coffee])
            order(buyer, "TH", "2026-09-22", [coffee, beans_filter])
            order(buyer, "TH", "2026-10-22", [coffee])
        for buyer in SINGAPORE:
            order(buyer, "SG", "2026-10-10", [("TEA", "Tea Leaves", "12.00")])
    return path


@pytest.fixture
async def coffee_shop(desk: Desk, tmp_path: Path) -> Desk:
    await desk.add_member(OWNER, "owner")
    await desk.add_member(8008, "owner", language="zh")
    report = await upload(desk, OWNER, _reorder_csv(tmp_path / "orders_export.csv"))
    assert report.startswith("✅"), report
    return desk


async def test_what_thai_customers_buy_and_what_goes_together(coffee_shop: Desk) -> None:
    thai = await coffee_shop.say(OWNER, "what do Thai customers buy most")
    assert "Coffee Beans" in thai.text and "Tea Leaves" not in thai.text, thai.text
    together = await coffee_shop.say(OWNER, "products often bought together")
    assert "Coffee Beans" in together.text and "Grinder Filter" in together.text, together.text
    zh = await coffee_shop.say(8008, "经常一起购买的商品")
    assert "Coffee Beans" in zh.text and re.search(r"[\u4e00-\u9fff]", zh.text), zh.text


async def test_who_is_due_to_reorder_with_a_draft_and_a_reminder_one_tap_away(coffee_shop: Desk) -> None:
    from sqlalchemy import func, select

    from storage.models import OutreachDraft, Reminder

    due = await coffee_shop.say(OWNER, "who is due to reorder Coffee Beans")
    assert "Coffee Beans" in due.text and "30" in due.text, due.text  # a 30-day cycle
    assert all(name in due.text for name, _ in THAI), due.text
    buttons = [(label, data) for label, data in due.buttons() if data.startswith("sug:")]
    draft = next(data for label, data in buttons if label.startswith("draft a replenishment message for #"))
    remind = next(data for label, data in buttons if label.startswith("remind me"))
    drafted = await coffee_shop.press(OWNER, draft, due.message_id)
    assert "use /draft" not in drafted.text and "Thai Buyer" in drafted.text, drafted.text
    reminded = await coffee_shop.press(OWNER, remind, due.message_id)
    assert "use /reminders" not in reminded.text, reminded.text
    await coffee_shop.server.wait_idle()
    async with coffee_shop.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Reminder)) == 1
        assert await s.scalar(select(func.count()).select_from(OutreachDraft)) >= 1


async def test_a_suggestion_pressed_while_a_prompt_waits_is_not_taken_as_its_answer(
    coffee_shop: Desk,
) -> None:
    """A person who opened "remind me about this customer" (the prompt waits for their words) and then presses a
    draft suggestion under an earlier answer: the suggestion is asked as a question, not read as the
    reminder's words."""
    from sqlalchemy import func, select

    from handlers.customers import RemindCB
    from storage.models import Reminder

    due = await coffee_shop.say(OWNER, "who is due to reorder Coffee Beans")
    draft = next(data for label, data in due.buttons() if label.startswith("draft a replenishment message"))
    customer = int(re.findall(r"#(\d+)", next(lb for lb, _ in due.buttons() if lb.startswith("draft a")))[0])
    prompt = await coffee_shop.press(OWNER, RemindCB(customer_id=customer).pack(), due.message_id)
    pressed = await coffee_shop.press(OWNER, draft, due.message_id)
    assert "/draft" in pressed.text, (prompt.text, pressed.text)  # the question path's answer to a draft
    await coffee_shop.server.wait_idle()
    async with coffee_shop.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Reminder)) == 0
