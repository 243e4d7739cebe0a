"""End to end through the fake Bot API: questions in English and Chinese, paged tables, "why this number"."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import OWNER, Desk, shopify_csv
from tests.e2e.test_desk_e2e import upload
from tests.test_charts import only_shipped_fonts  # noqa: F401  (a fixture)

pytest.importorskip(
    "crm.query.compiler", reason="the question engine (crm.query.compiler) is not installed yet"
)

# Forty buyers; buyer i spends 100 + i in October 2026 (the month before the as-of date, 23 Nov 2026),
# and buyer 0 also orders 50.00 in November. One refunded order must not count.
ORDERS = [
    (
        f"#{2000 + i}",
        f"Buyer {i:02d}",
        f"buyer{i:02d}@example.com",
        f"{100 + i}.00",
        f"2026-10-{1 + i % 28:02d} 12:00:00 +0800",
        "paid",
    )
    for i in range(40)
]
ORDERS += [
    ("#2100", "Buyer 00", "buyer00@example.com", "50.00", "2026-11-05 12:00:00 +0800", "paid"),
    ("#2101", "Buyer 01", "buyer01@example.com", "999.00", "2026-10-20 12:00:00 +0800", "refunded"),
]
OCTOBER_REVENUE = sum(100 + i for i in range(40))  # 4780


def amount_in(text: str, value: float) -> bool:
    numbers = {float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}
    return value in numbers


@pytest.fixture
async def shop(desk: Desk, tmp_path: Path) -> Desk:
    await desk.add_member(OWNER, "owner")
    await desk.add_member(8008, "viewer", language="zh")
    await upload(desk, OWNER, shopify_csv(tmp_path / "orders_export.csv", ORDERS))
    return desk


async def test_a_kpi_question_in_english(shop: Desk) -> None:
    reply = await shop.say(OWNER, "revenue last month")
    assert amount_in(reply.text, OCTOBER_REVENUE), reply.text
    assert any(data.startswith("why:") for _, data in reply.buttons())


async def test_a_kpi_question_in_chinese(shop: Desk) -> None:
    reply = await shop.say(8008, "上个月的销售额")
    assert amount_in(reply.text, OCTOBER_REVENUE), reply.text
    assert re.search(r"[\u4e00-\u9fff]", reply.text)  # answered in Chinese


async def test_the_why_button_explains_the_number(shop: Desk) -> None:
    reply = await shop.say(OWNER, "orders last month")
    assert amount_in(reply.text, 40), reply.text
    why = next(data for _, data in reply.buttons() if data.startswith("why:"))
    explanation = await shop.press(OWNER, why, reply.message_id)
    assert "2026-10-01" in explanation.text or "October" in explanation.text or "valid" in explanation.text


async def test_a_long_table_pages_with_buttons(shop: Desk) -> None:
    first = await shop.say(OWNER, "top 40 customers by revenue")
    assert "<pre>" in first.text
    pages = [first.text]
    buttons = first.buttons()
    message_id = first.message_id
    while True:
        nxt = [data for text, data in buttons if text == "▶"]
        if not nxt:
            break
        edit = await shop.press(OWNER, nxt[0], message_id, method="editMessageText")
        assert edit.message_id == message_id  # the same message is edited, not a new one sent
        pages.append(edit.text)
        buttons = edit.buttons()
    assert len(pages) >= 3
    shown = [name for page in pages for name in re.findall(r"Buyer \d\d", page)]
    assert sorted(shown) == sorted(f"Buyer {i:02d}" for i in range(40))  # every row once, across pages
    assert shown[0] == "Buyer 00"  # biggest spender first: 100 + 50 all time, ahead of Buyer 39 (139)


async def test_kpi_shortcut_answers_in_the_member_language(shop: Desk) -> None:
    mark = shop.server.mark()
    shop.server.send_text(8008, "/kpi")
    first = await shop.server.wait_call("sendMessage", chat_id=8008, after=mark)
    assert re.search(r"[\u4e00-\u9fff]", first.text)


async def test_churn_risk_of_one_customer_is_the_number_with_the_card_one_tap_away(shop: Desk) -> None:
    # "Buyer 00" reads as the word buyer and a number, so the buyer is named by e-mail (two orders: a churn risk)
    reply = await shop.say(OWNER, "churn risk of buyer00@example.com")
    assert reply.text.startswith("Churn risk of Buyer 00"), reply.text
    assert re.search(r"\d+\.\d%", reply.text) and "Platforms:" not in reply.text  # the number, not the card
    open_card = [data for _, data in reply.buttons() if data.startswith("cust:")]
    assert len(open_card) == 1
    card = await shop.press(OWNER, open_card[0], reply.message_id)
    assert "Buyer 00" in card.text and "orders" in card.text.lower()
    zh = await shop.say(8008, "buyer00@example.com的流失风险")
    assert "流失风险" in zh.text and re.search(r"\d+\.\d%", zh.text), zh.text


async def test_how_many_customers_do_i_have_is_the_customer_base(shop: Desk) -> None:
    reply = await shop.say(OWNER, "how many customers do I have")
    assert "customer base" in reply.text and amount_in(reply.text, 40), reply.text


@pytest.mark.parametrize("backend", ["sqlite"])  # drawing does not depend on the database
async def test_a_chart_asked_in_chinese_has_every_glyph(
    shop: Desk, only_shipped_fonts: None, caplog: pytest.LogCaptureFixture
) -> None:
    """The chart a Chinese-speaking member receives is titled in Chinese with the currency, and drawn without a
    single missing glyph (a □) though the machine's own fonts are hidden."""
    caplog.set_level(logging.WARNING, logger="bot.render")
    mark = shop.server.mark()
    shop.server.send_text(8008, "按平台统计上个月的销售额")
    photo = await shop.server.wait_call("sendPhoto", chat_id=8008, after=mark)
    assert "销售额" in photo.text and photo.text.endswith("（SGD）"), photo.text
    assert next(iter(photo.files.values()))[1].startswith(b"\x89PNG")
    assert not [r.getMessage() for r in caplog.records if "missing from font" in r.getMessage()]
