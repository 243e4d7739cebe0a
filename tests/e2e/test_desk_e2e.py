"""End to end through the fake Bot API: in-chat import (good and bad files) and the customer card's buttons."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import CustomerTag, ImportLog, Interaction, Order, Tag
from tests.e2e.conftest import OWNER, Desk, shopify_csv

ORDERS = [
    ("#1001", "Tan Wei Ling", "weiling@example.com", "120.50", "2026-10-01 10:00:00 +0800", "paid"),
    ("#1002", "Tan Wei Ling", "weiling@example.com", "80.00", "2026-11-02 10:00:00 +0800", "paid"),
    ("#1003", "Tan Ah Kow", "ahkow@example.com", "35.00", "2026-11-03 10:00:00 +0800", "paid"),
    ("#1004", "Nur Aisyah", "aisyah@example.com", "60.00", "2026-11-04 10:00:00 +0800", "refunded"),
]


async def upload(desk: Desk, user_id: int, path: Path, **kw: object) -> str:
    """Send a file and return the final text of the bot's status message."""
    mark = desk.server.mark()
    desk.server.send_document(user_id, path.name, path.read_bytes(), **kw)  # type: ignore[arg-type]
    final = await desk.server.wait_call(
        "editMessageText",
        chat_id=user_id,
        after=mark,
        where=lambda c: c.text.startswith(("✅", "❌")),
    )
    return final.text


async def test_an_admin_imports_an_export_in_the_chat(desk: Desk, tmp_path: Path) -> None:
    await desk.add_member(OWNER, "owner")
    path = shopify_csv(tmp_path / "orders_export.csv", ORDERS)
    summary = await upload(desk, OWNER, path)
    assert "shopify" in summary and "Rows: 4" in summary and "4 new" in summary
    assert "Customers: 3 new" in summary
    # The status message went receiving -> importing -> summary, all in one message.
    first = desk.server.calls_of("sendMessage")[-1]
    assert "Receiving" in first.text
    assert desk.server.messages[(OWNER, first.message_id)].text.startswith("✅")
    assert desk.server.calls_of("getFile")[-1].params["file_id"] == "doc1"

    again = await upload(desk, OWNER, path)  # same file again: nothing new
    assert "0 new, 0 updated, 4 unchanged" in again
    async with desk.db.sessions() as s:
        orders = (await s.execute(select(Order))).scalars().all()
        logs = (await s.execute(select(ImportLog))).scalars().all()
    assert len(orders) == 4 and len(logs) == 2


async def test_bad_uploads_are_refused_with_a_reason(desk: Desk, tmp_path: Path) -> None:
    await desk.add_member(OWNER, "owner")
    await desk.add_member(6006, "agent")

    mark = desk.server.mark()
    desk.server.send_document(OWNER, "invoice.pdf", b"%PDF-1.4", mime_type="application/pdf")
    refused = await desk.server.wait_call("sendMessage", chat_id=OWNER, after=mark)
    assert "invoice.pdf" in refused.text and ".csv" in refused.text

    mark = desk.server.mark()
    desk.server.send_document(OWNER, "huge.csv", b"a,b\n1,2\n", file_size=25 * 1024 * 1024)
    too_big = await desk.server.wait_call("sendMessage", chat_id=OWNER, after=mark)
    assert "25.0 MB" in too_big.text and "20 MB" in too_big.text
    assert desk.server.calls_of("getFile", after=mark) == []  # never downloaded

    junk = tmp_path / "notes.csv"
    junk.write_text("colour,size\nred,XL\n", encoding="utf-8")
    failed = await upload(desk, OWNER, junk)
    assert failed.startswith("❌") and "Nothing was changed" in failed

    mark = desk.server.mark()
    desk.server.send_document(6006, "orders.csv", b"a,b\n")
    denied = await desk.server.wait_call("sendMessage", chat_id=6006, after=mark)
    assert "admin" in denied.text  # agents cannot import
    async with desk.db.sessions() as s:
        assert (await s.execute(select(Order))).scalars().all() == []


