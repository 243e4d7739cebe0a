"""Fallback message templates in every supported language: sendable as they are, so drafting works with no LLM.

The wording lives in the outreach catalogues (crm/text/locales/<lang>/outreach.ftl); this module assembles it.

Each template is a few lines. `{greeting}` and the sign-off are added around it; `{offer}` and `{points_line}`
become empty lines (then dropped) when there is no offer or no points balance; lines starting with `~` are
left out of the short version. Segment templates keep `{first_name}` and `{last_item}` as merge fields.
A body named `<intent>_no_item` is used instead when the customer has no order or the item is unknown, so a
message never thanks for an order or asks about an item the customer does not have. Without a brand name or
sign-off of the seller's own, the shop and the signature are named in the message's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import date
from functools import cache

from crm import text as catalogue
from crm.outreach.intents import LANGUAGES
from crm.outreach.offer import discount_phrase
from crm.settings import DEFAULT_BRAND_NAME, DEFAULT_SIGN_OFF

# Merge fields a segment template may keep for the seller's mailing tool.
MERGE_FIELDS = ("first_name", "last_item")


@dataclass(frozen=True)
class LanguagePack:
    greeting: str  # with {first_name}
    greeting_anonymous: str
    greeting_formal: str
    greeting_formal_anonymous: str
    item_bought: str  # what to call the last purchase when it is unknown
    item_cart: str
    item_shop: str
    offer_full: str  # coupon and discount
    offer_coupon: str
    offer_discount: str
    expires: str  # appended to an offer sentence
    points: str
    points_expiring: str  # the balance and the next points to expire, with {expiring} and {date}
    date_format: str
    brand: str  # how the shop calls itself when the seller has not set a brand name
    team: str  # the sign-off when the seller has not set one, with {brand}
    bodies: dict[str, str]  # intent (and "festival_sale", "custom_brief", "<intent>_no_item") -> body


class _Packs(Mapping[str, LanguagePack]):
    """The language packs, read from the outreach catalogues (crm/text/locales/<lang>/outreach.ftl) on first use."""

    def __getitem__(self, language: str) -> LanguagePack:
        if language not in LANGUAGES:
            raise KeyError(language)
        return _pack(language)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


def _template(language: str, key: str) -> str:
    """A catalogue text with its arguments left as {name} placeholders: render() below fills them line by line
    (so braces inside a product name or brief are never re-read) and drops the lines they leave empty."""
    return catalogue.render(language, key, **{v: "{" + v + "}" for v in catalogue.variables(language, key)})


@cache
def _pack(language: str) -> LanguagePack:
    bodies = {
        mid.removeprefix(_BODY): _template(language, mid)
        for mid in sorted(catalogue.message_ids(language))
        if mid.startswith(_BODY)
    }
    values = {
        f.name: _template(language, f"outreach.{f.name}") for f in fields(LanguagePack) if f.name != "bodies"
    }
    return LanguagePack(**values, bodies=bodies)


_BODY = "outreach-body-"
PACKS: Mapping[str, LanguagePack] = _Packs()

# The settings' own defaults ("our shop", "The team"): a seller who has not set a brand or sign-off gets the
# message language's wording instead (PACKS[...].brand / .team), never English inside a Thai or Chinese message.
_UNSET_BRANDS = frozenset(["", DEFAULT_BRAND_NAME.casefold()])
_UNSET_SIGN_OFFS = frozenset(["", DEFAULT_SIGN_OFF.casefold()])


@cache
def _default_brands() -> frozenset[str]:
    return frozenset(p.brand.casefold() for p in PACKS.values())


def brand_is_set(brand: str | None) -> bool:
    """True when the seller set a brand name of their own (not the settings' default nor a language's)."""
    return (brand or "").strip().casefold() not in _UNSET_BRANDS | _default_brands()


def localised_brand(brand: str | None, language: str) -> str:
    """The seller's brand name as set, or the language's own words for "our shop" when none is set."""
    return (brand or "").strip() if brand_is_set(brand) else PACKS[language].brand


def localised_sign_off(sign_off: str | None, brand: str | None, language: str) -> str:
    """The seller's sign-off as set, or the language's team sign-off ("小店团队", "Tim Kopi House")."""
    if (sign_off or "").strip().casefold() not in _UNSET_SIGN_OFFS:
        return (sign_off or "").strip()
    name = localised_brand(brand, language)
    if language == "th" and name[:1].isascii():
        name = " " + name  # "ทีมงาน Kopi House", but "ทีมงานร้านของเรา"
    return PACKS[language].team.replace("{brand}", name)


@dataclass(frozen=True)
class TemplateInput:
    """Everything a template may show (already reduced to what a message needs)."""

    language: str
    intent: str
    brand: str
    sign_off: str
    first_name: str | None = None
    item: str | None = None
    points: int = 0
    points_expiring: int = 0
    points_expire_on: date | None = None
    festival: str | None = None
    festival_kind: str = "holiday"
    coupon: str | None = None
    discount: str | None = None
    expires: date | None = None
    brief: str | None = None
    formal: bool = False
    short: bool = False
    merge_fields: bool = False  # segment template: keep {first_name} and {last_item}
    orders: int | None = None  # the customer's orders, when known: 0 means no order may be mentioned


def _day(pack: LanguagePack, day: date) -> str:
    if "{" in pack.date_format:
        return pack.date_format.format(y=day.year, m=day.month, d=day.day)
    return day.strftime(pack.date_format)


def offer_sentence(language: str, coupon: str | None, discount: str | None, expires: date | None) -> str:
    pack = PACKS[language]
    if discount:
        discount = discount_phrase(discount, language)  # "10% off" -> "9折", "diskaun 10%", ...
    if coupon and discount:
        text = pack.offer_full.format(coupon=coupon, discount=discount)
    elif coupon:
        text = pack.offer_coupon.format(coupon=coupon)
    elif discount:
        text = pack.offer_discount.format(discount=discount)
    else:
        return ""
    if expires is not None:
        when = _day(pack, expires)
        text += pack.expires.format(expires=when)
    stop = "。" if language == "zh" else "" if language == "th" else "."
    return text if text.endswith((".", "。", "ค่ะ", "nhé")) and not expires else text + stop


def neutral_name(language: str) -> str:
    """What a merged "{first_name}" becomes for a customer without a usable name (a username, an e-mail), so the
    language's greeting still reads naturally: "Hi there,", "亲爱的顾客您好！", "สวัสดีค่ะ คุณ ลูกค้า", "Chào bạn,"."""
    return catalogue.render(language, "outreach.neutral_name")


