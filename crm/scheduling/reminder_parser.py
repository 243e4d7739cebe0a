"""Plain-language reminders in English and Chinese: when (in the user's time zone), what, and about whom.

Offline and deterministic: the caller passes "now", so the same words always give the same due time.
Rules, in short (docs/reminders.md has the full list):
- relative: "in 3 days", "in 2 hours", "in half an hour", "3天后", "2小时后", "半小时后";
  a shift in days or weeks keeps the wall-clock time (DST-correct), hours and minutes are exact durations;
- days: today/tonight/tomorrow/day after tomorrow, 今天/今晚/明天/后天/大后天, weekdays ("Monday" = the
  next Monday after today, "next Monday" = Monday of next week; 周一/星期一, 下周一, 本周五), "next week"/下周
  (its Monday), "next month"/下个月 (its 1st), dates ("5 Dec", "December 5 2026", "2026-12-05", 12月5日);
- times: "10am", "9:30", "3.15pm", "at 3" (1-6 without am/pm = afternoon), noon, midnight,
  morning (9:00), afternoon (14:00), evening/tonight (19:00), 上午/下午/晚上 N点(半/N分);
- a day without a time means 09:00; a time without a day means today, or tomorrow when it has passed.
Local times that do not exist (the hour skipped when DST starts) move forward with the clock; ambiguous ones
(the hour repeated when DST ends) take the first occurrence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

DEFAULT_HOUR = 9
PART_OF_DAY = {"morning": 9, "noon": 12, "afternoon": 14, "evening": 19, "night": 19, "eod": 17}

ErrorReason = Literal["no_time", "past", "empty", "bad_time", "too_far"]
MAX_AHEAD = timedelta(days=5 * 366)


class ReminderParseError(ValueError):
    """The text is not a reminder we can schedule; `reason` says why (the bot asks accordingly)."""

    def __init__(self, reason: ErrorReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ParsedReminder:
    due_at: datetime  # aware, UTC
    local_due: datetime  # the same moment in the user's time zone
    text: str  # what to do, as the user wrote it (time words removed)
    customer_ref: str | None  # a name the text mentions ("Alice", "王小姐"), to look up among customers
    language: Literal["en", "zh"]
    timezone: str


# ----------------------------------------------------------------------------------------------------
# numbers
# ----------------------------------------------------------------------------------------------------
_EN_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty-five": 45,
    "a couple of": 2,
    "couple of": 2,
    "a few": 3,
    "few": 3,
}
_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
ZH_NUM = r"[0-9零〇一二两俩三四五六七八九十]+"


def zh_number(text: str) -> int:
    """Chinese or Arabic numerals up to 99: 3, 十, 十二, 二十, 二十五, 两."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_ZH_DIGITS.get(tens, 1) if tens else 1) * 10 + (_ZH_DIGITS.get(ones, 0) if ones else 0)
    value = 0
    for ch in text:
        if ch not in _ZH_DIGITS:
            raise ValueError(text)
        value = value * 10 + _ZH_DIGITS[ch]
    return value


def _en_number(text: str) -> int:
    text = text.strip().lower()
    return int(text) if text.isdigit() else _EN_NUMBERS[text]


# ----------------------------------------------------------------------------------------------------
# what was found
# ----------------------------------------------------------------------------------------------------
@dataclass
class _Found:
    day: date | None = None
    day_is_relative: bool = False  # "in 3 days": keep the current wall-clock time
    exact: timedelta | None = None  # "in 2 hours"
    clock: time | None = None
    part: str | None = None  # morning / afternoon / evening ...
    spans: list[tuple[int, int]] = field(default_factory=list)

    def take(self, m: re.Match[str], group: int = 0) -> None:
        self.spans.append(m.span(group))

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self.spans)


_WEEKDAYS_EN = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
_MONTHS_EN = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_WEEKDAYS_ZH = {
    "一": 0,
    "1": 0,
    "二": 1,
    "2": 1,
    "三": 2,
    "3": 2,
    "四": 3,
    "4": 3,
    "五": 4,
    "5": 4,
    "六": 5,
    "6": 5,
    "日": 6,
    "天": 6,
    "7": 6,
}

