"""The seller's offer in a plain-language draft request: coupon code, discount, expiry (English and Chinese).

"draft a thank-you for Tan with code VIP10, 10% off until 30 Nov" -> coupon VIP10, discount "10% off",
expires 30 Nov. Only what the seller wrote is taken (a draft may mention no other figure); the words found
are cut from the request so they are not read as part of a customer's name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from crm.regex import DIGIT, lazy

# The keyword is matched in any case; the code itself must look like one (capitals and digits, as sellers
# and platforms write codes), so "a coupon for Tan" finds no code.
_COUPON = lazy(
    r"(?i:\b(?:promo(?:tion)?|voucher|discount|coupon)\s+code|\bcode|\bcoupon|\bvoucher|优惠码|折扣码|优惠券码|券码|兑换码)"
    r"\s*[:：=]?\s*[\"'“]?([A-Z0-9][A-Z0-9_-]{2,23})\b"
)
_MONEY = r"(?:RM|S\$|US\$|SGD|MYR|USD|THB|IDR|VND|PHP|CNY|RMB|Rp\.?|₱|฿|₫|¥|\$)"
_DISCOUNTS = (
    (
        # A whole number ("150%" is not "50%", "-20%" not "20%"; out of range, it is refused when drafting).
        lazy(r"(?<![\d.])(-?\d+(?:\.\d+)?)\s*%\s*(?:off|discount)?", re.IGNORECASE),
        lambda m: f"{m.group(1)}% off",
    ),
    (
        lazy(rf"({_MONEY}\s?\d[\d,.]*|\d[\d,.]*\s?{_MONEY})\s*(?:off|discount)", re.IGNORECASE),
        lambda m: f"{m.group(1)} off",
    ),
    (lazy(r"满\s*\d+\s*减\s*\d+\s*元?", needs=("满",)), lambda m: re.sub(r"\s", "", m.group(0))),
    (
        lazy(r"(?:立减|减)\s*\d+(?:\.\d+)?\s*元?", needs=("减",)),
        lambda m: re.sub(r"\s", "", m.group(0)),
    ),
    (lazy(r"(?<![\d.])\d(?:\.\d)?\s*折", needs=("折",)), lambda m: re.sub(r"\s", "", m.group(0))),
    (lazy(r"\bfree (?:shipping|delivery)\b", re.IGNORECASE), lambda m: "free shipping"),
    (lazy(r"包邮|免运费", needs=("免运费", "包邮")), lambda m: m.group(0)),
)
_EXPIRY = (
    lazy(
        r"\b(?:valid\s+(?:until|till|through|thru|to)|until|till|expir(?:es|ing|y)(?:\s+on)?|ends?\s+on|"
        r"good\s+(?:until|till|through))\s+(?:the\s+)?"
        r"([^,;.，。；]{2,30}?)(?=\s*(?:$|[,;.，。；]|\s+(?:and|with|for|to|in|plus)\b))",
        re.IGNORECASE,
    ),
    lazy(
        r"(?:有效期至|有效期到|截止到|截止|截至|到期日?为?)\s*([^,;，。；\s]{2,12})",
        needs=("到期", "截止", "截至", "有效期到", "有效期至"),
    ),
)
# Words left hanging at the end once the offer is cut out ("... for Tan with a coupon for").
_DANGLING = lazy(
    r"(?:\s+(?:with|and|plus|using|incl\.?|including|for|of|a|an|the|coupon|voucher|discount|"
    r"offer|promo|code|,))+\s*$|[,，、\s]+$",
    re.IGNORECASE,
)


@dataclass
class FoundOffer:
    coupon: str | None = None
    discount: str | None = None
    expires: date | None = None
    rest: str = ""  # the request without the offer's words
    spans: list[tuple[int, int]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.coupon or self.discount or self.expires)


def find_offer(text: str, *, now: datetime, timezone: str) -> FoundOffer:
    """The coupon, discount and expiry written in a request (each optional), and the request without them."""
    raw = unicodedata.normalize("NFKC", text or "")
    found = FoundOffer()
    m = _COUPON.search(raw)
    if m:
        found.coupon = m.group(1)
        found.spans.append(m.span())
    for pattern, render in _DISCOUNTS:
        m = pattern.search(raw)
        if m and not _inside(m.span(), found.spans):
            found.discount = render(m)
            found.spans.append(m.span())
            break
    for pattern in _EXPIRY:
        m = pattern.search(raw)
        if m and not _inside(m.span(), found.spans):
            day = _day(m.group(1), now, timezone)
            if day is not None:
                found.expires = day
                found.spans.append(m.span())
                break
    rest = raw
    for start, end in sorted(found.spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    rest = re.sub(r"\s+", " ", rest).strip()
    found.rest = _DANGLING.sub("", rest).strip() if found.spans else rest
    return found


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in spans)


def _day(phrase: str, now: datetime, timezone: str) -> date | None:
    """A date phrase ("30 Nov", "Sunday", "12月31日", "2026-12-31") as the next such day."""
    iso = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", phrase)
    if iso:
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    # The reminder parser is imported when an offer names a day (an answer that drafts nothing never loads it).
    from crm.scheduling.reminder_parser import ReminderParseError, parse_reminder

    try:
        parsed = parse_reminder(phrase, now=now, timezone=timezone, allow_empty=True)
    except ReminderParseError:
        return None
    if parsed.text:  # words left over: not (only) a date
        return None
    return parsed.local_due.date()


# ---------------------------------------------------------------------------------------------------------
# the discount in the message's language
# ---------------------------------------------------------------------------------------------------------
_PCT = lazy(r"(?<![\d.])(-?\d+(?:\.\d+)?)\s*%", needs=DIGIT)
_ZHE = lazy(r"(?<![\d.])(\d{1,2}(?:\.\d)?)\s*折", needs=("折",))
_THRESHOLD = lazy(r"满\s*(\d+(?:\.\d+)?)\s*元?\s*减\s*(\d+(?:\.\d+)?)\s*元?", needs=("满",))
_AMOUNT = lazy(
    rf"({_MONEY}\s?\d[\d,.]*\d|{_MONEY}\s?\d|\d[\d,.]*\s?{_MONEY}|\d+(?:\.\d+)?\s*元)", re.IGNORECASE
)
_FREE_SHIPPING = lazy(r"free\s+(?:shipping|delivery)|包邮|免运费", re.IGNORECASE)
_PHRASES = {
    "percent": {
        "en": "{p}% off",
        "zh": "{zhe}",
        "ms": "diskaun {p}%",
        "th": "ส่วนลด {p}%",
        "id": "diskon {p}%",
        "vi": "giảm {p}%",
    },
    "amount": {
        "en": "{a} off",
        "zh": "立减{a}",
        "ms": "diskaun {a}",
        "th": "ส่วนลด {a}",
        "id": "potongan {a}",
        "vi": "giảm {a}",
    },
    "threshold": {
        "en": "{b} off orders of {a} or more",
        "zh": "满{a}减{b}",
        "ms": "diskaun {b} untuk belian {a} ke atas",
        "th": "ส่วนลด {b} เมื่อซื้อครบ {a}",
        "id": "potongan {b} untuk belanja minimal {a}",
        "vi": "giảm {b} cho đơn từ {a}",
    },
    "free_shipping": {
        "en": "free shipping",
        "zh": "包邮",
        "ms": "penghantaran percuma",
        "th": "ส่งฟรี",
        "id": "gratis ongkir",
        "vi": "miễn phí vận chuyển",
    },
}


def _number(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:g}"


def _zhe_of_percent(p: float) -> str:
    """10% off is 9折, 15% off 8.5折."""
    return _number(round(10 - p / 10, 2)) + "折"


def _percent_of_zhe(x: float) -> float:
    """9折 is 10% off; 85折 (as sellers also write 8.5折) is 15% off."""
    return round(100 - (x / 10 if x >= 10 else x) * 10, 2)


def _percent(discount: str) -> float | None:
    m = _PCT.search(discount)
    p = float(m.group(1)) if m else None
    if p is None and (m := _ZHE.search(discount)):
        p = _percent_of_zhe(float(m.group(1)))
    return p if p is not None and 0 < p < 100 else None


def discount_problem(discount: str) -> str | None:
    """Why a written discount cannot be offered (English), or None: a percentage must be more than 0% and less
    than 100% ("150%", "100%", "0%" and "-20%" are refused, never rewritten into another figure)."""
    for m in _PCT.finditer(unicodedata.normalize("NFKC", discount)):
        if not 0 < float(m.group(1)) < 100:
            return (
                f"a percentage discount must be more than 0% and less than 100%, got {m.group(0).strip()!r}"
            )
    return None


def discount_phrase(discount: str, language: str) -> str:
    """The seller's discount as the message's language says it: "10% off" is "10% off", "9折", "diskaun 10%",
    "ส่วนลด 10%"…; "RM5 off", "满200减30" and "free shipping"/"包邮" likewise. A discount in no known form is kept
    as written."""
    d = unicodedata.normalize("NFKC", discount).strip()
    lang = language if language in _PHRASES["percent"] else "en"
    if _FREE_SHIPPING.search(d):
        return _PHRASES["free_shipping"][lang]
    if m := _THRESHOLD.search(d):
        return _PHRASES["threshold"][lang].format(a=m.group(1), b=m.group(2))
    p = _percent(d)
    if p is not None:
        return _PHRASES["percent"][lang].format(p=_number(p), zhe=_zhe_of_percent(p))
    if m := _AMOUNT.search(d):
        return _PHRASES["amount"][lang].format(a=m.group(1).replace(" ", ""))
    return d


def discount_equivalents(offer_text: str) -> str:
    """The same percentage discounts written the other way (10% <-> 9折), for checking a draft's figures
    against what the seller offered."""
    p = _percent(unicodedata.normalize("NFKC", offer_text))
    return f"{_number(p)}% {_zhe_of_percent(p)}" if p is not None else ""