def generic_item(language: str, intent: str) -> str:
    """How a message refers to the item when it is not known."""
    pack = PACKS[language]
    return {"abandoned_cart": pack.item_cart, "festival": pack.item_shop}.get(intent, pack.item_bought)


def sign_off_line(brand: str, sign_off: str) -> str:
    """The seller's sign-off, with the brand unless the sign-off already names it or no brand name is set
    (a default such as "our shop" or "小店" adds nothing under a signature)."""
    if not brand_is_set(brand) or brand.lower() in sign_off.lower():
        return sign_off or brand
    return f"{sign_off}\n{brand}" if sign_off else brand


def render(t: TemplateInput) -> str:
    pack = PACKS[t.language]
    key = t.intent
    if t.intent == "festival" and t.festival_kind == "sale":
        key = "festival_sale"
    elif t.intent == "custom" and t.brief:
        key = "custom_brief"
    # No order to speak of (none placed, or the item is unknown): the variant that mentions no order or item.
    no_item = not t.merge_fields and (t.orders == 0 or not t.item)
    # A welcome for a customer who has ordered before must not thank them for a "first order".
    returning = key == "welcome" and not t.merge_fields and (t.orders or 0) > 1
    if (
        (no_item or returning)
        and f"{key}_no_item" in pack.bodies
        and not (key == "service_recovery" and t.item)
    ):
        key = f"{key}_no_item"
    brand = localised_brand(t.brand, t.language)
    sign_off = localised_sign_off(t.sign_off, t.brand, t.language)
    first_name = "{first_name}" if t.merge_fields else t.first_name
    if first_name:
        if t.language == "th" and first_name[:1].isascii():
            first_name = " " + first_name  # "คุณ Wei Ling", but "คุณสมชาย"
        greeting = (pack.greeting_formal if t.formal else pack.greeting).replace("{first_name}", first_name)
    else:
        greeting = pack.greeting_formal_anonymous if t.formal else pack.greeting_anonymous
    item = "{last_item}" if t.merge_fields else (t.item or generic_item(t.language, t.intent))
    points_line = pack.points.format(points=f"{t.points:,}") if t.points > 0 else ""
    if t.points > 0 and t.points_expiring > 0 and t.points_expire_on is not None:
        points_line = pack.points_expiring.format(
            points=f"{t.points:,}",
            expiring=f"{min(t.points_expiring, t.points):,}",
            date=_day(pack, t.points_expire_on),
        )
    values = {
        "brand": brand,
        "item": item,
        "festival": t.festival or "",
        "brief": (t.brief or "").strip(),
        "offer": offer_sentence(t.language, t.coupon, t.discount, t.expires),
        "points_line": points_line,
    }
    lines = []
    for line in pack.bodies[key].split("\n"):
        if line.startswith("~"):
            if t.short:
                continue
            line = line[1:]
        if t.language == "th" and not brand[:1].isascii():
            line = re.sub(r" ?\{brand\} ?", "{brand}", line)  # "ยินดีต้อนรับสู่ร้านของเราค่ะ", "สู่ Kopi House ค่ะ"
        if line.startswith("{brand}") and not brand_is_set(t.brand):
            line = brand[:1].upper() + brand[1:] + line[len("{brand}") :]  # "Cửa hàng chúng tôi nhớ bạn lắm!"
        # Values are substituted one by one so braces inside a product name or brief are never re-read.
        for name, value in values.items():
            line = line.replace("{" + name + "}", value)
        if line.strip():
            lines.append(line)
    return "\n".join([greeting, *lines, "", sign_off_line(brand, sign_off)])
