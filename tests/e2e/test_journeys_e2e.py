"""End to end through the fake Bot API: a journey question answered with its table, its chart and a draft for
each stage one tap away."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import OWNER, Desk, shopify_csv
from tests.e2e.test_ask_e2e import ORDERS
from tests.e2e.test_desk_e2e import upload


@pytest.fixture
async def shop(desk: Desk, tmp_path: Path) -> Desk:
    await desk.add_member(OWNER, "owner")
    await upload(desk, OWNER, shopify_csv(tmp_path / "orders_export.csv", ORDERS))
    return desk


@pytest.mark.parametrize("backend", ["sqlite"])  # the numbers are checked on both databases in test_journeys
async def test_how_do_new_customers_move_to_active(shop: Desk) -> None:
    """As of 23 Nov 2026, d1 = 24 Oct: buyers whose first order was on 1-24 Oct were new then (36); those of
    1-23 Oct are active now (35), the one of 24 Oct is still new (30 days)."""
    mark = shop.server.mark()
    reply = await shop.say(OWNER, "how do new customers move to active")
    assert "From new to active: 97% (35 of the 36 customers who were new on 2026-10-24" in reply.text, (
        reply.text
    )
    assert "<pre>" in reply.text and "→active" in reply.text  # the table, with row shares
    photo = await shop.server.wait_call("sendPhoto", chat_id=OWNER, after=mark)
    assert "2026-10-24" in photo.text and next(iter(photo.files.values()))[1].startswith(b"\x89PNG")
    buttons = dict(reply.buttons())
    assert set(buttons.values()) >= {"sdr:new:welcome", "sdr:active:thank_you"}, buttons
    assert any("Welcome the 5 new customers" in label for label in buttons)
    drafted = await shop.press(OWNER, "sdr:new:welcome", reply.message_id)
    assert "segment <b>new</b>" in drafted.text and "5 recipients" in drafted.text, drafted.text
