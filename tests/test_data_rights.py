"""Data rights: a customer's export holds everything about them; an erasure leaves no personal data in any text
column of any table (every table is scanned), keeps every figure, and both are in the audit trail."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import JSON, String, Text, cast, or_, select

from crm.rights import CLI, Actor, erase, export_customer, record_export
from storage.db import Database
from storage.models import (
    AlertRecord,
    Base,
    BuyerIdentity,
    ConversationState,
    Customer,
    ImportLog,
    ImportRejection,
    Interaction,
    Order,
    OutreachDraft,
    Reminder,
    Store,
    TeamMember,
)
from storage.repositories import audit

NAME = "Wong Mei Xuan"
ZH_NAME = "黄美璇"
EMAIL = "meixuan.wong@example.com"
PHONE = "+6591234567"
OTHER = "Lim Boon Keng"
PII = [NAME, ZH_NAME, EMAIL, PHONE, "meixuan_w", "buyer-wmx-77"]


async def _shop(db: Database, workspace_id: int) -> tuple[int, int]:
    """One customer with a merged second record, orders, contact, drafts, reminders, a rejected import row and a
    conversation that mention them; one other customer who must keep everything."""
    now = datetime(2026, 11, 20, tzinfo=UTC)
    async with db.sessions() as s:
        store = Store(
            workspace_id=workspace_id, platform="shopify", name="main", country="SG", currency="SGD"
        )
        member = TeamMember(workspace_id=workspace_id, telegram_user_id=1001, name="Owner", role="owner")
        keep = Customer(
            workspace_id=workspace_id, display_name=NAME, country="SG", note=f"VIP, wife of {OTHER}"
        )
        other = Customer(
            workspace_id=workspace_id, display_name=OTHER, country="SG", note=f"husband of {NAME}"
        )
        s.add_all([store, member, keep, other])
        await s.flush()
        merged = Customer(
            workspace_id=workspace_id, display_name=ZH_NAME, country="SG", merged_into_id=keep.id
        )
        s.add(merged)
        await s.flush()
        idents = [
            BuyerIdentity(
                workspace_id=workspace_id,
                customer_id=keep.id,
                platform="shopify",
                buyer_key=EMAIL,
                name=NAME,
                email=EMAIL,
                email_norm=EMAIL,
                phone=PHONE,
                phone_norm=PHONE[1:],
            ),
            BuyerIdentity(
                workspace_id=workspace_id,
                customer_id=keep.id,
                platform="shopee",
                buyer_key="buyer-wmx-77",
                username="meixuan_w",
                name=ZH_NAME,
            ),
            BuyerIdentity(
                workspace_id=workspace_id,
                customer_id=other.id,
                platform="shopify",
                buyer_key="lbk@example.com",
                name=OTHER,
                email="lbk@example.com",
            ),
        ]
        s.add_all(idents)
        await s.flush()
        for i, (cid, ident, value) in enumerate(
            [(keep.id, idents[0], "40.00"), (keep.id, idents[1], "60.00"), (other.id, idents[2], "25.00")]
        ):
            s.add(
                Order(
                    workspace_id=workspace_id,
                    store_id=store.id,
                    platform=ident.platform,
                    platform_order_id=f"#{1000 + i}",
                    identity_id=ident.id,
                    customer_id=cid,
                    status="completed",
                    currency="SGD",
                    order_value=Decimal(value),
                    value_base=Decimal(value),
                    country="SG",
                    created_at=now - timedelta(days=10 * i),
                )
            )
        log = ImportLog(workspace_id=workspace_id, file_name="orders.csv", status="done")
        s.add(log)
        await s.flush()
        s.add_all(
            [
                Interaction(
                    workspace_id=workspace_id,
                    customer_id=keep.id,
                    kind="complaint",
                    body=f"{NAME} says parcel late, call {PHONE}",
                    occurred_at=now,
                ),
                Interaction(
                    workspace_id=workspace_id,
                    customer_id=other.id,
                    kind="note",
                    body=f"asked about {NAME}'s order",
                    occurred_at=now,
                ),
                OutreachDraft(
                    workspace_id=workspace_id,
                    customer_id=keep.id,
                    intent="winback",
                    language="en",
                    text=f"Hi {NAME}, we miss you",
                    source="template",
                    request={"brief": f"for {ZH_NAME}"},
                ),
                Reminder(
                    workspace_id=workspace_id,
                    member_id=member.id,
                    chat_id=1001,
                    customer_id=keep.id,
                    text=f"call {NAME}",
                    due_at=now,
                    timezone="Asia/Singapore",
                ),
                Reminder(
                    workspace_id=workspace_id,
                    member_id=member.id,
                    chat_id=1001,
                    customer_id=None,
                    text=f"check {EMAIL} refund",
                    due_at=now,
                    timezone="Asia/Singapore",
                ),
                AlertRecord(
                    workspace_id=workspace_id,
                    kind="churn",
                    subject=str(keep.id),
                    customer_id=keep.id,
                    detail={"name": ZH_NAME},
                    sent_at=now,
                ),
                ImportRejection(import_id=log.id, line_no=7, order_ref="#9", reason=f"bad date for {EMAIL}"),
                ConversationState(key="1:1001:1001", state="note", data={"draft": f"about {NAME}"}),
            ]
        )
        await s.commit()
        return keep.id, other.id


async def _text_holding(db: Database, words: list[str]) -> list[str]:
    """Every (table.column) value in the whole database that holds one of `words`, case-insensitively."""
    found = []
    async with db.sessions() as s:
        for table in Base.metadata.sorted_tables:
            for col in table.columns:
                if not isinstance(col.type, String | Text | JSON):
                    continue
                target = cast(col, String) if isinstance(col.type, JSON) else col
                spelt = set(words) | {json.dumps(w)[1:-1] for w in words}
                hits = (
                    await s.execute(select(target).where(or_(*(target.ilike(f"%{w}%") for w in spelt))))
                ).all()
                found += [f"{table.name}.{col.name}: {h[0]!r}"[:200] for h in hits]
    return found


async def _revenue(db: Database, workspace_id: int) -> Decimal:
    async with db.sessions() as s:
        values = (await s.scalars(select(Order.value_base).where(Order.workspace_id == workspace_id))).all()
    return sum(values, Decimal(0))


async def test_an_export_holds_everything_about_the_customer(db: Database, workspace_id: int) -> None:
    keep, _other = await _shop(db, workspace_id)
    export = await export_customer(db, workspace_id, keep)
    assert export is not None
    await record_export(db, workspace_id, export, CLI)
    assert export is not None and export.json_name == f"customer-{keep}.json"
    body = json.loads(export.json)
    tables = body["tables"]
    assert {c["display_name"] for c in tables["customer"]} == {NAME, ZH_NAME}  # the merged record too
    assert {i["email"] for i in tables["buyer_identities"]} == {EMAIL, None}
    assert len(tables["orders"]) == 2 and len(tables["interactions"]) == 1 and len(tables["reminders"]) == 1
    assert OTHER not in {c["display_name"] for c in tables["customer"]}
    lines = list(csv.reader(io.StringIO(export.csv.decode("utf-8-sig"))))
    assert lines[0] == ["table", "row", "field", "value"]
    assert ["buyer_identities", "1", "email", EMAIL] in lines
    assert export.rows == sum(len(v) for v in tables.values())
    async with db.sessions() as s:
        (entry,) = await audit.recent(s, workspace_id)
    assert (entry.action, entry.subject, entry.actor) == ("exported", f"customer:{keep}", "cli")
    assert await export_customer(db, workspace_id, 999_999) is None


async def test_an_erased_customer_leaves_no_personal_data_anywhere_and_every_figure_stays(
    db: Database, workspace_id: int
) -> None:
    keep, other = await _shop(db, workspace_id)
    assert len(await _text_holding(db, PII)) > 10  # the scan finds what is there
    before = await _revenue(db, workspace_id)
    async with db.sessions() as s:
        owner = (await s.scalars(select(TeamMember.id))).one()
    done = await erase(db, workspace_id, keep, Actor("telegram", owner))
    assert done is not None and done.customer_ids == [keep, keep + 2]  # with the record merged into them
    assert done.cleared["customers"] == 2 and done.cleared["buyer_identities"] == 2
    assert done.mentions["customers"] == 1 and done.mentions["reminders"] == 1  # others' text about them

    assert await _text_holding(db, PII) == []
    assert await _revenue(db, workspace_id) == before  # orders stay, without a person
    async with db.sessions() as s:
        other_row = await s.get(Customer, other)
        assert other_row is not None and other_row.display_name == OTHER  # someone else keeps their name
        assert other_row.note == "husband of [erased]"  # ... and only the mention of the erased one goes
        ident = (await s.scalars(select(BuyerIdentity).where(BuyerIdentity.customer_id == keep))).first()
        assert ident is not None and ident.buyer_key.startswith("erased:")
        (entry,) = await audit.recent(s, workspace_id, action="erased")
    assert entry.member == "Owner" and entry.subject == f"customer:{keep}"
    assert not any(w.lower() in json.dumps(entry.detail).lower() for w in PII)  # the trail names no one
    assert await erase(db, workspace_id, 999_999, CLI) is None


async def test_re_importing_an_old_export_does_not_bring_an_erased_customer_back(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    from bot.cli_import import format_report
    from bot.settings import Settings
    from crm.importing.service import import_file
    from tests.e2e.conftest import shopify_csv

    settings = Settings(
        workspace={"name": "Test shop", "base_currency": "SGD", "timezone": "Asia/Singapore"}
    ).workspace.for_import()
    orders = shopify_csv(
        tmp_path / "orders.csv",
        [
            ("#2001", NAME, EMAIL, "40.00", "2026-11-01 10:00:00 +0800", "paid"),
            ("#2002", OTHER, "lbk@example.com", "25.00", "2026-11-02 10:00:00 +0800", "paid"),
            ("#2003", NAME, EMAIL, "60.00", "2026-11-10 10:00:00 +0800", "paid"),
        ],
    )
    chats = tmp_path / "interactions.csv"
    chats.write_text(
        "platform,buyer_key,kind,occurred_at,rating,body\n"
        f"shopify,{EMAIL},chat,2026-11-11 10:00:00,,where is my parcel? {NAME}\n"
        "shopify,lbk@example.com,review,2026-11-12 10:00:00,5,great\n",
        encoding="utf-8",
    )
    await import_file(db, workspace_id, orders, settings=settings)
    await import_file(db, workspace_id, chats, settings=settings)
    async with db.sessions() as s:
        target = (await s.scalars(select(Customer.id).where(Customer.display_name == NAME))).one()
        customers_before = len((await s.scalars(select(Customer.id))).all())
    before = await _revenue(db, workspace_id)
    assert await erase(db, workspace_id, target, CLI) is not None
    words = [NAME, EMAIL]
    assert await _text_holding(db, words) == []

    again = await import_file(db, workspace_id, orders, settings=settings)
    assert again.erased_rows == 2 and again.rows == 1 and again.customers_new == 0
    assert any("skipped 2 rows of customers erased on request" in line for line in format_report(again))
    chats_again = await import_file(db, workspace_id, chats, settings=settings)
    assert chats_again.erased_rows == 1 and chats_again.rejected == []  # never named in a rejection
    assert await _text_holding(db, words) == []  # nothing of theirs came back, in any table
    assert await _revenue(db, workspace_id) == before  # and every figure stays
    async with db.sessions() as s:
        assert len((await s.scalars(select(Customer.id))).all()) == customers_before
        kept = (await s.scalars(select(Customer.display_name).where(Customer.id != target))).all()
    assert OTHER in kept  # the other buyer imports as before
