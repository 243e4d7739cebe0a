"""Normalising the values platforms export: money, dates, countries, emails and phone numbers."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import phonenumbers
import pycountry

from crm.importing.limits import AMOUNT_LIMIT, amount_problem, shown

# Time zone of a store by country (exports without an offset are in the store's local time).
COUNTRY_TIMEZONES: dict[str, str] = {
    "SG": "Asia/Singapore",
    "MY": "Asia/Kuala_Lumpur",
    "TH": "Asia/Bangkok",
    "PH": "Asia/Manila",
    "ID": "Asia/Jakarta",
    "VN": "Asia/Ho_Chi_Minh",
    "TW": "Asia/Taipei",
    "HK": "Asia/Hong_Kong",
    "CN": "Asia/Shanghai",
    "JP": "Asia/Tokyo",
    "KR": "Asia/Seoul",
    "IN": "Asia/Kolkata",
    "BR": "America/Sao_Paulo",
    "MX": "America/Mexico_City",
    "CO": "America/Bogota",
    "CL": "America/Santiago",
    # Amazon, eBay and TikTok Shop US report in Pacific time.
    "US": "America/Los_Angeles",
    "CA": "America/Toronto",
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "DE": "Europe/Berlin",
    "FR": "Europe/Paris",
    "ES": "Europe/Madrid",
    "IT": "Europe/Rome",
    "NL": "Europe/Amsterdam",
    "PL": "Europe/Warsaw",
    "SE": "Europe/Stockholm",
    "AU": "Australia/Sydney",
    "NZ": "Pacific/Auckland",
    "AE": "Asia/Dubai",
    "SA": "Asia/Riyadh",
}

# Names platforms and people use that pycountry does not know (lower-case).
_COUNTRY_ALIASES: dict[str, str] = {
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "usa": "US",
    "u.s.a.": "US",
    "u.s.": "US",
    "united states of america": "US",
    "america": "US",
    "vietnam": "VN",
    "viet nam": "VN",
    "south korea": "KR",
    "korea": "KR",
    "taiwan": "TW",
    "hong kong": "HK",
    "hong kong sar": "HK",
    "macau": "MO",
    "russia": "RU",
    "laos": "LA",
    "brunei": "BN",
    "türkiye": "TR",
    "turkey": "TR",
    "uae": "AE",
    "philippine": "PH",
    "新加坡": "SG",
    "马来西亚": "MY",
    "馬來西亞": "MY",
    "泰国": "TH",
    "泰國": "TH",
    "菲律宾": "PH",
    "菲律賓": "PH",
    "印度尼西亚": "ID",
    "印尼": "ID",
    "越南": "VN",
    "台湾": "TW",
    "台灣": "TW",
    "中国": "CN",
    "中國": "CN",
    "香港": "HK",
    "美国": "US",
    "美國": "US",
    "英国": "GB",
    "英國": "GB",
    "澳大利亚": "AU",
    "澳洲": "AU",
    "日本": "JP",
    "韩国": "KR",
    "indonesia": "ID",
    "ประเทศไทย": "TH",
    "ไทย": "TH",
    "việt nam": "VN",
    "malaysia": "MY",
    "singapore": "SG",
    "thailand": "TH",
    "philippines": "PH",
}

# Platform relay addresses: stable aliases within one platform, never a real shared identity.
_RELAY_EMAIL = re.compile(
    r"@(marketplace\.amazon\.[a-z.]+|members\.ebay\.[a-z.]+|[a-z0-9.-]*tiktokw?\.[a-z.]+|"
    r"[a-z0-9.-]*\.lazada\.[a-z.]+|privaterelay\.appleid\.com)$"
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MONEY_JUNK = re.compile(r"[^\d.,\-]")


class ValueProblem(ValueError):
    """A cell that cannot be read; the message is shown to the seller with the line number."""


class AmountOutOfRange(ValueProblem):
    """An amount that is a number but beyond what an order can hold (crm.importing.limits.AMOUNT_LIMIT)."""


def _bounded(amount: float) -> float:
    if -AMOUNT_LIMIT < amount < AMOUNT_LIMIT:
        return amount
    raise AmountOutOfRange(amount_problem(amount))


@lru_cache(maxsize=4096)
def country_code(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2 for a country name, code or local name; None when unknown or empty."""
    if value is None:
        return None
    v = str(value).strip()
    if not v:
        return None
    low = v.lower()
    if low in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[low]
    if len(v) == 2 and v.isalpha():
        c = pycountry.countries.get(alpha_2=v.upper())
        return c.alpha_2 if c else None
    try:
        return str(pycountry.countries.lookup(v).alpha_2)
    except LookupError:
        return None


