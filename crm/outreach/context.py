"""The draft context: what a message may say about a customer, built from an allow-list of fields.

Only the fields of `DraftContext` ever reach a template or the LLM: a first name (never the full name),
recent items and categories, segment, points, days since the last order, platform, festival and the seller's
offer. E-mails, phone numbers, addresses and usernames are not read into it at all.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from crm.outreach.festivals import FestivalDay
from crm.outreach.intents import language_for_country, normalise_language
from storage.repositories.outreach import CustomerFacts

# Family names that come first in romanised Chinese, Korean and Vietnamese names ("Tan Wei Ling" -> "Wei Ling").
_FAMILY_FIRST = frozenset(
    ["tan", "lim", "lee", "ng", "wong", "chua", "goh", "ong", "teo", "koh", "chan", "chen", "lin", "wang", "zhang", "li", "liu", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu", "guo", "he", "gao", "luo", "zheng", "liang", "xie", "song", "tang", "han", "feng", "deng", "cao", "peng", "zeng", "xiao", "tian", "dong", "yuan", "pan", "cai", "jiang", "yu", "du", "ye", "cheng", "wei", "su", "lu", "ding", "ren", "shen", "yao", "lo", "tay", "toh", "yeo", "seah", "heng", "quek", "kwok", "chong", "chew", "foo", "low", "leong", "yap", "yeoh", "khoo", "lau", "loh", "kang", "kim", "park", "choi", "jung"])
_VIETNAMESE_FAMILY = frozenset(["nguyen", "nguyễn", "tran", "trần", "le", "lê", "pham", "phạm", "hoang", "hoàng", "huynh", "huỳnh", "phan", "vu", "vũ", "vo", "võ", "dang", "đặng", "bui", "bùi", "do", "đỗ", "ho", "hồ", "ngo", "ngô", "duong", "dương", "ly", "lý"])
_HONORIFIC = frozenset(["mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "dr", "dr.", "madam", "mdm", "mdm.", "encik", "puan", "cik", "bapak", "ibu", "pak", "bu", "kak", "khun", "anh", "chị", "chi"])
_CJK = re.compile(r"^[\u3400-\u9fff]+$")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_RE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{6,}\d(?![\w])")


def first_name(display_name: str | None) -> str | None:
    """The name to greet a customer by; None when the display name looks like a username or an e-mail."""
    if not display_name:
        return None
    name = display_name.strip()
    if not name or "@" in name or any(ch.isdigit() for ch in name) or "_" in name:
        return None
    if _CJK.match(name.replace(" ", "")):
        compact = name.replace(" ", "")
        return compact[1:] if len(compact) >= 2 else compact
    tokens = [t for t in re.split(r"\s+", name) if t.lower() not in _HONORIFIC]
    if not tokens:
        return None
    if len(tokens) >= 2 and tokens[0].lower() in _VIETNAMESE_FAMILY:
        return tokens[-1].capitalize() if tokens[-1].islower() else tokens[-1]
    if len(tokens) >= 3 and tokens[0].lower() in _FAMILY_FIRST:
        given = " ".join(tokens[1:])
        return given.title() if given.islower() else given
    return tokens[0].capitalize() if tokens[0].islower() else tokens[0]


def redact_brief(brief: str, display_name: str | None, keep: str | None) -> str:
    """A seller's brief without contacts or the customer's full name (the first name may stay)."""
    text = _PHONE_RE.sub("<phone>", _EMAIL_RE.sub("<email>", brief))
    if display_name:
        keep_tokens = set((keep or "").lower().split())
        if keep and display_name.strip():
            text = re.sub(re.escape(display_name.strip()), keep, text, flags=re.IGNORECASE)
        for token in display_name.split():
            if len(token) > 1 and token.lower() not in keep_tokens:
                text = re.sub(rf"(?<!\w){re.escape(token)}(?!\w)", "", text, flags=re.IGNORECASE)
        text = re.sub(r"\s{2,}", " ", text).strip()
    return text


@dataclass
class OfferContext:
    coupon: str | None = None
    discount: str | None = None
    expires: str | None = None  # ISO date


@dataclass
class DraftContext:
    """The allow-list: everything here may be shown to the LLM; nothing else may."""

    intent: str
    language: str
    brand_name: str
    brand_voice: str
    sign_off: str
    max_chars: int
    first_name: str | None = None
    country: str | None = None
    platform: str | None = None
    last_items: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    cart_item: str | None = None
    complaint_item: str | None = None
    segment: str | None = None
    points_balance: int = 0
    orders: int = 0
    days_since_last_order: int | None = None
    replenish_every_days: int | None = None
    festival: str | None = None
    festival_kind: str | None = None
    festival_date: str | None = None
    offer: OfferContext = field(default_factory=OfferContext)
    brief: str | None = None

    def for_llm(self) -> dict[str, Any]:
        """The JSON-ready context for the prompt (empty fields left out)."""
        data = asdict(self)
        data["offer"] = {k: v for k, v in data["offer"].items() if v}
        return {k: v for k, v in data.items() if v not in (None, [], {}, "")}

    def focus_item(self) -> str | None:
        """The item the message is about, by intent."""
        if self.intent == "abandoned_cart":
            return self.cart_item or (self.last_items[0] if self.last_items else None)
        if self.intent == "service_recovery":
            return self.complaint_item or (self.last_items[0] if self.last_items else None)
        return self.last_items[0] if self.last_items else None


def pick_language(requested: str | None, facts: CustomerFacts | None, country: str | None = None) -> str:
    """Requested > the customer's own language > the language of their last message > their country's."""
    for candidate in (requested, facts.language if facts else None, facts.chat_language if facts else None):
        code = normalise_language(candidate)
        if code:
            return code
    return language_for_country(country or (facts.country if facts else None))


def days_between(later: datetime, earlier: datetime, tz: ZoneInfo) -> int:
    """Whole local calendar days, as METRICS.md counts recency."""
    def local_day(moment: datetime) -> date:
        return moment.astimezone(tz).date()
    from datetime import timedelta

    return (local_day(later - timedelta(microseconds=1)) - local_day(earlier)).days


async def customer_segment(db: Any, session: AsyncSession, workspace_id: int, customer_id: int, as_of: datetime,
                           tz: ZoneInfo) -> str | None:
    from crm.analytics.metrics import segments_by_customer

    return (await segments_by_customer(db, session, workspace_id, as_of, tz)).get(customer_id)


def build_context(facts: CustomerFacts, *, intent: str, language: str, settings: Any, as_of: datetime, tz: ZoneInfo,
                  segment: str | None, festival: FestivalDay | None, coupon: str | None, discount: str | None,
                  expires: date | None, brief: str | None) -> DraftContext:
    out = settings.outreach
    name = first_name(facts.display_name)
    return DraftContext(
        intent=intent, language=language, brand_name=out.brand_name, brand_voice=out.brand_voice,
        sign_off=out.sign_off, max_chars=out.max_chars, first_name=name, country=facts.country,
        platform=facts.platform, last_items=list(facts.last_items), categories=list(facts.categories),
        cart_item=facts.cart_item, complaint_item=facts.complaint_item, segment=segment,
        points_balance=max(facts.points, 0), orders=facts.orders,
        days_since_last_order=days_between(as_of, facts.last_order_at, tz) if facts.last_order_at else None,
        replenish_every_days=facts.replenish_days,
        festival=festival.festival.name(language) if festival else None,
        festival_kind=festival.festival.kind if festival else None,
        festival_date=festival.day.isoformat() if festival else None,
        offer=OfferContext(coupon=coupon, discount=discount, expires=expires.isoformat() if expires else None),
        brief=redact_brief(brief, facts.display_name, name) if brief else None,
    )
