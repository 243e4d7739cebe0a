"""End to end through the fake Bot API: a sample of the bad-file battery (tests/test_bad_files.py) sent to the
bot as documents. Each file gets one status message whose final text is the result (refused, or imported
with its rejected lines), never a traceback, a Python error, SQL or "something went wrong"; a refused file
changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Order
from tests.e2e.conftest import OWNER, Desk
from tests.test_bad_files import CASES, SHOPIFY, checksum, order, table

SAMPLE = [
    "empty file",
    "binary junk named .csv",
    "unknown layout",
    "cut zip named .xlsx",
    "XLSX decompression bomb",
    "ODS bomb: a cell repeated 20,000 rows down and 1,000 across",
    "ODS cell of 40,000 repeated spaces",
    "ODS with LibreOffice's empty rows repeated to the last row",
    "cut in the middle of the last row",
    "1,000,000 character product name",
    "amount 1e308",
    "quantity 1e400",
    "date 9999-12-31",
    "NUL byte in a status",
    "Lazada spreadsheet date 1e308",
]
FORBIDDEN = (
    "Traceback",
    "Error:",
    "Exception",
    "something went wrong",
    "unexpected error",
    "INSERT ",
    "SELECT ",
)


async def test_the_battery_sent_to_the_bot_gets_one_clear_reply_each(desk: Desk) -> None:
    await desk.add_member(OWNER, "owner")
    cases = {c.name: c for c in CASES}
    assert len(SAMPLE) >= 8 and all(name in cases for name in SAMPLE)
    earlier = table(SHOPIFY, [order("e1"), order("e2")])  # orders a refused file must leave as they are
    mark = desk.server.mark()
    desk.server.send_document(OWNER, "earlier_orders_export.csv", earlier)
    await desk.server.wait_call(
        "editMessageText", chat_id=OWNER, after=mark, where=lambda c: c.text.startswith("✅")
    )
    for name in SAMPLE:
        case = cases[name]
        before = await checksum(desk.db)
        async with desk.db.sessions() as s:
            orders_before = await s.scalar(select(func.count()).select_from(Order))
        mark = desk.server.mark()
        desk.server.send_document(OWNER, case.file, case.data(), mime_type="application/octet-stream")
        final = await desk.server.wait_call(
            "editMessageText",
            chat_id=OWNER,
            after=mark,
            where=lambda c: c.text.startswith(("✅", "❌")),
            timeout=60,
        )
        await desk.server.wait_idle()
        sent = desk.server.calls_of("sendMessage", after=mark)
        assert len(sent) == 1, (name, [c.text for c in sent])  # the one status message, edited to the result
        text = desk.server.messages[(OWNER, final.message_id)].text
        assert text == final.text, (name, text)  # nothing edited it after the result
        assert not any(word in text for word in FORBIDDEN), (name, text)
        if case.refused:
            assert text.startswith("❌") and case.refused in text and "Nothing was changed" in text, (
                name,
                text,
            )
            assert f"{case.file}: " not in text, (
                text
            )  # the reply names the file once, not again in the reason
            assert await checksum(desk.db) == before, name
        else:
            assert text.startswith("✅"), (name, text)
            for line in case.rejected:
                assert f"line {line}" in text, (name, text)
            async with desk.db.sessions() as s:  # the battery's orders share numbers: at least none lost
                assert (await s.scalar(select(func.count()).select_from(Order)) or 0) >= (orders_before or 0)
