"""End to end through the fake Bot API: the owner exports and erases a customer and reads the audit trail; an
agent is refused all three."""

from __future__ import annotations

import json

from sqlalchemy import select

from handlers.rights import EraseCB
from storage.models import BuyerIdentity, Customer
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

    card = await desk.say(OWNER, "/customer Siti")  # reading a card is in the trail too
    assert "Siti Rahman" in card.text

    asked = await desk.say(OWNER, f"/erase {cid}")
    assert "cannot be undone" in asked.text and asked.params.get("reply_markup")
    done = await desk.press(OWNER, EraseCB(customer_id=cid, go=True).pack(), asked.result["message_id"])
    assert f"#{cid} erased" in done.text
    async with desk.db.sessions() as s:
        assert (await s.get(Customer, cid)).display_name is None  # type: ignore[union-attr]
        ident = (await s.scalars(select(BuyerIdentity))).one()
        assert ident.email is None and ident.name is None

    trail = await desk.say(OWNER, "/audit")
    assert all(w in trail.text for w in ("erased", "viewed", "exported", f"customer:{cid}"))
    assert (
        trail.text.index("erased") < trail.text.index("viewed") < trail.text.index("exported")
    )  # newest first
    viewed = next(line for line in trail.text.splitlines() if "viewed" in line)
    assert f"User{OWNER}" in viewed  # who did it, by name, also where the act knew only their Telegram id
    assert EMAIL not in trail.text and "Siti" not in trail.text
