"""End to end through the fake Bot API: exchange rates sent in the chat, a base currency chosen at /start after
the import converts every amount (checked against cross rates), and answers name the orders without a rate."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import Order, Workspace
from tests.e2e.conftest import OWNER, Desk
from tests.e2e.test_ask_e2e import amount_in
from tests.e2e.test_desk_e2e import upload
from tests.test_currency import orders_csv, rates_csv

MYR_IN_SGD = 0.295  # the rates file's, not the settings' 0.30
ORDERS = [
    ("#1", "ann", "SGD", "100.00", "2026-10-05 12:00:00 +0800", "paid"),
    ("#2", "bob", "SGD", "250.50", "2026-10-12 12:00:00 +0800", "paid"),
    ("#3", "cat", "MYR", "300.00", "2026-10-20 12:00:00 +0800", "paid"),
    ("#4", "dan", "IDR", "150000.00", "2026-10-21 12:00:00 +0800", "paid"),
    ("#5", "dan", "IDR", "99000.00", "2026-10-22 12:00:00 +0800", "paid"),
]
# Revenue last month (October; the desk's clock says 23 Nov 2026) in MYR, by the cross rates: an SGD is worth
# 1 / 0.295 MYR. The IDR orders have no rate.
OCTOBER_MYR = round((100.00 + 250.50) / MYR_IN_SGD + 300.00, 2)  # 1488.14
OCTOBER_SGD = round(100.00 + 250.50 + 300.00 * MYR_IN_SGD, 2)  # 439.00, what "MYR" used to be put on


async def test_a_currency_chosen_after_the_import_converts_every_amount(desk: Desk, tmp_path: Path) -> None:
    first = await desk.say(OWNER, "/start")
    currency_step = await desk.press(OWNER, "setup:lang:en", first.message_id)
    assert "base currency" in currency_step.text

    # Rates and orders sent in the chat in the middle of the set-up, rates as `sellermate rates import` reads them.
    rates = await upload(
        desk, OWNER, rates_csv(tmp_path / "rates.csv", [("MYR", str(MYR_IN_SGD), ""), ("USD", "1.34", "")])
    )
    assert "Imported 2 exchange rates" in rates and "SGD" in rates, rates
    summary = await upload(desk, OWNER, orders_csv(tmp_path / "orders_export.csv", ORDERS))
    assert "5 new" in summary and "IDR" in summary and "rates.csv" in summary, summary
    mark = desk.server.mark()
    before = await desk.say(OWNER, "revenue last month")  # answered, then the step is asked again
    assert amount_in(before.text, OCTOBER_SGD) and "SGD" in before.text, before.text
    currency_step = await desk.server.wait_call("sendMessage", after=mark, where=lambda c: "2/4" in c.text)

    timezone_step = await desk.press(OWNER, "setup:cur:MYR", currency_step.message_id)
    assert "time zone" in timezone_step.text
    stores_step = await desk.press(OWNER, "setup:tz:Asia/Singapore", timezone_step.message_id)
    done = await desk.press(OWNER, "setup:stores:-", stores_step.message_id)
    assert "Base currency: <b>MYR</b>" in done.text
    # Stores skipped: the set-up lists what the import brought, not a dash; with orders in, the next step is
    # asking about them, not sending them.
    assert "Stores: —" not in done.text and "Stores: shopify" in done.text, done.text
    assert "ask me about your orders" in done.text and "send me your order export" not in done.text

    async with desk.db.sessions() as s:
        values = {o.platform_order_id: o.value_base for o in (await s.execute(select(Order))).scalars()}
        assert (await s.get(Workspace, desk.workspace_id)).base_currency == "MYR"  # type: ignore[union-attr]
    assert float(values["#1"]) == round(100 / MYR_IN_SGD, 4) and float(values["#3"]) == 300.0  # type: ignore[arg-type]
    assert values["#4"] is None and values["#5"] is None

    answer = await desk.say(OWNER, "revenue last month")
    assert amount_in(answer.text, OCTOBER_MYR) and "MYR" in answer.text, answer.text
    assert not amount_in(answer.text, OCTOBER_SGD)
    assert "2 orders have no IDR rate and are left out" in answer.text, answer.text
    top = await desk.say(OWNER, "top 3 customers by revenue last month")
    assert amount_in(top.text, round(250.50 / MYR_IN_SGD, 2)) and "no IDR rate" in top.text, top.text
    # The set-up said what it converted, with its next step.
    assert (
        "Base currency: <b>MYR</b> (was SGD)" in timezone_step.text
        and "3 orders converted" in timezone_step.text
    )
    assert "2 orders still have no exchange rate" in timezone_step.text


@pytest.mark.parametrize("backend", ["sqlite"])  # the conversion itself is tested on both databases above
async def test_currency_command_refuses_without_a_rate_and_converts_with_one(
    desk: Desk, tmp_path: Path
) -> None:
    await desk.add_member(OWNER, "owner")
    await desk.add_member(8008, "viewer", language="zh")
    await upload(desk, OWNER, orders_csv(tmp_path / "orders_export.csv", ORDERS))

    refused = await desk.say(OWNER, "/currency EUR")
    assert "stays <b>SGD</b>" in refused.text and "EUR" in refused.text and "rates.csv" in refused.text
    assert "所有者" in (await desk.say(8008, "/currency MYR")).text  # only the owner changes it
    shown = await desk.say(OWNER, "/currency")
    assert "<b>SGD</b>" in shown.text

    # No rates file yet: the settings' rates (MYR 0.30) are the rates on file, and are converted too.
    changed = await desk.say(OWNER, "/currency myr")
    assert "Base currency: <b>MYR</b> (was SGD)" in changed.text, changed.text
    answer = await desk.say(8008, "上个月的销售额")
    assert amount_in(answer.text, round((100.00 + 250.50) / 0.30 + 300.00, 2)), answer.text
    assert "有 2 笔订单没有 IDR 汇率" in answer.text, answer.text


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_the_card_of_a_customer_whose_orders_have_no_rate_says_so(desk: Desk, tmp_path: Path) -> None:
    """Dan's two orders are in IDR, which has no rate: the card shows "—" for his amounts, not SGD 0.00, and
    says why."""
    await desk.add_member(OWNER, "owner")
    await upload(desk, OWNER, orders_csv(tmp_path / "orders_export.csv", ORDERS))
    card = await desk.say(OWNER, "/customer dan")
    assert "2 orders, — spent" in card.text and "SGD 0.00" not in card.text, card.text
    assert "predicted CLV —" in card.text and "Revenue: <b>—</b>" in card.text, card.text
    assert "orders (in IDR) have no SGD rate and are left out" in card.text, card.text
    bob = await desk.say(OWNER, "/customer bob")
    assert "250.50" in bob.text and "no SGD rate" not in bob.text, bob.text
