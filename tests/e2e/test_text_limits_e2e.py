"""End to end through the fake Bot API (which refuses what Telegram refuses): a customer whose name, notes, tags
and products are a million characters of hostile text is shown safely everywhere, the LLM request for their draft
stays small, and a long answer goes as several valid messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from storage.db import Database
from storage.models import BuyerIdentity, Customer, CustomerTag, Interaction, Order, OrderLine, Store, Tag
from storage.repositories.analytics import refresh_order_stats
from tests.e2e.conftest import OWNER, Desk
from tests.fakes.openai_server import ScriptedOpenAI
from tests.fakes.telegram_server import MAX_CAPTION, MAX_TEXT, Call, FakeTelegramServer, parse_html

BIDI_AND_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" + "".join(
    chr(c) for c in (*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))
)
# Reversed text, an isolate, controls (PostgreSQL cannot store NUL: the unit tests have it), markup that must
# stay text, an ampersand.
HOSTILE = "\u202eTan\u2066 <b>Wei</b> & Ling\x07\x1b[2J\u0085 "
PRODUCT = "\u202eSerum\u2067 <i>30ml</i> & more\x0b "
EMAIL = "tan.hostile@example.com"
PHONE = "+6591234567"


def hostile(length: int, text: str = HOSTILE) -> str:
    return (text * (length // len(text) + 1))[:length]


async def seed(db: Database, workspace_id: int, backend: str) -> int:
    """A customer with everything too long, straight into the tables (the importer would cap it). PostgreSQL
    keeps names to their column sizes; SQLite, the default, stores whatever an old import put there."""
    big = backend == "sqlite"
    async with db.sessions() as s:
        store = Store(
            workspace_id=workspace_id, platform="shopee", name="shopee-sg", country="SG", currency="SGD"
        )
        s.add(store)
        await s.flush()
        c = Customer(workspace_id=workspace_id, display_name=hostile(1_000_000 if big else 200), country="SG")
        plain = Customer(workspace_id=workspace_id, display_name="Ling Ah Kow", country="SG")
        s.add_all([c, plain])
        await s.flush()
        s.add(
            BuyerIdentity(
                workspace_id=workspace_id,
                customer_id=c.id,
                platform="shopee",
                buyer_key="hostile",
                username=hostile(255),
                name=hostile(255),
                email=EMAIL,
                phone=PHONE,
                accepts_marketing=True,
            )
        )
        for n, (cid, value) in enumerate([(c.id, "900.00"), (plain.id, "50.00")]):
            order = Order(
                workspace_id=workspace_id,
                store_id=store.id,
                platform="shopee",
                platform_order_id=f"O{n}",
                customer_id=cid,
                status="completed",
                currency="SGD",
                order_value=Decimal(value),
                value_base=Decimal(value),
                country="SG",
                created_at=datetime(2026, 10, 1, 3, tzinfo=UTC),
            )
            s.add(order)
            await s.flush()
            s.add(
                OrderLine(
                    order_id=order.id,
                    line_no=1,
                    product_name=hostile(1_000_000 if big else 500, PRODUCT),
                    quantity=1,
                )
            )
        for i in range(3):
            s.add(
                Interaction(
                    workspace_id=workspace_id,
                    customer_id=c.id,
                    kind="note",
                    body=hostile(1_000_000),
                    occurred_at=datetime(2026, 11, i + 1, tzinfo=UTC),
                )
            )
        tags = [Tag(workspace_id=workspace_id, name=hostile(64)[:60] + str(i)) for i in range(30)]
        s.add_all(tags)
        await s.flush()
        s.add_all([CustomerTag(customer_id=c.id, tag_id=t.id) for t in tags])
        await s.flush()
        await refresh_order_stats(s, [c.id, plain.id])
        await s.commit()
        return c.id


def assert_safe(call: Call, limit: int = MAX_TEXT) -> str:
    """The message Telegram accepted, as the user sees it: within the limit, no hidden or reversing characters,
    buttons within theirs."""
    assert call.status == 200
    shown = parse_html(call.text)  # the fake server parsed it too; this gives the visible text
    assert len(shown) <= limit
    assert not set(shown) & set(BIDI_AND_CONTROLS), [
        hex(ord(ch)) for ch in set(shown) & set(BIDI_AND_CONTROLS)
    ]
    for label, data in call.buttons():
        assert 0 < len(label) <= 64 and not set(label) & set(BIDI_AND_CONTROLS) and len(data.encode()) <= 64
    return shown


def refused(server: FakeTelegramServer, after: int) -> list[tuple[str, str]]:
    return [(c.method, c.text[:80]) for c in server.calls[after:] if c.status != 200]


async def test_a_customer_with_a_million_character_hostile_name_shows_everywhere(
    llm_desk: tuple[Desk, ScriptedOpenAI], backend: str
) -> None:
    desk, llm = llm_desk
    cid = await seed(desk.db, desk.workspace_id, backend)
    start = desk.server.mark()

    # The card: one message, the name shortened with an ellipsis, notes and tags shortened, markup kept as text.
    mark = desk.server.mark()
    card = await desk.say(OWNER, f"/customer #{cid}")
    shown = assert_safe(card)
    assert "Orders: 1" in shown and "900.00 SGD" in shown
    heading = shown.splitlines()[0]
    assert heading.startswith("Tan <b>Wei</b> & Ling") and "…" in heading and len(heading) <= 64 + 10
    assert shown.count("📝") == 3
    assert EMAIL not in shown and PHONE not in shown
    # The buttons go under the last part of a split message: here the first part is the last.
    assert [d for _, d in card.buttons()] == [f"ctag:{cid}", f"cnote:{cid}", f"draft:{cid}", f"remind:{cid}"]

    # Several matches: the picker's buttons.
    picker = await desk.say(OWNER, "/customer ling")
    assert_safe(picker)
    assert sorted(d for _, d in picker.buttons())[0].startswith("cust:") and len(picker.buttons()) == 2

    # The top customers table (and its chart) show the name shortened.
    top = await desk.say(OWNER, "/top")
    shown = assert_safe(top)
    assert "Tan <b>Wei</b> & L" in shown and "Ling Ah Kow" in shown
    assert max(len(line) for line in shown.splitlines()) < 80
    chart = await desk.server.wait_call("sendPhoto", chat_id=OWNER, after=mark)
    assert_safe(chart, MAX_CAPTION)

    # A draft by the LLM: a small request with no contact detail and no surname; the draft shows as valid HTML.
    reply = "Hi there, thank you so much for your order! <b>We</b> hope you love it & come back soon."
    llm.queue_json({"variants": [reply]})
    draft = await desk.say(OWNER, f"/draft #{cid} thank_you")
    shown = assert_safe(draft)
    assert reply in shown and "AI draft" in shown
    assert len(llm.requests) == 1
    body = json.dumps(llm.requests[0], ensure_ascii=False)
    assert len(body.encode()) < 16_000, len(body.encode())
    assert EMAIL not in body and PHONE not in body and "Ling" not in body
    assert not set(body) & set(BIDI_AND_CONTROLS)
    context = json.loads(llm.requests[0]["messages"][-1]["content"])["context"]
    assert "first_name" not in context  # no name to greet by: the neutral greeting
    assert context["last_items"] and all(len(item) <= 80 for item in context["last_items"])

    assert refused(desk.server, start) == []


async def test_a_long_answer_goes_as_several_valid_messages(llm_desk: tuple[Desk, ScriptedOpenAI]) -> None:
    """Whatever a handler sends passes the one request middleware: a long list is split at line breaks, a <pre>
    block closed and reopened, the buttons under the last part; a long caption continues as text; an edit is
    shortened."""
    from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

    desk, _ = llm_desk
    lines = [f"{i:4d}. <b>Lim &amp; Sons</b> 😀 {'x' * 40}" for i in range(300)]
    table = "\n".join(f"{i:4d} | {'Tan Wei Ling':<20} | {i * 10:>8}.00" for i in range(250))
    text = "<b>Every customer</b>\n\n" + "\n".join(lines) + f"\n\n<pre>{table}</pre>"
    buttons = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="▶", callback_data="pg:x:1")]])
    mark = desk.server.mark()
    last = await desk.bot.send_message(OWNER, text, reply_markup=buttons)
    calls = desk.server.calls_of("sendMessage", after=mark)
    assert len(calls) > 3 and refused(desk.server, mark) == []
    shown = [assert_safe(c) for c in calls]
    assert "\n".join(shown) == parse_html(text)
    assert [bool(c.buttons()) for c in calls] == [False] * (len(calls) - 1) + [True]
    assert last.message_id == calls[-1].message_id
    assert any(c.text.startswith("<pre>") and c.text.endswith("</pre>") for c in calls[1:])

    mark = desk.server.mark()
    caption = "<b>Revenue by month</b> " + "and more words " * 200
    await desk.bot.send_photo(OWNER, BufferedInputFile(b"png", filename="chart.png"), caption=caption)
    (photo,) = desk.server.calls_of("sendPhoto", after=mark)
    rest = desk.server.calls_of("sendMessage", after=mark)
    assert len(parse_html(photo.text)) <= MAX_CAPTION and rest and refused(desk.server, mark) == []
    assert " ".join(parse_html(c.text) for c in [photo, *rest]).rstrip() == parse_html(caption).rstrip()

    mark = desk.server.mark()
    await desk.bot.edit_message_text(text, chat_id=OWNER, message_id=last.message_id)
    (edit,) = desk.server.calls_of("editMessageText", after=mark)
    assert refused(desk.server, mark) == [] and parse_html(edit.text).endswith("…")


async def test_too_long_notes_tags_reminders_and_briefs_are_refused_with_the_limit(
    llm_desk: tuple[Desk, ScriptedOpenAI], backend: str
) -> None:
    """Typed text over a field's limit is refused with the limit (not cut silently); the question stays open, so
    the shorter text that follows is taken."""
    from sqlalchemy import select

    from crm.display import BRIEF_MAX, NOTE_MAX, REMINDER_TEXT_MAX, TAG_MAX

    desk, _ = llm_desk
    cid = await seed(desk.db, desk.workspace_id, backend)
    start = desk.server.mark()

    await desk.press(OWNER, f"cnote:{cid}", 1)
    refusal = await desk.say(OWNER, "n" * (NOTE_MAX + 1))
    assert f"at most {NOTE_MAX:,} characters" in refusal.text and f"{NOTE_MAX + 1:,}" in refusal.text
    saved = await desk.say(OWNER, "Prefers WhatsApp")
    assert "saved" in saved.text.lower()

    await desk.press(OWNER, f"ctag:{cid}", 1)
    refusal = await desk.say(OWNER, "vip, " + "t" * (TAG_MAX + 1))
    assert f"at most {TAG_MAX} characters" in refusal.text
    refusal = await desk.say(OWNER, "a, b, c, d, e, f")
    assert "At most 5 tags" in refusal.text
    tagged = await desk.say(OWNER, "vip, wholesale")
    assert "vip, wholesale" in tagged.text

    await desk.press(OWNER, f"remind:{cid}", 1)
    refusal = await desk.say(OWNER, "tomorrow 10am " + "call " * (REMINDER_TEXT_MAX // 5))
    assert f"at most {REMINDER_TEXT_MAX} characters" in refusal.text
    reminded = await desk.say(OWNER, "tomorrow 10am call back")
    assert "remind you" in reminded.text and "call back" in reminded.text

    intents = await desk.press(OWNER, f"draft:{cid}", 1)
    asked = await desk.press(OWNER, f"dri:{cid}:custom:-", intents.message_id)
    assert "What should the message say" in asked.text
    refusal = await desk.say(OWNER, "b" * (BRIEF_MAX + 1))
    assert f"at most {BRIEF_MAX} characters" in refusal.text

    async with desk.db.sessions() as s:
        notes = (
            await s.execute(
                select(Interaction.body).where(
                    Interaction.kind == "note", Interaction.body == "Prefers WhatsApp"
                )
            )
        ).all()
        tags = (await s.execute(select(Tag.name).where(Tag.name.in_(["vip", "wholesale"])))).scalars().all()
    assert len(notes) == 1 and sorted(tags) == ["vip", "wholesale"]
    assert refused(desk.server, start) == []
