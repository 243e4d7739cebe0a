"""End to end through the fake Bot API: a file sent while another import runs waits, says so, then imports."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from storage.models import Order
from tests.e2e.conftest import OWNER, Desk, shopify_csv
from tests.test_import_concurrency import another_import_running

ORDERS = [
    ("#2001", "Lim Mei Ling", "meiling@example.com", "42.00", "2026-11-01 10:00:00 +0800", "paid"),
    ("#2002", "Lim Mei Ling", "meiling@example.com", "18.50", "2026-11-08 10:00:00 +0800", "paid"),
]


async def test_an_upload_waits_for_the_running_import_and_says_so(desk: Desk, tmp_path: Path) -> None:
    await desk.add_member(OWNER, "owner")
    path = shopify_csv(tmp_path / "orders_export.csv", ORDERS)
    mark = desk.server.mark()
    async with another_import_running(desk.db, desk.workspace_id):
        desk.server.send_document(OWNER, path.name, path.read_bytes())
        waiting = await desk.server.wait_call(
            "editMessageText",
            chat_id=OWNER,
            after=mark,
            where=lambda c: "Another import is running" in c.text,
        )
        assert "orders_export.csv" in waiting.text
        async with desk.db.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(Order)) == 0  # not before the other ends
    final = await desk.server.wait_call(
        "editMessageText", chat_id=OWNER, after=mark, where=lambda c: c.text.startswith(("✅", "❌"))
    )
    assert final.text.startswith("✅") and "Orders: 2 new" in final.text
    # One status message throughout: receiving, waiting, the summary.
    assert desk.server.messages[(OWNER, waiting.message_id)].text == final.text