_UNIT = r"(minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?)"
_EN_COUNT = (
    r"(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty-five|a couple of|couple of|a few|few)"
)
_EN_RELATIVE = re.compile(
    rf"\b(?:in|after)\s+{_EN_COUNT}\s*{_UNIT}\b|\b{_EN_COUNT}\s*{_UNIT}\s+(?:from now|later)\b", re.IGNORECASE
)
_EN_HALF_HOUR = re.compile(
    r"\b(?:in|after)\s+(?:half an hour|30 ?mins?)\b|\bhalf an hour from now\b", re.IGNORECASE
)
_EN_DAY_WORDS = re.compile(
    r"\b(the day after tomorrow|day after tomorrow|tomorrow|tmrw|tmr|today|tonight)\b", re.IGNORECASE
)
_EN_NEXT_WEEKDAY = re.compile(
    r"\b(next|this|coming|on)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(next|this|coming|on)\s+(mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\b",
    re.IGNORECASE,
)
_EN_NEXT_PERIOD = re.compile(r"\b(next week|next month)\b", re.IGNORECASE)
_EN_ISO_DATE = re.compile(r"\b(?:on\s+)?(\d{4})-(\d{1,2})-(\d{1,2})\b")
_MONTH_NAMES = "|".join(sorted(_MONTHS_EN, key=len, reverse=True))
_EN_DAY_MONTH = re.compile(
    rf"\b(?:on\s+)?(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_NAMES})\.?"
    rf"(?:,?\s+(\d{{4}}))?\b",
    re.IGNORECASE,
)
_EN_MONTH_DAY = re.compile(
    rf"\b(?:on\s+)?({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.IGNORECASE
)
_EN_TIME = re.compile(
    r"\b(?:at\s+|by\s+|@\s*)?(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)(?![a-z])"
    r"|\b(?:at\s+|by\s+|@\s*)?(\d{1,2})[:](\d{2})\b"
    r"|\b(?:at|by)\s+(\d{1,2})\.(\d{2})\b"
    r"|\b(?:at|by)\s+(\d{1,2})(?![\d:.]|\s*(?:%|days?|hours?|weeks?|months?|mins?|minutes?))\b",
    re.IGNORECASE,
)
_EN_PART = re.compile(
    r"\b(?:(?:in the|this|at)\s+)?(morning|noon|midday|afternoon|evening|night|midnight|"
    r"end of (?:the )?day|eod)\b",
    re.IGNORECASE,
)

_ZH_RELATIVE = re.compile(
    rf"(?:过)?({ZH_NUM}|半)\s*(?:个)?\s*(分钟|小时|钟头|天|日|周|星期|礼拜|月)(?:以后|之后|后)"
    rf"|过\s*({ZH_NUM}|半)\s*(?:个)?\s*(分钟|小时|钟头|天|周|星期|礼拜|月)"
)
_ZH_HALF_HOUR = re.compile(r"半(?:个)?(?:小时|钟头)(?:以后|之后|后)")
_ZH_DAY_WORDS = re.compile(r"(大后天|后天|明天|明日|明早|明晚|今天|今日|今晚|今早)")
_ZH_WEEKDAY = re.compile(r"(下下|下|这|本|这个|下个)?\s*(?:周|星期|礼拜)([一二三四五六日天1-7])")
_ZH_NEXT_PERIOD = re.compile(r"(下周|下星期|下礼拜|下个星期|下个礼拜|下个月|下月)(?![一二三四五六日天1-7])")
_ZH_DATE = re.compile(rf"(?:(\d{{4}})\s*年\s*)?({ZH_NUM})\s*月\s*({ZH_NUM})\s*[日号]")
_ZH_PART = r"(上午|早上|早晨|清早|中午|下午|傍晚|晚上|夜里|凌晨)"
_ZH_TIME = re.compile(rf"{_ZH_PART}?\s*({ZH_NUM})\s*(?:点|时|:|：)\s*(半|一刻|三刻|{ZH_NUM}\s*分?|[0-5]\d)?")
_ZH_PART_ONLY = re.compile(_ZH_PART)
_ZH_PART_HOURS = {
    "上午": "morning",
    "早上": "morning",
    "早晨": "morning",
    "清早": "morning",
    "中午": "noon",
    "下午": "afternoon",
    "傍晚": "evening",
    "晚上": "evening",
    "夜里": "evening",
    "凌晨": "small",
}

