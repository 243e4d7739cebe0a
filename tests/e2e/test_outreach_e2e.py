"""End to end through the fake Bot API: outreach drafts from the card, /draft, plain words and segments."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import select

from storage.models import Interaction, OutreachDraft
from tests.e2e.conftest import OWNER, SHOPIFY_HEADER, Desk
from tests.fakes.openai_server import ScriptedOpenAI

AGENT = 8008
VIEWER = 9009

# (order, buyer, email, total, created at, country, accepts marketing)
ORDERS = [
    ("#2001", "Tan Wei Ling", "weiling@example.com", "120.50", "2026-10-01 10:00:00 +0800", "SG", "yes"),
    ("#2002", "Tan Wei Ling", "weiling@example.com", "80.00", "2026-11-02 10:00:00 +0800", "SG", "yes"),
    ("#2003", "Tan Ah Kow", "ahkow@example.com", "35.00", "2026-11-03 10:00:00 +0800", "SG", "yes"),
    ("#2004", "Lim Mei Hua", "meihua@example.com", "60.00", "2026-11-04 10:00:00 +0800", "SG", "no"),
]
# important_winback = an old, single, big order (R low, F low, M high); the small recent buyers set the means.
SEGMENT_ORDERS = [
    ("#3001", "Somchai Thongdee", "somchai@example.com", "500.00", "2026-03-01 10:00:00 +0700", "TH", "yes"),
    ("#3002", "Malee Srisuk", "malee@example.com", "400.00", "2026-04-01 10:00:00 +0700", "TH", "yes"),
    ("#3003", "Niran Kaew", "niran@example.com", "450.00", "2026-03-15 10:00:00 +0700", "TH", "no"),
    ("#3004", "Siti Rahman", "siti@example.com", "420.00", "2026-03-20 10:00:00 +0800", "MY", "yes"),
    *[
        (
            f"#31{i:02d}",
            "Regular Buyer",
            "regular@example.com",
            "20.00",
            f"2026-11-{i + 1:02d} 10:00:00 +0800",
            "SG",
            "yes",
        )
        for i in range(1, 6)
    ],
    ("#3200", "Small Recent", "small@example.com", "30.00", "2026-11-13 10:00:00 +0800", "SG", "yes"),
]


def orders_csv(path: Path, orders: list[tuple[str, ...]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(SHOPIFY_HEADER)
        for name, buyer, email, total, created, country, marketing in orders:
            row = dict.fromkeys(SHOPIFY_HEADER, "")
            row.update(
                {
                    "Name": name,
                    "Email": email,
                    "Financial Status": "paid",
                    "Fulfillment Status": "fulfilled",
                    "Accepts Marketing": marketing,
                    "Currency": "SGD",
                    "Subtotal": total,
                    "Total": total,
                    "Created at": created,
                    "Lineitem quantity": "1",
                    "Lineitem name": "Serum",
                    "Lineitem price": total,
                    "Lineitem sku": "SER",
                    "Billing Name": buyer,
                    "Billing Country": country,
                    "Shipping Country": country,
                }
            )
            writer.writerow([row[h] for h in SHOPIFY_HEADER])
    return path


async def load(desk: Desk, path: Path) -> None:
    mark = desk.server.mark()
    desk.server.send_document(OWNER, path.name, path.read_bytes())
    done = await desk.server.wait_call(
        "editMessageText", chat_id=OWNER, after=mark, where=lambda c: c.text.startswith(("✅", "❌"))
    )
    assert done.text.startswith("✅"), done.text


async def customer_id_of(desk: Desk, email: str) -> int:
    card = await desk.say(OWNER, f"/customer {email}")
    return int(next(data for _, data in card.buttons() if data.startswith("draft:")).split(":")[1])


def draft_id_of(call: object) -> int:
    buttons = call.buttons()  # type: ignore[attr-defined]
    return int(next(data for _, data in buttons if data.startswith("drb:approve:")).split(":")[2])


async def test_card_button_draft_shorter_edit_approve_and_follow_up(desk: Desk, tmp_path: Path) -> None:
    await desk.add_member(OWNER, "owner")
    await desk.add_member(AGENT, "agent")
    await load(desk, orders_csv(tmp_path / "orders_export.csv", ORDERS))
    cid = await customer_id_of(desk, "weiling@example.com")

    intents = await desk.press(AGENT, f"draft:{cid}", 1, chat_id=AGENT)
    datas = [data for _, data in intents.buttons()]
    assert f"dri:{cid}:winback:-" in datas and len(datas) == 9
    draft = await desk.press(AGENT, f"dri:{cid}:thank_you:-", intents.message_id, chat_id=AGENT)
    assert "Tan Wei Ling" in draft.text and "Thank-you" in draft.text and "English" in draft.text
    labels = [text for text, _ in draft.buttons()]
    assert labels == ["🔄 Regenerate", "✂️ Shorter", "🎩 More formal", "🌐 Translate", "✏️ Edit", "✅ Approve"]
    first_id = draft_id_of(draft)

    shorter = await desk.press(
        AGENT, f"drb:shorter:{first_id}", draft.message_id, chat_id=AGENT, method="editMessageText"
    )
    short_id = draft_id_of(shorter)
    assert short_id != first_id and shorter.message_id == draft.message_id

    translate = await desk.press(
        AGENT, f"drb:translate:{short_id}", draft.message_id, chat_id=AGENT, method="editMessageReplyMarkup"
    )
    langs = [data for _, data in translate.buttons()]
    assert f"drl:{short_id}:zh" in langs and f"drl:{short_id}:en" not in langs  # not the draft's own language
    chinese = await desk.press(
        AGENT, f"drl:{short_id}:zh", draft.message_id, chat_id=AGENT, method="editMessageText"
    )
    assert "中文" in chinese.text
    zh_id = draft_id_of(chinese)

    asked = await desk.press(AGENT, f"drb:edit:{zh_id}", draft.message_id, chat_id=AGENT)
    assert "replaces the draft" in asked.text
    edited = await desk.say(AGENT, "亲爱的 Wei Ling，谢谢你一直以来的支持！")
    assert "谢谢你一直以来的支持" in edited.text and draft_id_of(edited) == zh_id

    mark = desk.server.mark()
    desk.server.press(AGENT, f"drb:approve:{zh_id}", message_id=edited.message_id, chat_id=AGENT)
    approved = await desk.server.wait_call(
        "sendMessage", chat_id=AGENT, after=mark, where=lambda c: "Approved" in c.text
    )
    assert "Tan Wei Ling" in approved.text
    assert approved.buttons() == [("⏰ Remind me to follow up", f"remind:{cid}")]
    assert (
        desk.server.messages[(AGENT, edited.message_id)].reply_markup is None
    )  # no buttons on an approved draft

    follow_up = await desk.press(AGENT, f"remind:{cid}", approved.message_id, chat_id=AGENT)
    assert "Tan Wei Ling" in follow_up.text  # handlers/reminders.py asks when

    async with desk.db.sessions() as s:
        outreach = (
            (await s.execute(select(Interaction).where(Interaction.kind == "outreach"))).scalars().all()
        )
        rows = {r.id: r for r in (await s.execute(select(OutreachDraft))).scalars().all()}
    assert [(i.customer_id, i.body, i.language) for i in outreach] == [
        (cid, "亲爱的 Wei Ling，谢谢你一直以来的支持！", "zh")
    ]
    assert rows[zh_id].status == "approved" and rows[first_id].status == "draft"
    assert {rows[first_id].language, rows[short_id].language, rows[zh_id].language} == {"en", "zh"}


async def test_draft_command_refuses_opted_out_and_checks_roles(desk: Desk, tmp_path: Path) -> None:
    await desk.add_member(OWNER, "owner")
    await desk.add_member(VIEWER, "viewer")
    await load(desk, orders_csv(tmp_path / "orders_export.csv", ORDERS))

    usage = await desk.say(OWNER, "/draft")
    assert "/draft CUSTOMER" in usage.text

    refused = await desk.say(OWNER, "/draft Lim Mei Hua winback")
    assert "⛔" in refused.text and "Lim Mei Hua" in refused.text
    assert "no marketing consent" in refused.text or "opted out" in refused.text  # the reason is shown
    assert refused.buttons() == []
    service_note = await desk.say(OWNER, "/draft meihua@example.com review_request ms")
    assert "Bahasa Melayu" in service_note.text and draft_id_of(service_note)  # service messages are allowed

    several = await desk.say(OWNER, "/draft Tan winback th")
    picks = [data for _, data in several.buttons()]
    assert len(picks) == 2 and all(p.startswith("drp:") and p.endswith(":winback:th") for p in picks)
    thai = await desk.press(OWNER, picks[0], several.message_id)
    assert "ไทย" in thai.text and "Win-back" in thai.text

    no_intent = await desk.say(OWNER, "/draft Tan Ah Kow")  # which kind of message?
    assert len(no_intent.buttons()) == 9 and all(d.startswith("dri:") for _, d in no_intent.buttons())

    nobody = await desk.say(OWNER, "/draft Nobody Here winback")
    assert "Nobody Here" in nobody.text

    denied = await desk.say(VIEWER, "/draft Tan winback")
    assert "agent" in denied.text

    async with desk.db.sessions() as s:
        statuses = sorted(
            (r.intent, r.status) for r in (await s.execute(select(OutreachDraft))).scalars().all()
        )
    assert statuses == [("review_request", "draft"), ("winback", "draft"), ("winback", "refused")]


async def test_plain_language_draft_requests_in_chinese_and_english(desk: Desk, tmp_path: Path) -> None:
    await desk.add_member(OWNER, "owner", language="zh")
    await load(desk, orders_csv(tmp_path / "orders_export.csv", ORDERS))

    zh = await desk.say(OWNER, "给 Tan Wei Ling 写一条感谢消息")
    assert "Tan Wei Ling" in zh.text and "感谢 / VIP" in zh.text
    assert [text for text, _ in zh.buttons()][:2] == ["🔄 重新生成", "✂️ 更短"]

    en = await desk.say(OWNER, "draft a win-back for Tan in Thai")
    picks = [data for _, data in en.buttons()]
    assert len(picks) == 2 and all(p.endswith(":winback:th") for p in picks)  # two Tans: which one?
    thai = await desk.press(OWNER, picks[0], en.message_id)
    assert "ไทย" in thai.text and draft_id_of(thai)


async def test_the_offer_written_in_a_request_goes_into_the_draft(desk: Desk, tmp_path: Path) -> None:
    """Coupon, discount and expiry typed with the request reach the draft (plain words, after picking a
    customer, and /draft); they are not read as part of the customer's name."""
    await desk.add_member(OWNER, "owner", language="en")
    await load(desk, orders_csv(tmp_path / "orders_export.csv", ORDERS))

    one = await desk.say(OWNER, "draft a thank-you for Tan Wei Ling with code VIP10, 10% off until 30 Nov")
    assert "VIP10" in one.text and "10% off" in one.text and "Tan Wei Ling" in one.text

    picks = await desk.say(OWNER, "draft a win-back for Tan with coupon BACK5 RM5 off")
    assert len(picks.buttons()) == 2  # two Tans
    picked = await desk.press(OWNER, picks.buttons()[0][1], picks.message_id)
    assert "BACK5" in picked.text and "RM5 off" in picked.text

    cmd = await desk.say(OWNER, "/draft meihua@example.com review code THANKS3")
    assert "THANKS3" in cmd.text
    async with desk.db.sessions() as s:
        rows = (await s.execute(select(OutreachDraft).order_by(OutreachDraft.id))).scalars().all()
    assert [(r.request or {}).get("coupon") for r in rows] == ["VIP10", "BACK5", "THANKS3"]
    assert rows[0].request["expires"] == "2026-11-30" and rows[0].request["discount"] == "10% off"


