"""End to end through the fake Bot API: replies the bot shares with the command line speak in chat terms there
(send a file here, /help), never in command-line options or backticks."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.conftest import OWNER, Desk, shopify_csv

CLI_WORDS = re.compile(r"`|--[a-z]|sellermate (?:import|rates|ask|demo)")


async def test_replies_shared_with_the_command_line_speak_in_chat_terms(desk: Desk, tmp_path: Path) -> None:
    await desk.add_member(OWNER, "owner")

    empty = await desk.say(OWNER, "revenue last month")  # no orders yet: why there is nothing, and what to do
    assert "no orders" in empty.text and "export" in empty.text and "/help" in empty.text
    other_day = await desk.say(OWNER, "revenue as of 2025-06-30")
    assert "one date at a time" in other_day.text and "revenue June 2025" in other_day.text

    mark = desk.server.mark()
    desk.server.send_document(OWNER, "rates.csv", b"currency,rate\nMYR,0.3\n")
    rates = await desk.server.wait_call(
        "editMessageText", chat_id=OWNER, after=mark, where=lambda c: c.text.startswith(("✅", "❌"))
    )
    assert "Imported 1 exchange rates" in rates.text  # rates sent in the chat import as rates

    orders = shopify_csv(
        tmp_path / "orders_export.csv",
        [("#1001", "Tan Wei Ling", "weiling@example.com", "120.50", "2026-10-01 10:00:00 +0800", "paid")],
    )
    mark = desk.server.mark()
    desk.server.send_document(OWNER, orders.name, orders.read_bytes(), caption="shopify-main")
    await desk.server.wait_call(
        "editMessageText", chat_id=OWNER, after=mark, where=lambda c: c.text.startswith("✅")
    )
    mark = desk.server.mark()
    desk.server.send_document(OWNER, orders.name, orders.read_bytes(), caption="shopify-other")
    twice = await desk.server.wait_call(
        "editMessageText", chat_id=OWNER, after=mark, where=lambda c: c.text.startswith("❌")
    )
    assert "count them twice" in twice.text and "caption <code>shopify-main</code>" in twice.text

    for reply in (empty, other_day, rates, twice):
        assert not CLI_WORDS.search(reply.text), reply.text