_EN_LEAD = re.compile(
    r"^\s*(?:(?:please|pls|hey|ok|okay)[\s,]+)*(?:(?:can you|could you|would you)\s+)?"
    r"(?:remind me\s+(?:to|about|that|of)?|set (?:a |an )?reminder\s*(?:to|for|about)?|"
    r"reminder\s*[:：]?\s*(?:to)?|remind\s+(?:me\s+)?(?:to)?)\s*",
    re.IGNORECASE,
)
_EN_CONNECTORS = re.compile(
    r"^(?:[\s,;:.-]|\b(?:to|at|on|by|in|for|and|then|about|remind me(?: to)?)\b)+|"
    r"(?:[\s,;:-]|\b(?:to|at|on|by|in|for|and|remind me)\b)+$",
    re.IGNORECASE,
)
_ZH_FILLER = re.compile(
    r"(?:请|麻烦|帮我|帮忙)?(?:记得)?(?:提醒我|提醒一下我|叫我|提醒一下|设置提醒|设个提醒|设一个提醒|"
    r"添加提醒|记得提醒我|提醒)|^(?:请|麻烦|记得)"
)
_ZH_EDGE = re.compile(r"^[\s，,。.:：、要去再的]+|[\s，,。.:：、的]+$")

_HONORIFIC = r"(?:先生|小姐|女士|太太|夫人|老板|老师|经理|总|姐|哥)"
_ZH_REF = [
    re.compile(rf"((?:欧阳|司马|上官|诸葛|东方|皇甫|令狐|慕容|司徒|夏侯|[\u4e00-\u9fff]){_HONORIFIC})"),
    re.compile(
        r"(?:给|跟|和|联系|打给|致电|回访|跟进|问问|通知)\s*([A-Za-z][A-Za-z0-9.\-]*(?: [A-Z][A-Za-z0-9.\-]*)?|@[\w.]+)"
    ),
    re.compile(r"给\s*([\u4e00-\u9fff]{2,4}?)\s*(?:发|打|寄|回|送)"),
    re.compile(r"(?:联系|回访|跟进|问问|通知|打给|致电)\s*([\u4e00-\u9fff]{2,3})$"),
]
_EN_REF = [
    re.compile(r"(@[\w.]+)"),
    re.compile(
        r"\b(?:with|to|call|ping|message|msg|email|e-mail|text|contact|phone|visit|thank|invoice|"
        r"pay|chase|remind)\s+((?:[A-Z][\w'’.-]*|[\u4e00-\u9fff]{2,4})(?:\s+[A-Z][\w'’.-]*){0,2})"
    ),
]
_NOT_NAMES = {
    "I",
    "Me",
    "My",
    "The",
    "Shopee",
    "Lazada",
    "Tiktok",
    "TikTok",
    "Amazon",
    "Ebay",
    "EBay",
    "Shopify",
    "VIP",
    "VIPs",
    "All",
    "Everyone",
    "Team",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
}


