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

from crm.scheduling.reminder_parser import ReminderParseError, parse_reminder

# The keyword is matched in any case; the code itself must look like one (capitals and digits, as sellers
# and platforms write codes), so "a coupon for Tan" finds no code.
_COUPON = re.compile(
    r"(?i:\b(?:promo(?:tion)?|voucher|discount|coupon)\s+code|\bcode|\bcoupon|\bvoucher|优惠码|折扣码|优惠券码|券码|兑换码)"
    r"\s*[:：=]?\s*[\"'“]?([A-Z0-9][A-Z0-9_-]{2,23})\b")
_MONEY = r"(?:RM|S\$|US\$|SGD|MYR|USD|THB|IDR|VND|PHP|CNY|RMB|Rp\.?|₱|฿|₫|¥|\$)"
_DISCOUNTS = (
    (re.compile(r"(\d{1,2}(?:\.\d+)?)\s*%\s*(?:off|discount)?", re.IGNORECASE), lambda m: f"{m.group(1)}% off"),
    (re.compile(rf"({_MONEY}\s?\d[\d,.]*|\d[\d,.]*\s?{_MONEY})\s*(?:off|discount)", re.IGNORECASE),
     lambda m: f"{m.group(1)} off"),
    (re.compile(r"满\s*\d+\s*减\s*\d+\s*元?"), lambda m: re.sub(r"\s", "", m.group(0))),
    (re.compile(r"(?:立减|减)\s*\d+(?:\.\d+)?\s*元?"), lambda m: re.sub(r"\s", "", m.group(0))),
    (re.compile(r"(?<![\d.])\d(?:\.\d)?\s*折"), lambda m: re.sub(r"\s", "", m.group(0))),
    (re.compile(r"\bfree (?:shipping|delivery)\b", re.IGNORECASE), lambda m: "free shipping"),
    (re.compile(r"包邮|免运费"), lambda m: m.group(0)),
)
_EXPIRY = (
    re.compile(r"\b(?:valid\s+(?:until|till|through|thru|to)|until|till|expir(?:es|ing|y)(?:\s+on)?|ends?\s+on|"
               r"good\s+(?:until|till|through))\s+(?:the\s+)?"
               r"([^,;.，。；]{2,30}?)(?=\s*(?:$|[,;.，。；]|\s+(?:and|with|for|to|in|plus)\b))", re.IGNORECASE),
    re.compile(r"(?:有效期至|有效期到|截止到|截止|截至|到期日?为?)\s*([^,;，。；\s]{2,12})"),
)
# Words left hanging at the end once the offer is cut out ("... for Tan with a coupon for").
_DANGLING = re.compile(r"(?:\s+(?:with|and|plus|using|incl\.?|including|for|of|a|an|the|coupon|voucher|discount|"
                       r"offer|promo|code|,))+\s*$|[,，、\s]+$", re.IGNORECASE)


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
    try:
        parsed = parse_reminder(phrase, now=now, timezone=timezone, allow_empty=True)
    except ReminderParseError:
        return None
    if parsed.text:  # words left over: not (only) a date
        return None
    return parsed.local_due.date()