def country_timezone(country: str | None, fallback: str) -> ZoneInfo:
    return _zone(COUNTRY_TIMEZONES.get(country or "", fallback))


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def parse_money(value: object) -> float | None:
    """'$1,234.50', '1.234,50', '-59524', 12.5 -> float; '' -> None."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        try:
            return _bounded(float(value))
        except OverflowError:  # an integer beyond any float
            raise AmountOutOfRange(f"amount {shown(str(value))} is out of range") from None
    s = str(value).strip()
    if not s:
        return None
    try:
        plain: float | None = float(s)  # the common case: a plain number
    except ValueError:
        plain = None
    if plain is not None:
        if not math.isfinite(plain):  # NaN, inf, or a number beyond any float (1e309)
            if s.lstrip("+-").lower() in {"nan", "inf", "infinity"}:
                raise ValueProblem(f"not an amount: {shown(s)!r}")
            raise AmountOutOfRange(
                f"amount {shown(s)} is out of range (amounts must be below {AMOUNT_LIMIT:,} in size)"
            )
        return _bounded(plain)
    negative = s.startswith("(") and s.endswith(")")
    s = _MONEY_JUNK.sub("", s)
    if not s or s in {"-", ".", ","}:
        raise ValueProblem(f"not an amount: {shown(str(value))!r}")
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):  # 1.234,50
            s = s.replace(".", "").replace(",", ".")
        else:  # 1,234.50
            s = s.replace(",", "")
    elif "," in s:
        head, _, tail = s.rpartition(",")
        s = s.replace(",", "") if len(tail) == 3 and head else s.replace(",", ".")
    try:
        out = float(s)
    except ValueError:
        raise ValueProblem(f"not an amount: {shown(str(value))!r}") from None
    if not math.isfinite(out):
        raise AmountOutOfRange(
            f"amount {shown(str(value))} is out of range (amounts must be below {AMOUNT_LIMIT:,} in size)"
        )
    return _bounded(-out if negative else out)


def parse_int(value: object, default: int = 1) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    try:
        return int(float(str(value).strip().replace(",", "")))
    except (ValueError, OverflowError):  # OverflowError: inf, 1e400
        raise ValueProblem(f"not a quantity: {shown(str(value))!r}") from None


_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%d %b %Y %H:%M",
    "%d %b %Y %H:%M:%S",
    "%d %b %Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%b-%d-%y",
    "%b-%d-%Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
)


_ISO_LIKE = re.compile(r"^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?$")


_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$")
_DAY_MON = re.compile(r"^(\d{1,2})[ -]([A-Za-z]{3})[ -](\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


@lru_cache(maxsize=64)
def _day_first(formats: tuple[str, ...], am_pm: bool) -> bool | None:
    """Whether 01/02/2026 is day-first under `formats`: the first slashed format of the same family (with AM/PM
    or without) decides, as strptime's order would; None when there is none."""
    first = next(
        (f for f in formats if f.startswith(("%d/%m/%Y", "%m/%d/%Y")) and ("%p" in f) == am_pm), None
    )
    return None if first is None else first.startswith("%d")


def _fast_parse(s: str, formats: tuple[str, ...]) -> datetime | None:
    """The platforms' numeric layouts without strptime (it costs ~10 µs a call on millions of rows).

    `formats` decides day-first or month-first for 01/02/2026; None when the text is not such a layout or not
    a real moment (e.g. 31/02: the formats then report it).
    """
    try:
        return _fast_layouts(s, formats)
    except ValueError:
        return None


def _fast_layouts(s: str, formats: tuple[str, ...]) -> datetime | None:
    m = _SLASHED.match(s)
    if m:
        day_first = _day_first(formats, bool(m[7]))
        if day_first is None:
            return None
        a, b, year, hour, minute = int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5])
        day, month = (a, b) if day_first else (b, a)
        if m[7]:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if m[7].lower() == "pm" else 0)
        return datetime(year, month, day, hour, minute, int(m[6] or 0))
    m = _DAY_MON.match(s)
    if m and m[2].lower() in _MONTHS:
        return datetime(int(m[3]), _MONTHS[m[2].lower()], int(m[1]), int(m[4]), int(m[5]), int(m[6] or 0))
    return None