# ----------------------------------------------------------------------------------------------------
# the parser
# ----------------------------------------------------------------------------------------------------
def parse_reminder(
    text: str, *, now: datetime, timezone: str, default_hour: int = DEFAULT_HOUR, allow_empty: bool = False
) -> ParsedReminder:
    """Read a reminder; raises ReminderParseError (no time, time in the past, nothing to do...).

    `allow_empty` accepts a bare time ("Friday 3pm"), as when a reminder is moved."""
    tz = ZoneInfo(timezone)
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    local_now = now.astimezone(tz)
    raw = unicodedata.normalize("NFKC", text or "").strip()
    language: Literal["en", "zh"] = "zh" if re.search(r"[\u4e00-\u9fff]", raw) else "en"
    found = _Found()
    _scan_zh(raw, found, local_now)  # Chinese time words first: they never collide with English ones
    _scan_en(raw, found, local_now)
    due_local = _resolve(found, local_now, tz, default_hour)
    what = _task_text(raw, found.spans, language)
    if not what and not allow_empty:
        raise ReminderParseError("empty", "What should I remind you about?")
    if due_local <= local_now:
        raise ReminderParseError("past", f"{due_local:%Y-%m-%d %H:%M} has already passed")
    if due_local - local_now > MAX_AHEAD:
        raise ReminderParseError("too_far", "That is more than five years ahead")
    return ParsedReminder(
        due_at=due_local.astimezone(UTC),
        local_due=due_local,
        text=what,
        customer_ref=find_customer_ref(what),
        language=language,
        timezone=timezone,
    )


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """A wall-clock time on a local day, normalised through UTC (a time skipped by DST moves forward)."""
    naive = datetime.combine(day, clock)
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


def _resolve(f: _Found, now: datetime, tz: ZoneInfo, default_hour: int) -> datetime:
    if f.exact is not None:
        return (now.astimezone(UTC) + f.exact).astimezone(tz).replace(second=0, microsecond=0) + (
            timedelta(minutes=1) if now.second or now.microsecond else timedelta()
        )
    clock = f.clock
    if clock is None and f.part is not None:
        clock = time(PART_OF_DAY.get(f.part, default_hour))
    if f.day is None and clock is None:
        raise ReminderParseError("no_time", "When? For example: tomorrow 10am, in 3 days, next Monday 9:30")
    if f.day is None:
        assert clock is not None
        candidate = _at(now.date(), clock, tz)
        return candidate if candidate > now else _at(now.date() + timedelta(days=1), clock, tz)
    if clock is None:
        clock = now.time().replace(second=0, microsecond=0) if f.day_is_relative else time(default_hour)
    return _at(f.day, clock, tz)


def _weekday_after(today: date, weekday: int) -> date:
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead or 7)


def _next_week(today: date, weekday: int) -> date:
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    return monday + timedelta(days=weekday)


def _add_months(d: date, k: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + k, 12)
    return date(y, m + 1, 1)


def _set_day(f: _Found, d: date, m: re.Match[str], relative: bool = False, group: int = 0) -> None:
    if f.day is None and f.exact is None and f.free(*m.span(group)):
        f.day, f.day_is_relative = d, relative
        f.take(m, group)


def _safe_date(y: int, mo: int, d: int) -> date:
    try:
        return date(y, mo, d)
    except ValueError:
        raise ReminderParseError("bad_time", f"{y}-{mo:02d}-{d:02d} is not a date") from None


def _upcoming(today: date, month: int, day: int, year: int | None) -> date:
    if year is not None:
        return _safe_date(year, month, day)
    candidate = _safe_date(today.year, month, day) if (month, day) != (2, 29) else date(today.year, 3, 1)
    return candidate if candidate >= today else _safe_date(today.year + 1, month, day)


def _relative(f: _Found, count: float, unit: str, m: re.Match[str], today: date) -> None:
    if not f.free(*m.span()) or f.exact is not None or f.day is not None:
        return
    unit = unit.lower()
    if unit.startswith(("min", "分")):
        f.exact = timedelta(minutes=count)
    elif unit.startswith(("h", "小", "钟")):
        f.exact = timedelta(hours=count)
    elif unit.startswith(("d", "天", "日")):
        f.day, f.day_is_relative = today + timedelta(days=int(count)), True
    elif unit.startswith(("w", "周", "星", "礼")):
        f.day, f.day_is_relative = today + timedelta(days=7 * int(count)), True
    else:  # months: the same day number, clamped to the month's end
        first = _add_months(today, int(count))
        last_day = (_add_months(first, 1) - timedelta(days=1)).day
        f.day, f.day_is_relative = first.replace(day=min(today.day, last_day)), True
    f.take(m)