async def test_segment_draft_sends_templates_and_a_recipient_csv(desk: Desk, tmp_path: Path) -> None:
    await desk.add_member(OWNER, "owner")
    await load(desk, orders_csv(tmp_path / "orders_export.csv", SEGMENT_ORDERS))

    mark = desk.server.mark()
    desk.server.send_text(OWNER, "draft a win-back for all important_winback customers in Thailand")
    doc = await desk.server.wait_call("sendDocument", chat_id=OWNER, after=mark)
    texts = desk.server.sent_texts(OWNER, after=mark)
    assert any(
        "important_winback" in t and "2 recipients" in t and "no marketing consent: 1" in t for t in texts
    ), texts
    assert sum("Template · ไทย" in t for t in texts) == 1 and any("{first_name}" in t for t in texts)
    ((name, content),) = doc.files.values()
    assert name.startswith("recipients_important_winback_") and name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    assert sorted(r["name"] for r in rows) == ["Malee Srisuk", "Somchai Thongdee"]
    assert {r["language"] for r in rows} == {"th"} and "email" not in rows[0]

    mark = desk.server.mark()
    desk.server.send_text(OWNER, "/draft segment important_winback winback")
    doc = await desk.server.wait_call("sendDocument", chat_id=OWNER, after=mark)
    texts = desk.server.sent_texts(OWNER, after=mark)
    assert sum(t.startswith("<b>Template · ") for t in texts) == 2  # Thai and Malay
    ((_, content),) = doc.files.values()
    assert sorted(r["name"] for r in csv.DictReader(io.StringIO(content.decode("utf-8")))) == [
        "Malee Srisuk",
        "Siti Rahman",
        "Somchai Thongdee",
    ]


