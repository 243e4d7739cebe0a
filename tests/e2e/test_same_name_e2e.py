"""End to end through the fake Bot API: customers who share a name are told apart in every picker and list."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.conftest import OWNER, Desk, shopify_csv
from tests.e2e.test_desk_e2e import upload

# Three buyers called Tan Wei Ling (three e-mails: three customers), with different spend and last orders.
ORDERS = [
    ("#3001", "Tan Wei Ling", "twl.one@example.com", "120.50", "2026-10-01 10:00:00 +0800", "paid"),
    ("#3002", "Tan Wei Ling", "twl.two@example.com", "80.00", "2026-11-02 10:00:00 +0800", "paid"),
    ("#3003", "Tan Wei Ling", "twl.three@example.com", "35.00", "2026-09-03 10:00:00 +0800", "paid"),
    ("#3004", "Tan Wei Ling", "twl.one@example.com", "10.00", "2026-11-05 10:00:00 +0800", "paid"),
]


async def shop(desk: Desk, tmp_path: Path) -> None:
    await desk.add_member(OWNER, "owner")
    summary = await upload(desk, OWNER, shopify_csv(tmp_path / "orders_export.csv", ORDERS))
    assert "3 new" in summary, summary


async def test_the_customer_picker_shows_what_tells_same_name_customers_apart(
    desk: Desk, tmp_path: Path
) -> None:
    await shop(desk, tmp_path)
    reply = await desk.say(OWNER, "/customer Tan Wei Ling")
    labels = [text for text, data in reply.buttons() if data.startswith("cust:")]
    assert len(labels) == 3 and len(set(labels)) == 3, (
        labels
    )  # three different buttons, not "Tan Wei Ling" x3
    for label in labels:
        assert re.search(r"#\d+", label) and "Shopify" in label and re.search(r"2026-\d\d-\d\d", label), label
    assert any(" 130" in label for label in labels)  # spend 130.50, shown rounded: the two-order buyer
    opened = await desk.press(OWNER, next(d for t, d in reply.buttons() if " 130" in t), reply.message_id)
    assert (
        "Tan Wei Ling" in opened.text and "#3004" in opened.text and "#3001" in opened.text
    )  # recent orders


async def test_who_is_lists_the_matches_with_their_details_and_opens_each_card(
    desk: Desk, tmp_path: Path
) -> None:
    await shop(desk, tmp_path)
    reply = await desk.say(OWNER, "who is Tan Wei Ling")
    # one line each in the table: #id, name, platform, country, last order (local date), spend
    assert reply.text.count("Tan Wei Ling") == 4 and "2026-11-05" in reply.text, reply.text  # + the question
    opens = [data for _, data in reply.buttons() if data.startswith("cust:")]
    assert len(set(opens)) == 3
    top = await desk.say(OWNER, "top 3 customers by revenue")
    ids = re.findall(r"#(\d+)", top.text)
    assert len(set(ids)) == 3, top.text  # the table carries each customer's #id
    assert {d.split(":")[-1] for _, d in top.buttons() if d.startswith("cust:")} == set(ids)