@lru_cache(maxsize=4096)
def _parse_naive_or_aware(s: str, formats: tuple[str, ...]) -> datetime:
    fast = _fast_parse(s, formats)
    if fast is not None:
        return fast
    iso = _ISO_LIKE.match(s)
    if iso:  # ISO 8601 and Shopify's "2026-04-05 21:06:21 +0400": no need to try every format
        offset = iso.group(2) or ""
        if offset and offset != "Z" and ":" not in offset:
            offset = f"{offset[:3]}:{offset[3:]}"
        try:
            return datetime.fromisoformat(iso.group(1) + ("+00:00" if offset == "Z" else offset))
        except ValueError:
            pass
    for fmt in formats:
        try:
            return datetime.strptime(s, fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(s)
    except ValueError:
        pass
    if s.count(" ") >= 2 and (s[-5] in "+-"):  # Shopify: 2026-04-05 21:06:21 +0400
        try:
            return datetime.strptime(s, "%Y-%m-%d %H:%M:%S %z")
        except ValueError:
            pass
    raise ValueProblem(f"not a date: {shown(s)!r}")


def parse_datetime(value: object, tz: ZoneInfo, formats: tuple[str, ...] = _DATE_FORMATS) -> datetime | None:
    """A timestamp as an aware datetime; values without an offset are read in `tz` (the store's zone)."""
    if value is None:
        return None
    if type(value) is str:
        return _parse_text(value, tz, formats)
    return _parse_value(value, tz, formats)


@lru_cache(maxsize=16384)
def _parse_text(value: str, tz: ZoneInfo, formats: tuple[str, ...]) -> datetime | None:
    return _parse_value(value, tz, formats)


def _parse_value(value: object, tz: ZoneInfo, formats: tuple[str, ...]) -> datetime | None:
    if isinstance(value, datetime):
        dt = value
    else:
        s = str(value).strip()  # tabs too (TikTok Shop ends its times with one)
        if not s:
            return None
        if len(s) >= 16 and s[2] == "/":  # 31/12/2026 23:59[:59] and 12/31/2026 11:59:59 PM
            dt = _fast_parse(s, formats) or _parse_naive_or_aware(s, formats)
        elif len(s) >= 19 and s[4] == "-" and s[10] in " T" and type(value) is str:
            # ISO 8601 and Shopify's "2026-04-05 21:06:21 +0400" (one call; the general path ends the same)
            try:
                dt = datetime.fromisoformat(s)
            except ValueError:
                dt = _parse_naive_or_aware(s, formats)
        elif isinstance(value, float) or re.fullmatch(r"\d{5}(\.\d+)?", s):  # Excel serial date
            try:
                dt = datetime(1899, 12, 30) + timedelta(days=float(s))
            except (OverflowError, ValueError):  # beyond any date, NaN
                raise ValueProblem(f"not a date: {shown(s)!r}") from None
        else:
            dt = _parse_naive_or_aware(s, formats)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt


def normalise_email(value: object) -> str | None:
    """Trimmed, lower-cased email usable for merging; None for masked, relay or malformed addresses."""
    if value is None:
        return None
    s = str(value).strip().lower()
    if not s or "*" in s or not _EMAIL.match(s):
        return None
    if _RELAY_EMAIL.search(s):
        return None
    return s


def clean_email(value: object) -> str | None:
    """The email as shown to the seller (relay addresses kept, masked ones kept as masked)."""
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def clean_phone(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        value = f"{value:.0f}"
    s = str(value).strip().lstrip("'").strip()
    if s.endswith(".0") and s[:-2].replace("+", "").isdigit():
        s = s[:-2]
    return s or None


@lru_cache(maxsize=16384)
def normalise_phone(value: str | None, country: str | None) -> str | None:
    """E.164 with the record's country as default region; None for masked or impossible numbers."""
    if not value or "*" in value or "x" in value.lower().replace("ext", ""):
        return None
    digits = sum(ch.isdigit() for ch in value)
    if digits < 6:
        return None
    try:
        number = phonenumbers.parse(value, country or None)
    except phonenumbers.NumberParseException:
        return None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def currency_from_header(header: str) -> str | None:
    """'Total Discount(MYR)' -> 'MYR'."""
    m = re.search(r"\(([A-Z]{3})\)\s*$", header.strip())
    return m.group(1) if m else None
