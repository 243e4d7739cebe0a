"""Finding a customer from what a seller types (one search for the CLI, the console and Telegram)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import BuyerIdentity, Customer, Order, Store
from storage.repositories.analytics import find_customers
from storage.repositories.customer_desk import search_customers

PEOPLE = [  # display name, platform username, e-mail, E.164 phone
    ("Tan Wei Ling", "tanwl", "weiling@example.com", "+6591234567"),
    ("Tan Ah Kow", "ahkow88", None, None),
    ("Kanokwan Rattanakorn", "kanok", None, "+66812345678"),
    ("王 小明", None, "xiaoming@example.cn", "+8613800138000"),
    ("Megan Martin", "megm", None, "+14155550110"),
]


@pytest.fixture
async def people(db: Database, workspace_id: int) -> dict[str, int]:
    async with db.sessions() as s:
        store = Store(workspace_id=workspace_id, platform="shopify", name="shopify")
        s.add(store)
        ids = {}
        for i, (name, user, email, phone) in enumerate(PEOPLE):
            c = Customer(workspace_id=workspace_id, display_name=name)
            s.add(c)
            await s.flush()
            ident = BuyerIdentity(
                workspace_id=workspace_id,
                customer_id=c.id,
                platform="shopify",
                buyer_key=f"k{i}",
                username=user,
                name=name,
                email=email,
                email_norm=email,
                phone=phone,
                phone_norm=phone,
            )
            s.add(ident)
            await s.flush()
            s.add(
                Order(
                    workspace_id=workspace_id,
                    store_id=store.id,
                    platform="shopify",
                    platform_order_id=f"#{1001 + i}",
                    identity_id=ident.id,
                    customer_id=c.id,
                    status="paid",
                    currency="SGD",
                    order_value=Decimal(10),
                    value_base=Decimal(10),
                    created_at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            )
            ids[name] = c.id
        await s.commit()
    return ids


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("+65 9123 4567", ["Tan Wei Ling"]),
        ("6591234567", ["Tan Wei Ling"]),
        ("9123 4567", ["Tan Wei Ling"]),
        ("+1 415 555 0110", ["Megan Martin"]),
        ("(415) 555-0110", ["Megan Martin"]),
        ("4155550110", ["Megan Martin"]),
        ("WeiLing@Example.com", ["Tan Wei Ling"]),
        ("@tanwl", ["Tan Wei Ling"]),
        ("#1002", ["Tan Ah Kow"]),
        ("Tan", ["Tan Ah Kow", "Tan Wei Ling"]),  # a word of the name starts with it: not Rattanakorn
        ("wei", ["Tan Wei Ling"]),
        ("rattana", ["Kanokwan Rattanakorn"]),
        ("王小明", ["王 小明"]),
        ("小明", ["王 小明"]),  # Chinese names match anywhere, spaces ignored
        ("nobody", []),
    ],
)
async def test_search(
    db: Database, workspace_id: int, people: dict[str, int], typed: str, who: list[str]
) -> None:
    async with db.sessions() as s:
        hits = await search_customers(s, workspace_id, typed)
        assert [h.name for h in hits] == who
        assert await find_customers(s, workspace_id, typed) == [h.id for h in hits]


async def test_customer_id_and_exact_matches_win_over_names(
    db: Database, workspace_id: int, people: dict[str, int]
) -> None:
    async with db.sessions() as s:
        cid = people["Megan Martin"]
        assert [h.id for h in await search_customers(s, workspace_id, f"#{cid}")] == [cid]
        assert [h.id for h in await search_customers(s, workspace_id, str(cid))] == [cid]


async def test_hash_id_is_the_customer_even_when_an_order_has_that_name(
    db: Database, workspace_id: int, people: dict[str, int]
) -> None:
    """The bot shows customers as "Name (#id)": typing "#id" back finds that customer, not the buyer of a Shopify
    order that happens to be named "#id" (which is still found by its order name when no customer has the id)."""
    megan, tan = people["Megan Martin"], people["Tan Wei Ling"]
    async with db.sessions() as s:
        store = (await s.execute(select(Store).where(Store.workspace_id == workspace_id))).scalars().first()
        s.add(
            Order(
                workspace_id=workspace_id,
                store_id=store.id,
                platform="shopify",
                platform_order_id=f"#{megan}",
                customer_id=tan,
                status="paid",
                currency="SGD",
                order_value=Decimal(10),
                value_base=Decimal(10),
                created_at=datetime(2026, 2, 1, tzinfo=UTC),
            )
        )
        await s.commit()
        assert [h.id for h in await search_customers(s, workspace_id, f"#{megan}")] == [megan]
        assert [h.id for h in await search_customers(s, workspace_id, f"#{megan} ")] == [megan]
        assert [h.name for h in await search_customers(s, workspace_id, "#1002")] == ["Tan Ah Kow"]