def _hour24(hour: int, minute: int, ampm: str | None, part: str | None) -> time:
    if ampm:
        pm = ampm.lower().startswith("p")
        if not 1 <= hour <= 12:
            raise ReminderParseError("bad_time", f"{hour}{ampm} is not a time")
        hour = hour % 12 + (12 if pm else 0)
    elif (part in ("afternoon", "evening", "night") and 1 <= hour < 12) or (
        part == "noon" and 1 <= hour <= 3
    ):
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ReminderParseError("bad_time", f"{hour}:{minute:02d} is not a time")
    return time(hour, minute)


def _scan_en(t: str, f: _Found, now: datetime) -> None:
    today = now.date()
    for m in _EN_HALF_HOUR.finditer(t):
        if f.free(*m.span()) and f.exact is None and f.day is None:
            f.exact = timedelta(minutes=30)
            f.take(m)
    for m in _EN_RELATIVE.finditer(t):
        count, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        _relative(f, _en_number(count), unit, m, today)
    for m in _EN_ISO_DATE.finditer(t):
        _set_day(f, _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3))), m)
    for m in _EN_DAY_MONTH.finditer(t):
        year = int(m.group(3)) if m.group(3) else None
        _set_day(f, _upcoming(today, _MONTHS_EN[m.group(2).lower()], int(m.group(1)), year), m)
    for m in _EN_MONTH_DAY.finditer(t):
        if m.group(1).lower() == "may" and not re.match(r"\s+\d", t[m.end(1) :]):
            continue
        year = int(m.group(3)) if m.group(3) else None
        _set_day(f, _upcoming(today, _MONTHS_EN[m.group(1).lower()], int(m.group(2)), year), m)
    for m in _EN_DAY_WORDS.finditer(t):
        word = m.group(1).lower()
        if word in ("tomorrow", "tmrw", "tmr"):
            _set_day(f, today + timedelta(days=1), m)
        elif "after" in word:
            _set_day(f, today + timedelta(days=2), m)
        else:
            _set_day(f, today, m)
            if word == "tonight" and f.part is None:
                f.part = "evening"
    for m in _EN_NEXT_PERIOD.finditer(t):
        if m.group(1).lower() == "next week":
            _set_day(f, _next_week(today, 0), m)
        else:
            _set_day(f, _add_months(today, 1), m)
    for m in _EN_NEXT_WEEKDAY.finditer(t):
        prefix = (m.group(1) or m.group(3) or "").lower()
        weekday = _WEEKDAYS_EN[(m.group(2) or m.group(4)).lower()]
        _set_day(f, _next_week(today, weekday) if prefix == "next" else _weekday_after(today, weekday), m)
    parts = [m for m in _EN_PART.finditer(t) if f.free(*m.span())]
    for m in parts:
        word = m.group(1).lower()
        word = {"midday": "noon", "end of day": "eod", "end of the day": "eod"}.get(word, word)
        if word == "midnight":
            if f.clock is None:
                f.clock = time(0)
                if f.day is None:
                    f.day = today + timedelta(days=1)
            f.take(m)
            continue
        f.part = f.part or word
        f.take(m)
    for m in _EN_TIME.finditer(t):
        if not f.free(*m.span()) or f.clock is not None or f.exact is not None:
            continue
        if m.group(1):
            hour, minute, ampm = int(m.group(1)), int(m.group(2) or 0), m.group(3)
        elif m.group(4):
            hour, minute, ampm = int(m.group(4)), int(m.group(5)), None
        elif m.group(6):
            hour, minute, ampm = int(m.group(6)), int(m.group(7)), None
        else:
            hour, minute, ampm = int(m.group(8)), 0, None
            if f.part is None and 1 <= hour <= 6:
                ampm = "pm"
        f.clock = _hour24(hour, minute, ampm, f.part)
        f.take(m)