async def test_customer_card_search_tag_note_and_handoff_buttons(desk: Desk, tmp_path: Path) -> None:
    await desk.add_member(OWNER, "owner")
    await desk.add_member(7007, "viewer")
    await upload(desk, OWNER, shopify_csv(tmp_path / "orders_export.csv", ORDERS))

    several = await desk.say(OWNER, "/customer tan")
    names = [text for text, _ in several.buttons()]
    assert sorted(n.split(" #")[0] for n in names) == ["Tan Ah Kow", "Tan Wei Ling"]
    open_data = next(data for text, data in several.buttons() if text.startswith("Tan Wei Ling"))
    card = await desk.press(OWNER, open_data, several.message_id)
    customer_id = int(open_data.split(":")[1])
    assert "Tan Wei Ling" in card.text and "<b>2</b>" in card.text and "200.50 SGD" in card.text
    assert "weiling@example.com" not in card.text  # no contact details on the card
    datas = [data for _, data in card.buttons()]
    assert datas == [
        f"ctag:{customer_id}",
        f"cnote:{customer_id}",
        f"draft:{customer_id}",
        f"remind:{customer_id}",
    ]

    by_email = await desk.say(OWNER, "/customer weiling@example.com")
    assert "Tan Wei Ling" in by_email.text and by_email.buttons()[0][1] == f"ctag:{customer_id}"
    by_order = await desk.say(OWNER, "/customer #1003")
    assert "Tan Ah Kow" in by_order.text
    nobody = await desk.say(OWNER, "/customer zzz")
    assert "zzz" in nobody.text

    ask_tag = await desk.press(OWNER, f"ctag:{customer_id}", card.message_id)
    assert "tag" in ask_tag.text.lower()
    tagged = await desk.say(OWNER, "VIP, wholesale")
    assert "vip, wholesale" in tagged.text
    await desk.press(OWNER, f"cnote:{customer_id}", card.message_id)
    noted = await desk.say(OWNER, "Prefers WhatsApp, ships to office")
    assert "saved" in noted.text.lower()

    refreshed = await desk.say(OWNER, "/customer weiling@example.com")
    assert "vip, wholesale" in refreshed.text and "Prefers WhatsApp" in refreshed.text

    # A viewer sees the card but may not tag it.
    mark = desk.server.mark()
    desk.server.press(7007, f"ctag:{customer_id}", message_id=card.message_id, chat_id=7007)
    denied = await desk.server.wait_call("answerCallbackQuery", after=mark)
    assert "agent" in denied.params["text"]

    async with desk.db.sessions() as s:
        tags = (
            (
                await s.execute(
                    select(Tag.name)
                    .join(CustomerTag)
                    .where(CustomerTag.customer_id == customer_id)
                    .order_by(Tag.name)
                )
            )
            .scalars()
            .all()
        )
        notes = (await s.execute(select(Interaction).where(Interaction.kind == "note"))).scalars().all()
    assert tags == ["vip", "wholesale"]
    assert [(n.customer_id, n.body) for n in notes] == [(customer_id, "Prefers WhatsApp, ships to office")]


async def test_a_bad_export_in_the_chat_ends_with_a_clear_message(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file with extreme values imports its good rows and lists the bad ones; an import that fails on
    something unexpected replaces "Importing…" with a clear message, never the generic apology."""
    await desk.add_member(OWNER, "owner")
    extreme = shopify_csv(
        tmp_path / "orders_export.csv",
        [*ORDERS[:2], ("#1009", "Max", "max@example.com", "1e308", "2026-11-05 10:00:00 +0800", "paid")],
    )
    summary = await upload(desk, OWNER, extreme)
    assert (
        summary.startswith("✅") and "2 new" in summary and "line 4" in summary and "out of range" in summary
    )

    import crm.importing.service as service

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "_import_orders", broken)
    mark = desk.server.mark()
    failed = await upload(desk, OWNER, shopify_csv(tmp_path / "orders_export2.csv", ORDERS[2:]))
    assert failed.startswith("❌") and "unexpected error" in failed and "Nothing was changed" in failed
    assert not [c for c in desk.server.calls_of("sendMessage", after=mark) if "went wrong" in c.text]