async def test_the_dispatchers_llm_writes_the_draft_and_regenerates_it(
    llm_desk: tuple[Desk, ScriptedOpenAI], tmp_path: Path
) -> None:
    """The model handed to the dispatcher (`llm`) drafts; no contact detail reaches it."""
    desk, llm_server = llm_desk
    await load(desk, orders_csv(tmp_path / "orders_export.csv", ORDERS))
    first = "Hi Wei Ling, thank you so much for shopping with us again. We truly appreciate your support!"
    second = "Dear Wei Ling, a big thank you from all of us for being such a loyal customer."
    llm_server.queue_json({"variants": [first, "Hi Wei Ling, thanks a lot for your two lovely orders!"]})
    draft = await desk.say(OWNER, "/draft weiling@example.com thank_you")
    assert "AI draft" in draft.text and first in draft.text
    llm_server.queue_json({"variants": [second]})
    again = await desk.press(
        OWNER, f"drb:regenerate:{draft_id_of(draft)}", draft.message_id, method="editMessageText"
    )
    assert second in again.text and draft_id_of(again) != draft_id_of(draft)
    assert len(llm_server.requests) == 2
    sent = json.dumps(llm_server.requests, ensure_ascii=False)
    assert "weiling@example.com" not in sent and "Tan Wei Ling" not in sent