def _scan_zh(t: str, f: _Found, now: datetime) -> None:
    if not re.search(r"[\u4e00-\u9fff]", t):
        return
    today = now.date()
    for m in _ZH_HALF_HOUR.finditer(t):
        if f.free(*m.span()) and f.exact is None:
            f.exact = timedelta(minutes=30)
            f.take(m)
    for m in _ZH_RELATIVE.finditer(t):
        count_s, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if count_s == "半":
            if unit in ("小时", "钟头"):
                _relative(f, 30, "分钟", m, today)
            continue
        _relative(f, zh_number(count_s), unit, m, today)
    for m in _ZH_DATE.finditer(t):
        year = int(m.group(1)) if m.group(1) else None
        _set_day(f, _upcoming(today, zh_number(m.group(2)), zh_number(m.group(3)), year), m)
    for m in _ZH_DAY_WORDS.finditer(t):
        word = m.group(1)
        offset = {"今": 0, "明": 1, "后": 2, "大": 3}[word[0]]
        _set_day(f, today + timedelta(days=offset), m)
        if word[1:] in ("晚",) and f.part is None:
            f.part = "evening"
        elif word[1:] in ("早",) and f.part is None:
            f.part = "morning"
    for m in _ZH_WEEKDAY.finditer(t):
        prefix, weekday = m.group(1) or "", _WEEKDAYS_ZH[m.group(2)]
        if prefix in ("下", "下个"):
            day = _next_week(today, weekday)
        elif prefix == "下下":
            day = _next_week(today, weekday) + timedelta(days=7)
        elif prefix in ("这", "本", "这个"):
            day = today - timedelta(days=today.weekday()) + timedelta(days=weekday)
        else:
            day = _weekday_after(today, weekday)
        _set_day(f, day, m)
    for m in _ZH_NEXT_PERIOD.finditer(t):
        _set_day(f, _add_months(today, 1) if "月" in m.group(1) else _next_week(today, 0), m)
    for m in _ZH_TIME.finditer(t):
        if not f.free(*m.span()) or f.clock is not None or f.exact is not None:
            continue
        part = _ZH_PART_HOURS.get(m.group(1) or "") or f.part
        hour = zh_number(m.group(2))
        tail = (m.group(3) or "").replace("分", "").strip()
        minute = {"半": 30, "一刻": 15, "三刻": 45, "": 0}.get(tail)
        if minute is None:
            minute = zh_number(tail)
        if part is None and 1 <= hour <= 6:
            part = "afternoon"
        if part == "small":
            part = None
        f.clock = _hour24(hour, minute, None, part)
        f.take(m)
    for m in _ZH_PART_ONLY.finditer(t):
        if f.free(*m.span()):
            part = _ZH_PART_HOURS[m.group(1)]
            f.part = f.part or ("morning" if part == "small" else part)
            f.take(m)


# ----------------------------------------------------------------------------------------------------
# the task text and the customer it mentions
# ----------------------------------------------------------------------------------------------------
def _task_text(raw: str, spans: list[tuple[int, int]], language: str) -> str:
    keep = []
    last = 0
    for start, end in sorted(spans):
        keep.append(raw[last:start])
        keep.append(" ")
        last = max(last, end)
    keep.append(raw[last:])
    text = "".join(keep)
    if language == "zh":
        text = _ZH_FILLER.sub(" ", text)
    text = _EN_LEAD.sub("", text)
    text = re.sub(r"\s+", " ", text).strip()
    for _ in range(3):
        text = _EN_CONNECTORS.sub("", text).strip()
        text = _ZH_EDGE.sub("", text).strip()
    if language == "zh":
        text = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", text)
    return text[:500]


def find_customer_ref(text: str) -> str | None:
    """The person a reminder is about, when the text names one ("follow up with Alice" -> "Alice")."""
    for pattern in _ZH_REF:
        for m in pattern.finditer(text):
            name = m.group(1).strip()
            if name.split()[0] not in _NOT_NAMES:
                return name
    for pattern in _EN_REF:
        for m in pattern.finditer(text):
            words = [w for w in m.group(1).split() if w not in _NOT_NAMES]
            if words and words[0] == m.group(1).split()[0]:
                return " ".join(words)
    return None
