"""Outreach drafting without an LLM: templates in every language, language defaults, festivals, consent,
revisions, approval and segment drafts, on real SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.settings import Settings
from crm.outreach.checks import check_draft, detect_language, language_matches
from crm.outreach.context import first_name
from crm.outreach.festivals import festival_day
from crm.outreach.service import (
    INTENTS,
    LANGUAGES,
    PROMOTIONAL,
    DraftError,
    Offer,
    approve,
    draft_for_customer,
    draft_for_segment,
    edit,
    revise,
)
from crm.outreach.templates import TemplateInput, render
from storage.models import (
    BuyerIdentity,
    ConsentRecord,
    Customer,
    Interaction,
    LoyaltyEntry,
    Order,
    OrderLine,
    OutreachDraft,
    Product,
    Store,
)
from storage.repositories.analytics import refresh_order_stats

AS_OF = datetime(2026, 11, 24, tzinfo=UTC)
SETTINGS = Settings(outreach={"brand_name": "Kopi House", "sign_off": "Mei from Kopi House", "max_chars": 600})


async def add_customer(db, workspace_id: int, *, name: str = "Tan Wei Ling", country: str = "TH",
                       consent: bool | None = None, accepts_marketing: bool | None = None, orders: int = 2,
                       item: str = "Blue Linen Dress", points: int = 120, email: str = "weiling.tan@example.com",
                       phone: str = "+66 81 234 5678") -> int:
    async with db.sessions() as s:
        store = (await s.execute(select(Store).where(Store.workspace_id == workspace_id))).scalars().first()
        if store is None:
            store = Store(workspace_id=workspace_id, platform="shopee", name="shopee-th", country="TH")
            s.add(store)
            await s.flush()
            s.add(Product(workspace_id=workspace_id, sku="BLD-1", name=item, category="Dresses", replenish_days=60))
        c = Customer(workspace_id=workspace_id, display_name=name, country=country)
        s.add(c)
        await s.flush()
        ident = BuyerIdentity(workspace_id=workspace_id, customer_id=c.id, platform="shopee", buyer_key=f"buyer{c.id}",
                              username=f"buyer{c.id}", name=name, email=email, email_norm=email, phone=phone,
                              phone_norm=re.sub(r"\D", "", phone), country=country,
                              accepts_marketing=accepts_marketing)
        s.add(ident)
        await s.flush()
        for k in range(orders):
            o = Order(workspace_id=workspace_id, store_id=store.id, platform="shopee",
                      platform_order_id=f"O{c.id}-{k}", identity_id=ident.id, customer_id=c.id, status="completed",
                      currency="THB", order_value=Decimal(500), value_base=Decimal(20), country=country,
                      created_at=datetime(2026, 3 + k, 10, tzinfo=UTC))
            s.add(o)
            await s.flush()
            s.add(OrderLine(order_id=o.id, line_no=1, sku="BLD-1", product_name=item, quantity=1))
        if points:
            s.add(LoyaltyEntry(workspace_id=workspace_id, customer_id=c.id, points=points, reason="adjust"))
        if consent is not None:
            s.add(ConsentRecord(workspace_id=workspace_id, customer_id=c.id, purpose="marketing", granted=not consent,
                                recorded_at=datetime(2026, 1, 1, tzinfo=UTC)))
            s.add(ConsentRecord(workspace_id=workspace_id, customer_id=c.id, purpose="marketing", granted=consent,
                                recorded_at=datetime(2026, 6, 1, tzinfo=UTC)))
        await s.flush()
        await refresh_order_stats(s, [c.id])
        await s.commit()
        return c.id


# ---------------------------------------------------------------------------------------------------- templates
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("intent", INTENTS)
def test_every_template_is_filled_signed_and_in_its_language(language: str, intent: str) -> None:
    for kwargs in ({}, {"first_name": "Wei Ling", "item": "Blue Linen Dress", "points": 120, "coupon": "BACK10",
                        "discount": "10%", "expires": date(2026, 12, 31)}):
        text = render(TemplateInput(language=language, intent=intent, brand="Kopi House", sign_off="Mei",
                                    festival="Songkran" if intent == "festival" else None, **kwargs))
        problems = check_draft(text, language=language, max_chars=600, coupon=kwargs.get("coupon"),
                               offer_text="BACK10 10% 2026-12-31" if kwargs else "")
        assert problems == [], (language, intent, text, problems)
        assert text.rstrip().endswith("Mei\nKopi House")
        assert "{" not in text and "}" not in text
        if kwargs:
            assert "Wei Ling" in text and "BACK10" in text


def test_short_and_formal_templates() -> None:
    base = TemplateInput(language="en", intent="winback", brand="Kopi House", sign_off="Mei", first_name="Ana")
    long, short = render(base), render(TemplateInput(**{**base.__dict__, "short": True}))
    formal = render(TemplateInput(**{**base.__dict__, "formal": True}))
    assert len(short) < len(long) and formal.startswith("Dear Ana,") and long.startswith("Hi Ana,")


def test_language_heuristics() -> None:
    assert detect_language("您好！感谢您的支持。") == "zh"
    assert detect_language("สวัสดีค่ะ ขอบคุณที่อุดหนุนนะคะ") == "th"
    assert detect_language("Chào bạn, cảm ơn bạn đã mua hàng!") == "vi"
    assert detect_language("Terima kasih kerana membeli dengan kami, semoga anda gembira") == "ms"
    assert detect_language("Thank you for your order, we hope you love it") == "en"
    assert language_matches("Terima kasih atas pesanan Anda", "id")
    assert not language_matches("Thank you for your order", "th")


def test_checks_catch_placeholders_missing_coupon_and_invented_discounts() -> None:
    text = "Hi {name}, enjoy 20% off and RM15 off today!"
    problems = check_draft(text, language="en", max_chars=30, coupon="BACK10", offer_text="BACK10 10%")
    joined = " | ".join(problems)
    assert "placeholders" in joined and "BACK10 is missing" in joined and "over the limit" in joined
    assert "20%" in joined and "RM15" in joined
    assert check_draft("Hi Ana, use BACK10 for 10% off.", language="en", max_chars=100, coupon="BACK10",
                       offer_text="BACK10 10%") == []


@pytest.mark.parametrize(("name", "first"), [
    ("Tan Wei Ling", "Wei Ling"), ("Siti Nurhaliza", "Siti"), ("Nguyen Thi Mai", "Mai"), ("陈伟玲", "伟玲"),
    ("weiling88", None), ("a@b.co", None), ("Mr John Smith", "John"), ("somchai jaidee", "Somchai"),
])
def test_first_name(name: str, first: str | None) -> None:
    assert first_name(name) == first


def test_festival_calendar() -> None:
    assert festival_day(None, "TH", date(2026, 3, 1)).key == "songkran"
    assert festival_day(None, "MY", date(2026, 3, 1)).key == "hari_raya"
    assert festival_day(None, "VN", date(2026, 2, 1)).key == "tet"
    assert festival_day(None, "SG", date(2026, 10, 1)).key == "deepavali"
    assert festival_day(None, "US", date(2026, 11, 12)).key == "black_friday"
    assert festival_day("hari raya", "MY", date(2026, 5, 1)).day == date(2027, 3, 10)
    assert festival_day("new year", "SG", date(2026, 12, 30)).key == "new_year"
    assert festival_day("new year", "SG", date(2027, 1, 2)).key == "cny"
    for key in ("cny", "tet", "hari_raya", "deepavali", "songkran", "double_11", "double_12", "black_friday",
                "christmas"):
        for year in (2025, 2026, 2027):
            assert festival_day(key, None, date(year, 1, 1)).day.year == year


# ---------------------------------------------------------------------------------------------------- service
async def test_language_defaults_from_country_and_can_be_overridden(db, workspace_id: int) -> None:
    expected = {"TH": "th", "VN": "vi", "ID": "id", "MY": "ms", "TW": "zh", "SG": "en", "US": "en"}
    for country, lang in expected.items():
        cid = await add_customer(db, workspace_id, name=f"Ana {country}", country=country, consent=True)
        d = await draft_for_customer(db, workspace_id, cid, intent="winback", settings=SETTINGS, as_of=AS_OF)
        assert d.language == lang and d.source == "template" and d.status == "draft"
        assert "Ana" in d.text and "120" in d.text and "Mei from Kopi House" in d.text
    d = await draft_for_customer(db, workspace_id, cid, intent="winback", settings=SETTINGS, as_of=AS_OF, language="zh")
    assert d.language == "zh" and language_matches(d.text, "zh")
    with pytest.raises(DraftError):
        await draft_for_customer(db, workspace_id, cid, intent="spam", settings=SETTINGS, as_of=AS_OF)


async def test_offer_item_and_festival_reach_the_draft(db, workspace_id: int) -> None:
    cid = await add_customer(db, workspace_id, country="MY", consent=True)
    offer = Offer(coupon="RAYA15", discount="15%", expires=date(2027, 3, 31))
    d = await draft_for_customer(db, workspace_id, cid, intent="festival", settings=SETTINGS, as_of=AS_OF,
                                 festival="hari raya", offer=offer)
    assert "Selamat Hari Raya Aidilfitri" in d.text and "RAYA15" in d.text and "15%" in d.text
    assert "Wei Ling" in d.text and "Tan" not in d.text
    d = await draft_for_customer(db, workspace_id, cid, intent="review_request", settings=SETTINGS, as_of=AS_OF,
                                 language="en")
    assert "Blue Linen Dress" in d.text


async def test_opted_out_customers_get_no_promotional_draft(db, workspace_id: int) -> None:
    withdrawn = await add_customer(db, workspace_id, name="Ana Lim", consent=False)
    platform_no = await add_customer(db, workspace_id, name="Bo Lee", accepts_marketing=False)
    for cid in (withdrawn, platform_no):
        for intent in sorted(PROMOTIONAL):
            d = await draft_for_customer(db, workspace_id, cid, intent=intent, settings=SETTINGS, as_of=AS_OF)
            assert d.source == "refused" and d.status == "refused" and d.text == "" and d.refused_reason
        # service messages are allowed
        d = await draft_for_customer(db, workspace_id, cid, intent="service_recovery", settings=SETTINGS, as_of=AS_OF)
        assert d.source == "template" and d.status == "draft"
    async with db.sessions() as s:
        rows = (await s.execute(select(OutreachDraft).where(OutreachDraft.status == "refused"))).scalars().all()
    assert len(rows) == 2 * len(PROMOTIONAL)
    assert any("consent" in r.reason for r in rows) and any("opted out" in r.reason for r in rows)
    with pytest.raises(DraftError, match="refused"):
        await approve(db, workspace_id, rows[0].id, member_id=None, at=AS_OF)


async def test_revise_edit_and_approve(db, workspace_id: int) -> None:
    cid = await add_customer(db, workspace_id, country="SG", consent=True)
    d = await draft_for_customer(db, workspace_id, cid, intent="winback", settings=SETTINGS, as_of=AS_OF,
                                 offer=Offer(coupon="BACK10", discount="10%"))
    short = await revise(db, workspace_id, d.id, action="shorter", settings=SETTINGS, as_of=AS_OF)
    assert short.id != d.id and len(short.text) < len(d.text) and "BACK10" in short.text
    formal = await revise(db, workspace_id, d.id, action="formal", settings=SETTINGS, as_of=AS_OF)
    assert formal.text.startswith("Dear Wei Ling,")
    thai = await revise(db, workspace_id, d.id, action="translate", language="th", settings=SETTINGS, as_of=AS_OF)
    assert thai.language == "th" and language_matches(thai.text, "th") and "BACK10" in thai.text
    edited = await edit(db, workspace_id, thai.id, "สวัสดีค่ะ คุณWei Ling ใช้โค้ด BACK10 ลด 50% เลยค่ะ")
    assert edited.text.startswith("สวัสดีค่ะ") and any("50%" in w for w in edited.warnings)
    done = await approve(db, workspace_id, edited.id, member_id=None, at=AS_OF)
    assert done.status == "approved"
    again = await approve(db, workspace_id, edited.id, member_id=None, at=AS_OF)
    assert again.status == "approved"
    async with db.sessions() as s:
        interactions = (await s.execute(select(Interaction).where(Interaction.customer_id == cid))).scalars().all()
        row = await s.get(OutreachDraft, edited.id)
    assert [(i.kind, i.language) for i in interactions] == [("outreach", "th")]
    assert interactions[0].body == edited.text and row.approved_at is not None
    with pytest.raises(DraftError):
        await edit(db, workspace_id, edited.id, "too late")


async def test_segment_draft_gives_a_template_per_language_and_a_csv(db, workspace_id: int) -> None:
    ids = {}
    for name, country in (("Ana Silva", "TH"), ("Budi Santoso", "ID"), ("Chen Mei Mei", "SG"), ("Dara Ok", "TH")):
        ids[name] = await add_customer(db, workspace_id, name=name, country=country, orders=1, consent=True)
    ids["Eko No"] = await add_customer(db, workspace_id, name="Eko No", country="ID", orders=1, consent=False)
    ids["Fa Out"] = await add_customer(db, workspace_id, name="Fa Out", country="TH", orders=1, accepts_marketing=False)
    from zoneinfo import ZoneInfo

    from crm.analytics.metrics import customer_scores

    async with db.sessions() as s:
        scores = await customer_scores(s, workspace_id, AS_OF, ZoneInfo("Asia/Singapore"))
    segment = str(scores.segment[scores.index()[ids["Ana Silva"]]])
    seg = await draft_for_segment(db, workspace_id, segment=segment, intent="winback", settings=SETTINGS,
                                  as_of=AS_OF, offer=Offer(coupon="BACK10"))
    assert set(seg.templates) == {"th", "id", "en"}
    for lang, text in seg.templates.items():
        assert "{first_name}" in text and "BACK10" in text and language_matches(text, lang)
    rows = list(csv.DictReader(io.StringIO(seg.recipients_csv.decode())))
    assert seg.count == len(rows) == 4 and seg.skipped == {"no marketing consent": 1, "opted out": 1}
    assert {r["first_name"] for r in rows} == {"Ana", "Budi", "Mei Mei", "Dara"}
    assert "@" not in seg.recipients_csv.decode()
    th = await draft_for_segment(db, workspace_id, segment=segment, intent="winback", settings=SETTINGS, as_of=AS_OF,
                                 country="TH")
    assert th.count == 2 and set(th.templates) == {"th"}