async def test_an_approved_draft_arrives_clean_to_copy_and_the_consent_note_stays(
    desk: Desk, tmp_path: Path
) -> None:
    """No consent on record: the note is on the draft, on the regenerated version and in the approval; the
    approved message itself comes alone, as plain text, so a long-press copy is exactly what to send."""
    await desk.add_member(OWNER, "owner")
    await load(
        desk,
        orders_csv(
            tmp_path / "orders_export.csv",
            [
                (
                    "#4001",
                    "Wong Mei Ling",
                    "meiling@example.com",
                    "75.00",
                    "2026-11-10 10:00:00 +0800",
                    "SG",
                    "",
                )
            ],
        ),
    )
    note = "no marketing consent on record"

    draft = await desk.say(OWNER, "/draft meiling@example.com thank_you")
    assert note in draft.text and "Wong Mei Ling" in draft.text
    again = await desk.press(
        OWNER, f"drb:regenerate:{draft_id_of(draft)}", draft.message_id, method="editMessageText"
    )
    assert note in again.text
    new_id = draft_id_of(again)
    assert new_id != draft_id_of(draft)

    mark = desk.server.mark()
    desk.server.press(OWNER, f"drb:approve:{new_id}", message_id=draft.message_id, chat_id=OWNER)
    confirmation = await desk.server.wait_call(
        "sendMessage", chat_id=OWNER, after=mark, where=lambda c: "Approved" in c.text
    )
    sent = desk.server.calls_of("sendMessage", after=mark)
    assert len(sent) == 2 and sent[1] is confirmation  # the message to copy, then the confirmation
    body = sent[0]
    async with desk.db.sessions() as s:
        text = (await s.execute(select(OutreachDraft.text).where(OutreachDraft.id == new_id))).scalar_one()
    assert body.text == text and body.params.get("parse_mode") is None and body.buttons() == []
    assert note not in body.text and "Wong Mei Ling ·" not in body.text and "✉️" not in body.text
    # The confirmation: who, what, which language, and the consent note; the follow-up button.
    assert "Wong Mei Ling" in confirmation.text and "Thank-you" in confirmation.text
    assert "English" in confirmation.text and note in confirmation.text
    assert [label for label, _ in confirmation.buttons()] == ["⏰ Remind me to follow up"]
    assert desk.server.messages[(OWNER, draft.message_id)].reply_markup is None
