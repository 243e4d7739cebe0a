"""End to end through the fake Bot API: the owner exports and erases a customer and reads the audit trail; an
agent is refused all three."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from sqlalchemy import select

from handlers.rights import EraseCB
from storage.models import AuditEvent, BuyerIdentity, ConsentRecord, Customer
from tests.e2e.conftest import OWNER, Desk

AGENT = 3202
EMAIL = "siti.rahman@example.com"


async def _customer(desk: Desk) -> int:
    async with desk.db.sessions() as s:
        c = Customer(workspace_id=desk.workspace_id, display_name="Siti Rahman", country="MY")
        s.add(c)
        await s.flush()
        s.add(
            BuyerIdentity(
                workspace_id=desk.workspace_id,
                customer_id=c.id,
                platform="shopify",
                buyer_key=EMAIL,
                name="Siti Rahman",
                email=EMAIL,
                email_norm=EMAIL,
            )
        )
        await s.commit()
        return c.id


async def test_the_owner_exports_and_erases_a_customer_and_an_agent_may_not(desk: Desk) -> None:
    await desk.add_member(OWNER, "owner")
    await desk.add_member(AGENT, "agent")
    cid = await _customer(desk)

    for command in (f"/export {cid}", f"/erase {cid}", "/audit"):
        refused = await desk.say(AGENT, command)
        assert "owner" in refused.text, command

    mark = desk.server.mark()
    desk.server.send_text(OWNER, f"/export {cid}")
    first = await desk.server.wait_call("sendDocument", chat_id=OWNER, after=mark)
    second = await desk.server.wait_call(
        "sendDocument", chat_id=OWNER, after=mark, where=lambda c: c is not first
    )
    (json_name, body), (csv_name, table) = [next(iter(c.files.values())) for c in (first, second)]
    assert (json_name, csv_name) == (f"customer-{cid}.json", f"customer-{cid}.csv")
    assert json.loads(body)["tables"]["buyer_identities"][0]["email"] == EMAIL and EMAIL.encode() in table

    async with desk.db.sessions() as s:  # she opted out in chat, then opted in again through an import
        for day, granted, channel, source in ((3, False, "telegram", "chat"), (9, True, "email", "shopify")):
            s.add(
                ConsentRecord(
                    workspace_id=desk.workspace_id,
                    customer_id=cid,
                    purpose="marketing",
                    granted=granted,
                    channel=channel,
                    source=source,
                    recorded_at=datetime(2026, 11, day, 4, tzinfo=UTC),
                )
            )
        await s.commit()
    card = await desk.say(OWNER, "/customer Siti")  # reading a card is in the trail too
    assert "Siti Rahman" in card.text
    assert "Consent history (newest first):" in card.text
    granted = card.text.index("2026-11-09 · marketing · granted · channel email · source shopify")
    assert granted < card.text.index("2026-11-03 · marketing · withdrawn · channel telegram · source chat")

    asked = await desk.say(OWNER, f"/erase {cid}")
    assert "cannot be undone" in asked.text and asked.params.get("reply_markup")
    done = await desk.press(OWNER, EraseCB(customer_id=cid, go=True).pack(), asked.result["message_id"])
    assert f"#{cid} erased" in done.text
    async with desk.db.sessions() as s:
        assert (await s.get(Customer, cid)).display_name is None  # type: ignore[union-attr]
        ident = (await s.scalars(select(BuyerIdentity))).one()
        assert ident.email is None and ident.name is None
    card = await desk.say(OWNER, f"/customer #{cid}")  # the erasure is the newest consent record
    history = card.text[card.text.index("Consent history") :].splitlines()
    assert "marketing · withdrawn · channel — · source erasure on request" in history[1], card.text

    trail = await desk.say(OWNER, "/audit")
    assert all(w in trail.text for w in ("erased", "viewed", "exported", f"customer:{cid}"))
    acts = [w for line in trail.text.splitlines() for w in ("viewed", "erased", "exported") if w in line]
    assert acts == ["viewed", "erased", "viewed", "exported"]  # newest first
    viewed = next(line for line in trail.text.splitlines() if "viewed" in line)
    assert f"User{OWNER}" in viewed  # who did it, by name, also where the act knew only their Telegram id
    assert EMAIL not in trail.text and "Siti" not in trail.text


async def test_a_card_asked_for_in_plain_words_is_in_the_trail(desk: Desk) -> None:
    """A question that shows one customer's card is a view of their data, as /customer is."""
    await desk.add_member(OWNER, "owner")
    cid = await _customer(desk)
    card = await desk.say(OWNER, "who is Siti Rahman")
    assert "Siti Rahman" in card.text
    acts: list[tuple[str, str | None]] = []
    for _ in range(100):  # recorded right after the card is sent, as /customer does
        async with desk.db.sessions() as s:
            acts = [tuple(a) for a in (await s.execute(select(AuditEvent.action, AuditEvent.subject))).all()]
        if acts:
            break
        await asyncio.sleep(0.05)
    assert ("viewed", f"customer:{cid}") in acts
