"""Period words in questions: the patterns that read "last month", "Q3 2025", "3月到5月" into a Period.

The parser scans each question with `_Periods`; every pattern yields a Period, FUTURE or BAD_DATE.
"""

from __future__ import annotations

import calendar
import itertools
import re
from datetime import date, datetime, timedelta
from typing import Any

from crm.query.ir import Period
from crm.query.parsing.scan import BAD_DATE, FUTURE, SAME_PERIOD, Scan
from crm.regex import DIGIT, LATIN, classes_in, could_match, lazy, needing

MONTHS = {
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
_MONTH_RE = (
    r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|"
    r"apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_ORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": 4}
_ORD_RE = r"(first|1st|second|2nd|third|3rd|fourth|4th)"
_ABSOLUTE = ("month", "quarter", "year", "range")
_SINCE_RELATIVE = ("last_month", "last_quarter", "last_year", "last_week", "yesterday")
_RANGE_TO_RE = lazy(r"\s*(?:to|until|till|through|thru|-|–|~|至|到)\s*")
# group 1: a word that means "since" on its own; 从 ("from") needs an ending: 从3月以来, 从3月到现在
_SINCE_BEFORE_RE = lazy(
    r"(?:(?<![a-z])(ever since|since|starting from|starting|beginning|"
    r"from the (?:start|beginning) of)|(自从|自)|从)\s*(?:the\s+)?"
    r"(?:(?:start|beginning) of\s+)?$",
    needs=("beginning", "from the ", "since", "starting", "从", "自"),
)
_SINCE_AFTER_RE = lazy(
    r"\s*(?:以来|至今|迄今|起|开始|到现在|到今天|到目前为止|到目前|至现在|"
    r"(?:up )?(?:to|until|till) (?:now|today|date)|onwards?)"
)
# Shopping festivals sellers name as days; Black Friday and Cyber Monday move with the US Thanksgiving.
_SALE_DAYS = {
    "11.11": (11, 11),
    "12.12": (12, 12),
    "6.18": (6, 18),
    "black friday": (0, 0),
    "cyber monday": (0, 0),
}
_SALE_RE = r"双\s*(?:11|十一)|双\s*(?:12|十二)|(?<![\d.])618(?![\d.])|black\s+friday|黑色星期五|黑五|cyber\s+monday|网络星期一"


def _sale_name(written: str) -> str:
    w = re.sub(r"\s+", " ", written)
    if "11" in w or "十一" in w:
        return "11.11"
    if "12" in w or "十二" in w:
        return "12.12"
    if "618" in w:
        return "6.18"
    return "cyber monday" if ("cyber" in w or "网络" in w) else "black friday"


# What may follow a sale day's name: "the 11.11 sale", "双十一大促", "双十一当天" ("sales" is revenue)
_SALE_WORD = r"(?:\s+(?:sale|campaign|promo|promotion|shopping\s+festival)(?![a-z])|\s*(?:大促|购物节|活动|当天|那天|期间))?"
# A day-first numeric date ("15/10", "1.10.2026", "11.11"); the second form ends a range ("to 15/10").
_DM = r"(?<![\d/.])(\d{1,2})[/.](\d{1,2})(?:[/.](\d{4}))?(?![\d/.])"
_DM2 = r"(\d{1,2})[/.](\d{1,2})(?:[/.](\d{4}))?(?![\d/.])"
_DM_AMBIGUOUS_RE = lazy(r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?:/(\d{4}))?(?![\d/.])", needs=DIGIT)


def day_first_readings(normalised: str, language: str = "en") -> list[tuple[str, str]]:
    """How each slash date that could be read either way ("1/10") was read: day first, as sellers here write."""
    out = []
    for m in _DM_AMBIGUOUS_RE.finditer(normalised):
        d, mo = int(m[1]), int(m[2])
        if d != mo and d <= 12 and mo <= 12:
            if language == "zh":
                out.append((m[0], (f"{m[3]}年" if m[3] else "") + f"{mo}月{d}日"))
            else:
                out.append((m[0], f"{d} {calendar.month_abbr[mo]}" + (f" {m[3]}" if m[3] else "")))
    return out


_THIS = {
    "今年": "this_year",
    "本年": "this_year",
    "本月": "this_month",
    "这个月": "this_month",
    "本季度": "this_quarter",
    "这个季度": "this_quarter",
    "本周": "this_week",
    "这周": "this_week",
}
__all__ = [
    "BAD_DATE",
    "FUTURE",
    "MONTHS",
    "SAME_PERIOD",
    "SHIFT_DEFAULT",
    "_Periods",
    "_add_months",
    "day_first_readings",
    "scan_shift",
]


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# "the first week of November", "11月第一周"; 0 is the month's last seven days.
_WEEK_ORDINALS = {
    **dict.fromkeys(("first", "1st", "1", "一"), 1),
    **dict.fromkeys(("second", "2nd", "2", "二"), 2),
    **dict.fromkeys(("third", "3rd", "3", "三"), 3),
    **dict.fromkeys(("fourth", "4th", "4", "四"), 4),
    **dict.fromkeys(("last", "final", "最后"), 0),
}
# "early/mid/late October", "10月上旬/中旬/下旬": which ten days
_THIRDS = {
    **dict.fromkeys(("early", "beginning", "start", "上旬", "初"), 1),
    **dict.fromkeys(("mid", "middle", "中旬"), 2),
    **dict.fromkeys(("late", "end", "下旬", "底", "末"), 3),
}

# How many calendar months a named period moves by when it is compared with the one before it.
_MONTHS_OF = {
    "this_month": 1,
    "last_month": 1,
    "month": 1,
    "this_quarter": 3,
    "last_quarter": 3,
    "quarter": 3,
    "this_year": 12,
    "last_year": 12,
    "year": 12,
}

# Words that compare a period with the one before it, or with the same days a year earlier: (how, unit), where
# the unit names the period a question without one means ("revenue w/w": this week against the week before).
SHIFT_PATTERNS: tuple[tuple[str, tuple[str, str | None]], ...] = (
    (r"(?<![a-z])(?:yoy|y-o-y|year[\s-]+(?:over|on)[\s-]+year)(?![a-z])|同比", ("year", None)),
    (r"(?<![a-z])(?:mom|m-o-m|month[\s-]+(?:over|on)[\s-]+month)(?![a-z])", ("previous", "month")),
    (
        r"(?<![a-z])(?:w-o-w|week[\s-]+(?:over|on)[\s-]+week|wow(?=\s+(?:growth|change)))(?![a-z])",
        ("previous", "week"),
    ),
    (r"(?<![a-z])(?:qoq|q-o-q|quarter[\s-]+(?:over|on)[\s-]+quarter)(?![a-z])", ("previous", "quarter")),
    (r"(?<![a-z])(?:dod|day[\s-]+(?:over|on)[\s-]+day)(?![a-z])", ("previous", "day")),
    (
        r"环比|(?:than|vs\.?|versus|compared\s+(?:to|with)|against|over)\s+(?:the\s+)?(?:previous|prior|preceding)\s+"
        r"period|上一?期(?!间)",
        ("previous", None),
    ),
)
# The period a shift word means when the question names none.
SHIFT_DEFAULT = {"week": "this_week", "month": "this_month", "quarter": "this_quarter", "day": "today"}


def scan_shift(s: Scan) -> None:
    """Claim the words that compare a period with an earlier one ("w/w", "yoy", "环比"), before the periods."""
    for pattern, value in SHIFT_PATTERNS:
        for m in re.finditer(pattern, s.text):
            s.claim(m.start(), m.end(), "shift", value)


def _add_months(d: date, k: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + k, 12)
    last = [
        31,
        29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][m]
    return date(y, m + 1, min(d.day, last))


class _Periods:
    """Period patterns over normalised text; each yields a Period, FUTURE or BAD_DATE."""

    def __init__(self, ref: date, as_of_local: datetime) -> None:
        self.ref = ref  # the as-of local date (the last day the data covers)
        self.as_of_local = as_of_local

    # helpers ------------------------------------------------------------------------------------------
    def month(self, y: int, m: int) -> Any:
        if not 1 <= m <= 12 or not 2000 <= y <= 2100:
            return BAD_DATE
        if date(y, m, 1) > self.ref:
            return FUTURE
        return Period(kind="month", year=y, month=m)

    def quarter(self, y: int, q: int) -> Any:
        if not 1 <= q <= 4 or not 2000 <= y <= 2100:
            return BAD_DATE
        if date(y, 3 * (q - 1) + 1, 1) > self.ref:
            return FUTURE
        return Period(kind="quarter", year=y, quarter=q)

    def year(self, y: int) -> Any:
        if not 2000 <= y <= 2100:
            return BAD_DATE
        if y > self.ref.year:
            return FUTURE
        return Period(kind="year", year=y)

    def bare_quarter(self, q: int) -> Any:
        # The most recent Q<q> that has ended or is in progress at the as-of date.
        cur_q = (self.ref.month - 1) // 3 + 1
        return self.quarter(self.ref.year if q <= cur_q else self.ref.year - 1, q)

    def bare_month(self, m: int) -> Any:
        return self.month(self.ref.year if m <= self.ref.month else self.ref.year - 1, m)

    def half(self, y: int, h: int) -> Any:
        start = date(y, 1 if h == 1 else 7, 1)
        if start > self.ref:
            return FUTURE
        return Period(kind="range", start=start, end=_add_months(start, 6))

    def bare_half(self, h: int) -> Any:
        y = self.ref.year if (h == 1 or self.ref.month >= 7) else self.ref.year - 1
        return self.half(y, h)

    def last_n(self, n: int, unit: str) -> Any:
        if n <= 0:
            return BAD_DATE
        end = self.as_of_local.date() if self.as_of_local.time() == datetime.min.time() else self.ref
        if unit in ("day", "days", "天", "日"):
            days = n
        elif unit in ("week", "weeks", "周", "星期", "个星期", "礼拜", "个礼拜", "wk", "wks"):
            days = 7 * n
        elif unit in ("month", "months", "个月", "月", "mo", "mos"):
            days = (end - _add_months(end, -n)).days
        elif unit in ("year", "years", "年", "yr", "yrs"):
            days = (end - _add_months(end, -12 * n)).days
        else:
            return BAD_DATE
        if days > 3660:
            return BAD_DATE
        return Period(kind="last_n_days", n=days)

    def months_back(self, first: date, back: int, length: int) -> Any:
        """The `length` months starting `back` months before the 1st `first` (上上个月: 2 back, 1 long)."""
        start = _add_months(first, -back)
        return self.day_range(start, _add_months(start, length) - timedelta(days=1))

    def day(self, year: str | None, month: int, day: int) -> Any:
        try:
            d = date(int(year) if year else self.ref.year, month, day)
            if not year and d > self.ref:
                d = date(self.ref.year - 1, month, day)
        except ValueError:
            return BAD_DATE
        return self.day_range(d, d)

    def days_in_month(self, m1: int, d1: int, m2: int, d2: int, year: str | None) -> Any:
        """Day m1/d1 to day m2/d2 (both included); without a year, the latest such span that has started."""
        try:
            y = int(year) if year else self.ref.year
            a = date(y, m1, d1)
            if not year and a > self.ref:
                y -= 1
                a = date(y, m1, d1)
            b = date(y if (m2, d2) >= (m1, d1) else y + 1, m2, d2)
        except ValueError:
            return BAD_DATE
        return self.day_range(a, b)

    def half_month(self, month: int, first: bool, year: str | None) -> Any:
        """Days 1-15 or 16 to the month's end."""
        if not 1 <= month <= 12:
            return BAD_DATE
        last = calendar.monthrange(int(year) if year else self.ref.year, month)[1]
        return self.days_in_month(month, 1 if first else 16, month, 15 if first else last, year)

    def week_of_month(self, month: int, week: int, year: str | None) -> Any:
        """The n-th seven days of a month (1-7, 8-14, 15-21, 22-28), or its last seven (week 0)."""
        if not 1 <= month <= 12:
            return BAD_DATE
        last = calendar.monthrange(int(year) if year else self.ref.year, month)[1]
        first = last - 6 if week == 0 else 7 * (week - 1) + 1
        return self.days_in_month(month, first, month, first + 6, year)

    def third_of_month(self, month: int, third: int, year: str | None) -> Any:
        """Days 1-10, 11-20 or 21 to the month's end (上旬, 中旬, 下旬; "early", "mid", "late" October)."""
        if not 1 <= month <= 12:
            return BAD_DATE
        last = calendar.monthrange(int(year) if year else self.ref.year, month)[1]
        first = 10 * (third - 1) + 1
        return self.days_in_month(month, first, month, last if third == 3 else first + 9, year)

    def sale_day(self, name: str, year: int | None) -> Any:
        """A shopping festival's day (双十一 is 11 November; Black Friday the day after the US Thanksgiving):
        in the year named, else the latest one on or before the as-of date."""
        month, day = _SALE_DAYS.get(name, (0, 0))
        y = year if year is not None else self.ref.year
        if not 2000 <= y <= 2100:
            return BAD_DATE

        def on(yy: int) -> date:
            if month:
                return date(yy, month, day)
            thanksgiving = date(yy, 11, 22 + (3 - date(yy, 11, 22).weekday()) % 7)  # the fourth Thursday
            return thanksgiving + timedelta(days=1 if name == "black friday" else 4)

        d = on(y)
        if year is None and d > self.ref:
            d = on(y - 1)
        return self.day_range(d, d)

    def day_range(self, a: date, b_inclusive: date) -> Any:
        if a > b_inclusive:
            return BAD_DATE
        if a > self.ref:
            return FUTURE
        end = b_inclusive + timedelta(days=1)
        # whole calendar months, quarters and years read better (and label better) as such
        if a.day == 1 and end.day == 1:
            months = (end.year - a.year) * 12 + end.month - a.month
            if months == 1:
                return Period(kind="month", year=a.year, month=a.month)
            if months == 3 and a.month % 3 == 1:
                return Period(kind="quarter", year=a.year, quarter=(a.month - 1) // 3 + 1)
            if months == 12 and a.month == 1:
                return Period(kind="year", year=a.year)
        return Period(kind="range", start=a, end=end)

    # patterns -----------------------------------------------------------------------------------------
    def patterns(self) -> list[tuple[str, Any]]:
        r = self.ref
        iso = r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"

        def d(y: str, m: str, dd: str) -> date | None:
            try:
                return date(int(y), int(m), int(dd))
            except ValueError:
                return None

        def rng(m: re.Match[str]) -> Any:
            a, b = d(*m.group(1, 2, 3)), d(*m.group(4, 5, 6))
            return self.day_range(a, b) if a and b else BAD_DATE

        def since(m: re.Match[str]) -> Any:
            a = d(*m.group(1, 2, 3))
            return self.day_range(a, r) if a else BAD_DATE

        def one_day(m: re.Match[str]) -> Any:
            a = d(*m.group(1, 2, 3))
            return self.day_range(a, a) if a else BAD_DATE

        def as_of_marker(m: re.Match[str]) -> Any:
            # "as of today" restates the as-of moment; another as-of date cannot be answered from here
            if m["y"]:
                a = d(m["y"], m["mo"], m["d"])
                return ("as_of", a)
            return ("as_of", r)

        def month_span(m: re.Match[str]) -> Any:
            return self.month_span(
                MONTHS[m[1]], int(m[2]) if m[2] else None, MONTHS[m[3]], int(m[4]) if m[4] else None
            )

        def sale(m: re.Match[str]) -> Any:
            year = m[1] or m[4]
            said = rel_year.get(m[2].split()[0]) if m[2] else rel_year.get(m[5]) if m[5] else None
            return self.sale_day(_sale_name(m[3]), int(year) if year else said)

        rel_year = {
            "this": r.year,
            "last": r.year - 1,
            "previous": r.year - 1,
            "prior": r.year - 1,
            "今年": r.year,
            "本年": r.year,
            "去年": r.year - 1,
            "前年": r.year - 2,
            "上一年": r.year - 1,
        }
        p: list[tuple[str, Any]] = [
            (
                (
                    needing(
                        ("as at", "as of", "as on", "截止", "截至"),
                        r"(?:as of|as at|as on|截至|截止到?)\s*(?:(?P<y>\d{4})[-/.年](?P<mo>\d{1,2})[-/.月](?P<d>\d{1,2})[日号]?|"
                        r"today|now|right now|the moment|date|今天|今日|目前|现在|当前)(?:为止)?",
                    )
                ),
                as_of_marker,
            ),
            # shopping festivals as days ("双十一", "618", "Black Friday 2025", "去年双十二")
            (
                (
                    needing(
                        (
                            "11",
                            "12",
                            "618",
                            "friday",
                            "monday",
                            "十一",
                            "十二",
                            "网络星期一",
                            "黑五",
                            "黑色星期五",
                        ),
                        rf"(?:(?<!\d)(\d{{4}})\s*年?\s*(?:的|'s)?\s*|(今年|本年|去年|前年|this year'?s?|last year'?s?)\s*(?:的)?\s*)?"
                        rf"(?:the\s+)?({_SALE_RE})(?:\s*(?:of\s+|in\s+)?(\d{{4}})(?!\d)|\s+(this|last)\s+year)?{_SALE_WORD}",
                    )
                ),
                sale,
            ),
            # day-first numeric dates, as written in this market ("15/10/2026", "1/10 to 15/10", "11.11")
            (
                needing(
                    DIGIT,
                    rf"(?:(?<![a-z])(?:from|between)\s+)?{_DM}\s*(?:to|and|until|till|through|thru|-|–|~|至|到)\s*{_DM2}",
                ),
                lambda m: self.days_in_month(int(m[2]), int(m[1]), int(m[5]), int(m[4]), m[6] or m[3]),
            ),
            (  # "1-15/10": days of one month, the month written once
                needing(
                    DIGIT,
                    r"(?:(?<![a-z])(?:from|between)\s+)?(?<![\d/.])(\d{1,2})\s*(?:-|–|~|to|至|到)\s*(\d{1,2})[/.](\d{1,2})"
                    r"(?:[/.](\d{4}))?(?![\d/.])",
                ),
                lambda m: self.days_in_month(int(m[3]), int(m[1]), int(m[3]), int(m[2]), m[4]),
            ),
            (  # a week of a month, by its days: "the first week of November" is 1-7 November
                needing(
                    ("week",),
                    rf"(?<![a-z])(?:the\s+)?(first|1st|second|2nd|third|3rd|fourth|4th|last|final)\s+week\s+(?:of|in)\s+"
                    rf"{_MONTH_RE}(?:,?\s*(\d{{4}}))?(?![a-z])",
                ),
                lambda m: self.week_of_month(MONTHS[m[2]], _WEEK_ORDINALS[m[1]], m[3]),
            ),
            (
                needing(
                    ("月",),
                    r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月份?\s*(?:的)?\s*(?:第\s*([1-4一二三四])|(最后)\s*[1一]?)\s*个?"
                    r"(?:周|星期|礼拜)",
                ),
                lambda m: self.week_of_month(int(m[2]), _WEEK_ORDINALS[m[4] or m[3]], m[1]),
            ),
            (  # the start, middle or end of a month: days 1-10, 11-20 and 21 to the end (上旬, 中旬, 下旬)
                needing(
                    ("beginning", "early", "end", "late", "mid", "start"),
                    rf"(?<![a-z])(early|(?:the\s+)?(?:beginning|start)\s+of|mid-?|(?:the\s+)?middle\s+of|late|"
                    rf"(?:the\s+)?end\s+of)\s*{_MONTH_RE}(?:,?\s*(\d{{4}}))?(?![a-z])",
                ),
                lambda m: self.third_of_month(
                    MONTHS[m[2]],
                    _THIRDS[re.findall(r"[a-z]+", m[1])[-2 if m[1].endswith("of") else -1]],
                    m[3],
                ),
            ),
            (
                needing(
                    ("月",), r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月份?\s*(?:的)?\s*(上旬|初|中旬|下旬|底|末)"
                ),
                lambda m: self.third_of_month(int(m[2]), _THIRDS[m[3]], m[1]),
            ),
            (
                needing(("fortnight",), r"(?<![a-z])(?:the\s+)?(?:past|last|previous)\s+fortnight(?![a-z])"),
                lambda m: Period(kind="last_n_days", n=14),
            ),
            (  # "since Monday": from the latest such day (today, if it is that day) to now
                needing(
                    ("friday", "monday", "saturday", "sunday", "thursday", "tuesday", "wednesday"),
                    r"(?<![a-z])since\s+(?:last\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?![a-z])",
                ),
                lambda m: self.day_range(
                    self.ref - timedelta(days=(self.ref.weekday() - _WEEKDAYS.index(m[1])) % 7), self.ref
                ),
            ),
            (  # half a month: "the first half of October", "10月上半月"
                needing(
                    ("first", "second"),
                    rf"(?<![a-z])(?:the\s+)?(first|second)\s+half\s+of\s+{_MONTH_RE}(?:,?\s*(\d{{4}}))?(?![a-z])",
                ),
                lambda m: self.half_month(MONTHS[m[2]], m[1] == "first", m[3]),
            ),
            (
                needing(("半月",), r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月份?\s*(?:的)?\s*(上|下)半月"),
                lambda m: self.half_month(int(m[2]), m[3] == "上", m[1]),
            ),
            (
                needing(DIGIT, rf"(?:(?<![a-z])on\s+)?{_DM}{_SALE_WORD}"),
                lambda m: self.days_in_month(int(m[2]), int(m[1]), int(m[2]), int(m[1]), m[3]),
            ),
            # days of one month ("Oct 1-15", "between the 1st and 15th of October", "10月1号到15号")
            (
                (
                    needing(
                        DIGIT,
                        rf"(?:(?<![a-z])(?:from|between)\s+)?(?<![a-z]){_MONTH_RE}\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s*"
                        rf"(?:to|and|until|till|through|thru|-|–|~)\s*(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?"
                        rf"(?:,?\s*(\d{{4}}))?(?![\d:])",
                    )
                ),
                lambda m: self.days_in_month(MONTHS[m[1]], int(m[2]), MONTHS[m[1]], int(m[3]), m[4]),
            ),
            (
                (
                    needing(
                        DIGIT,
                        r"(?:(?<![a-z])(?:from|between)\s+)?(?:the\s+)?(?<![\d.])(\d{1,2})(?:st|nd|rd|th)?\s*"
                        rf"(?:to|and|until|till|through|thru|-|–|~)\s*(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?"
                        rf"{_MONTH_RE}(?:,?\s*(\d{{4}}))?(?![a-z])",
                    )
                ),
                lambda m: self.days_in_month(MONTHS[m[3]], int(m[1]), MONTHS[m[3]], int(m[2]), m[4]),
            ),
            (
                (
                    needing(
                        ("月",),
                        r"(?:从\s*)?(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?\s*(?:到|至|-|–|~)\s*"
                        r"(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*[日号]",
                    )
                ),
                lambda m: self.days_in_month(int(m[2]), int(m[3]), int(m[4] or m[2]), int(m[5]), m[1]),
            ),
            # a whole year said as such ("去年全年", "2025全年", "全年", "full year 2025")
            (
                needing(
                    ("全年", "整年"),
                    r"(?:(?<!\d)(\d{4})\s*年?|(今年|本年|去年|前年))\s*(?:的)?\s*(?:全年|整年|一整年)(?:度)?",
                ),
                lambda m: self.year(int(m[1]) if m[1] else rel_year[m[2]]),
            ),
            (
                needing(
                    ("entire", "full", "whole"),
                    r"(?<![a-z])(?:the\s+)?(?:full|whole|entire)\s+(?:of\s+)?(?:year\s+(?:of\s+)?)?(\d{4})(?:\s+year)?(?!\d)",
                ),
                lambda m: self.year(int(m[1])),
            ),
            (
                needing(("全年", "整年"), r"全年(?:度)?|整年|一整年"),
                lambda m: Period(kind="this_year"),
            ),
            # explicit ranges and dates
            (
                needing(
                    ("between", "from"),
                    rf"(?:from|between)\s+{iso}\s*(?:to|and|until|till|through|-|~)\s*{iso}",
                ),
                rng,
            ),
            (needing(DIGIT, rf"{iso}\s*(?:至|到|-|~)\s*{iso}"), rng),
            (needing(("from", "since"), rf"(?:since|from)\s+{iso}"), since),
            (needing(DIGIT, rf"{iso}\s*(?:以来|至今|起)"), since),
            (needing(DIGIT, rf"(?:on\s+)?{iso}"), one_day),
            # month spans written with names ("March to May 2026", "from Oct 2025 through Feb")
            (
                (
                    needing(
                        LATIN,
                        rf"(?<![a-z])(?:from\s+)?{_MONTH_RE}(?:,?\s*(\d{{4}}))?\s*(?:to|until|till|through|thru|-|–)"
                        rf"\s*{_MONTH_RE}(?:,?\s*(\d{{4}}))?(?![a-z])",
                    )
                ),
                month_span,
            ),
            (
                needing(
                    ("between",),
                    rf"(?<![a-z])between\s+{_MONTH_RE}(?:,?\s*(\d{{4}}))?\s+and\s+{_MONTH_RE}(?:,?\s*(\d{{4}}))?(?![a-z])",
                ),
                month_span,
            ),
            # quarters with a year
            (
                needing(DIGIT, r"(?<![a-z0-9])q([1-4])\s*(?:of\s+|,\s*|')?(\d{4})(?!\d)"),
                lambda m: self.quarter(int(m[2]), int(m[1])),
            ),
            (
                needing(DIGIT, r"(?<!\d)(\d{4})\s*(?:年)?\s*(?:的)?\s*(?:-\s*)?q([1-4])(?![a-z0-9])"),
                lambda m: self.quarter(int(m[1]), int(m[2])),
            ),
            (
                needing(("quarter",), rf"(?:{_ORD_RE}|(last|final))\s+quarter\s+(?:of\s+|in\s+)?(\d{{4}})"),
                lambda m: self.quarter(int(m[3]), _ORD[m[1] or "last"]),
            ),
            (
                needing(("季",), r"(\d{4})\s*年?\s*(?:的)?\s*第?\s*([1-4])\s*(?:季度|季)"),
                lambda m: self.quarter(int(m[1]), int(m[2])),
            ),
            (
                needing(
                    ("上一年", "今年", "前年", "去年", "本年"),
                    r"(今年|本年|去年|前年|上一年)\s*(?:的)?\s*第?\s*([1-4])\s*(?:季度|季)",
                ),
                lambda m: self.quarter(rel_year[m[1]], int(m[2])),
            ),
            (
                needing(
                    ("上一年", "今年", "前年", "去年", "本年"),
                    r"(今年|本年|去年|前年|上一年)\s*(?:的)?\s*q([1-4])(?![a-z0-9])",
                ),
                lambda m: self.quarter(rel_year[m[1]], int(m[2])),
            ),
            (
                needing(("year",), r"(?<![a-z0-9])q([1-4])\s+(?:of\s+)?(this|last|previous|prior)\s+year"),
                lambda m: self.quarter(rel_year[m[2]], int(m[1])),
            ),
            (
                needing(("quarter",), rf"{_ORD_RE}\s+quarter\s+(?:of\s+)?(this|last|previous|prior)\s+year"),
                lambda m: self.quarter(rel_year[m[2]], _ORD[m[1]]),
            ),
            (
                needing(("year",), r"(this|last|previous|prior)\s+year'?s?\s+q([1-4])(?![a-z0-9])"),
                lambda m: self.quarter(rel_year[m[1]], int(m[2])),
            ),
            # halves
            (
                needing(DIGIT, r"(?<![a-z0-9])h([12])\s*(?:of\s+)?(\d{4})"),
                lambda m: self.half(int(m[2]), int(m[1])),
            ),
            (
                needing(DIGIT, r"(\d{4})\s*(?:年)?\s*h([12])(?![a-z0-9])"),
                lambda m: self.half(int(m[1]), int(m[2])),
            ),
            (
                needing(("first", "second"), r"(first|second)\s+half\s+(?:of\s+)?(\d{4})"),
                lambda m: self.half(int(m[2]), 1 if m[1] == "first" else 2),
            ),
            (
                needing(("半年",), r"(\d{4})\s*年\s*(?:的)?\s*(上|下)半年"),
                lambda m: self.half(int(m[1]), 1 if m[2] == "上" else 2),
            ),
            (
                needing(("半年",), r"(今年|去年|前年)\s*(?:的)?\s*(上|下)半年"),
                lambda m: self.half(rel_year[m[1]], 1 if m[2] == "上" else 2),
            ),
            (needing(DIGIT, r"(?<![a-z0-9])h([12])(?![a-z0-9])"), lambda m: self.bare_half(int(m[1]))),
            (
                needing(("first", "second"), r"(first|second)\s+half(?:\s+of\s+the\s+year)?"),
                lambda m: self.bare_half(1 if m[1] == "first" else 2),
            ),
            (needing(("半年",), r"(上|下)半年"), lambda m: self.bare_half(1 if m[1] == "上" else 2)),
            # single days ("November 11", "11 Nov 2026", "11月11日")
            (
                needing(
                    DIGIT, rf"(?<![a-z]){_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s*(\d{{4}}))?(?![\d:])"
                ),
                lambda m: self.day(m[3], MONTHS[m[1]], int(m[2])),
            ),
            (
                needing(
                    DIGIT,
                    rf"(?<![\d.])(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}(?:,?\s*(\d{{4}}))?(?![a-z])",
                ),
                lambda m: self.day(m[3], MONTHS[m[2]], int(m[1])),
            ),
            (
                needing(("月",), r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"),
                lambda m: self.day(m[1], int(m[2]), int(m[3])),
            ),
            # months with a year
            (
                needing(DIGIT, rf"(?<![a-z]){_MONTH_RE}[,-]?\s*(?:of\s+)?'?(\d{{4}})(?!\d)"),
                lambda m: self.month(int(m[2]), MONTHS[m[1]]),
            ),
            (
                needing(DIGIT, rf"(?<!\d)(\d{{4}})\s+{_MONTH_RE}(?![a-z])"),
                lambda m: self.month(int(m[1]), MONTHS[m[2]]),
            ),
            (
                needing(("年",), r"(\d{4})\s*年\s*(\d{1,2})\s*月份?"),
                lambda m: self.month(int(m[1]), int(m[2])),
            ),
            (
                needing(DIGIT, r"(?<![\d.])(\d{4})[-/.](\d{1,2})(?![\d/.-])"),
                lambda m: self.month(int(m[1]), int(m[2])),
            ),
            (
                needing(DIGIT, r"(?<![\d/])(\d{1,2})/(\d{4})(?!\d)"),
                lambda m: self.month(int(m[2]), int(m[1])),
            ),
            (
                needing(
                    ("上一年", "今年", "前年", "去年", "本年"),
                    r"(今年|本年|去年|前年|上一年)\s*(?:的)?\s*(\d{1,2})\s*月份?",
                ),
                lambda m: self.month(rel_year[m[1]], int(m[2])),
            ),
            (
                needing(("year",), rf"(?<![a-z]){_MONTH_RE}\s+(?:of\s+)?(this|last|previous|prior)\s+year"),
                lambda m: self.month(rel_year[m[2]], MONTHS[m[1]]),
            ),
            (
                needing(("year",), rf"(this|last|previous|prior)\s+year'?s?\s+{_MONTH_RE}(?![a-z])"),
                lambda m: self.month(rel_year[m[1]], MONTHS[m[2]]),
            ),
            (
                needing(
                    ("last", "past", "previous", "this"),
                    rf"(?:last|this|previous|past)\s+{_MONTH_RE}(?![a-z])",
                ),
                lambda m: self.bare_month(MONTHS[m[1]]),
            ),
            # rolling windows
            (
                (
                    needing(
                        ("last", "past", "previous", "prior", "recent", "rolling", "trailing"),
                        r"(?:in\s+|over\s+|during\s+|for\s+|within\s+)?(?:the\s+)?(?:last|past|previous|prior|recent|trailing|"
                        r"rolling)\s+(\d{1,4})\s*(days?|weeks?|wks?|months?|mos?|years?|yrs?)(?![a-z])",
                    )
                ),
                lambda m: self.last_n(int(m[1]), m[2]),
            ),
            (
                needing(
                    ("上", "前", "过去", "近", "这"),
                    r"(?:过去|最近|近|前|这|上)\s*(\d{1,4})\s*(天|日|个星期|星期|个礼拜|礼拜|周|个月|月|年)",
                ),
                lambda m: self.last_n(int(m[1]), m[2]),
            ),
            (
                needing(
                    ("以来", "内"),
                    r"(?<!\d)(\d{1,3})\s*(天|日|周|个月|年)\s*(?:内|以内|以来|之内)",
                ),
                lambda m: self.last_n(int(m[1]), m[2]),
            ),
            (
                needing(
                    ("past", "recent", "rolling", "trailing"),
                    r"(?:in\s+|over\s+|during\s+)?(?:the\s+)?(?:past|recent|trailing|rolling)\s+(day|week|month|year)(?![a-z])",
                ),
                lambda m: self.last_n(1, m[1]),
            ),
            (
                needing(
                    ("过去", "近"),
                    r"(?:过去|最近|近)\s*(?:一|1)?\s*(?:个)?\s*(天|周|星期|个月|月|年)",
                ),
                lambda m: self.last_n(1, m[1]),
            ),
            (
                (
                    needing(
                        ("half", "months", "半年"),
                        r"(?:过去|最近|近)\s*(?:的)?\s*半年|(?:the\s+)?(?:last|past)\s+half\s+(?:a\s+)?year|(?:the\s+)?(?:last|past)\s+"
                        r"6\s+months",
                    )
                ),
                lambda m: self.last_n(6, "months"),
            ),
            (
                needing(
                    ("quarters", "季度"),
                    r"(?:过去|最近|近)\s*(\d{1,2})\s*个?\s*季度|(?:the\s+)?(?:last|past|previous)\s+(\d{1,2})\s+quarters",
                ),
                lambda m: self.last_n(3 * int(m[1] or m[2]), "months"),
            ),
            # quarters and months without a year
            (needing(DIGIT, r"(?<![a-z0-9])q([1-4])(?![a-z0-9])"), lambda m: self.bare_quarter(int(m[1]))),
            (
                needing(("quarter",), rf"(?:the\s+)?{_ORD_RE}\s+quarter"),
                lambda m: self.bare_quarter(_ORD[m[1]]),
            ),
            (needing(("第",), r"第\s*([1-4])\s*(?:季度|季)"), lambda m: self.bare_quarter(int(m[1]))),
            (needing(("季度",), r"(?<![\d年])([1-4])\s*季度"), lambda m: self.bare_quarter(int(m[1]))),
            (
                needing(("月",), r"(?<![\d年])(\d{1,2})\s*月份?(?!\d)"),
                lambda m: self.bare_month(int(m[1])) if 1 <= int(m[1]) <= 12 else BAD_DATE,
            ),
            (
                needing(LATIN, rf"(?<![a-z]){_MONTH_RE}(?=\s+cohort)"),
                lambda m: self.bare_month(MONTHS[m[1]]),
            ),  # "the may cohort"
            (
                needing(LATIN, rf"(?:in|during|for|of|throughout)\s+{_MONTH_RE}(?![a-z])"),
                lambda m: self.bare_month(MONTHS[m[1]]),
            ),
            (
                needing(LATIN, rf"(?:(?<=since\s)|(?<=and\s)|(?<=or\s)|(?<=,\s)|(?<=,)){_MONTH_RE}(?![a-z])"),
                lambda m: self.bare_month(MONTHS[m[1]]),
            ),
            (
                (
                    needing(
                        LATIN,
                        r"(?<![a-z])(january|february|april|june|july|august|september|october|november|december|feb|apr|jun|"
                        r"jul|aug|sept|sep|oct|nov|dec)\.?(?![a-z])",
                    )
                ),
                lambda m: self.bare_month(MONTHS[m[1]]),
            ),
            # named relative periods
            (
                (
                    r"(?:the\s+)?(?:next|coming|upcoming|following)\s+(?:\d+\s*)?(?:days?|weeks?|months?|quarters?|years?)"
                    r"|tomorrow|in the future|future(?!\s+(?:lifetime\s+)?value)|下个月|下月|下季度|下个季度|明年|下周|下个星期|明天|"
                    r"未来(?!价值)|将来|后年"
                ),
                lambda m: FUTURE,
            ),
            (
                (
                    needing(
                        ("year", "同期"),
                        r"(?:(?:the\s+)?same\s+(?:period|time|months?|quarter|days?)|this\s+time)\s+(?:of\s+|in\s+)?"
                        r"(?:last|previous|prior|the\s+previous|the\s+prior)\s+year|(?:去年|上年|前年)?同期(?!群)",
                    )
                ),
                lambda m: SAME_PERIOD,
            ),
            # two back: 上上个月 is not 上个月 with a stray 上
            (
                needing(("day before yesterday", "前天"), r"(?:the\s+)?day before yesterday|前天"),
                lambda m: self.day_range(r - timedelta(days=2), r - timedelta(days=2)),
            ),
            (
                needing(
                    ("week before last", "上上"), r"(?:the\s+)?week before last|上上(?:个)?(?:周|星期|礼拜)"
                ),
                lambda m: self.day_range(
                    r - timedelta(days=r.weekday() + 14), r - timedelta(days=r.weekday() + 8)
                ),
            ),
            (
                needing(("month before last", "上上"), r"(?:the\s+)?month before last|上上(?:个)?月"),
                lambda m: self.months_back(r.replace(day=1), 2, 1),
            ),
            (
                needing(("quarter before last", "上上"), r"(?:the\s+)?quarter before last|上上(?:个)?季度?"),
                lambda m: self.months_back(date(r.year, 3 * ((r.month - 1) // 3) + 1, 1), 6, 3),
            ),
            # "this year so far" in Chinese: the period itself ("今年到目前为止"); bare "目前为止" is all time
            (
                needing(
                    ("为止",),
                    r"(今年|本年|本月|这个月|本季度|这个季度|本周|这周)\s*(?:的)?\s*(?:到|至|截至|截止到?)?\s*(?:目前|现在|今天)\s*为止",
                ),
                lambda m: Period(kind=_THIS[m[1]]),
            ),
            # ... and the other way round ("到目前为止今年的订单数")
            (
                needing(
                    ("为止",),
                    r"(?:到|至|截至|截止到?)?\s*(?:目前|现在|今天)\s*为止\s*(?:,\s*)?(今年|本年|本月|这个月|本季度|这个季度|本周|这周)",
                ),
                lambda m: Period(kind=_THIS[m[1]]),
            ),
            (
                needing(("为止",), r"(?:到|至|截至|截止到?)?\s*(?:目前|现在|今天)为止|迄今为止"),
                lambda m: Period(kind="all_time"),
            ),
            (
                needing(("today", "今天", "今日", "当天"), r"today|so far today|今天|今日|当天"),
                lambda m: Period(kind="today"),
            ),
            (
                needing(("yesterday", "昨天", "昨日"), r"yesterday|昨天|昨日"),
                lambda m: Period(kind="yesterday"),
            ),
            (
                needing(
                    ("week", "wtd", "本周", "本星期", "这个星期", "这个礼拜", "这周", "这星期"),
                    r"(?:this|current)\s+week|week to date|wtd|本周|这周|这个星期|这星期|本星期|这个礼拜",
                ),
                lambda m: Period(kind="this_week"),
            ),
            (
                needing(
                    ("week", "上一周", "上个星期", "上个礼拜", "上周", "上星期"),
                    r"(?:last|previous|prior)\s+week|上周|上个星期|上星期|上个礼拜|上一周",
                ),
                lambda m: Period(kind="last_week"),
            ),
            (
                (
                    needing(
                        ("month", "mtd", "当月", "本月", "这个月", "这月"),
                        r"(?:this|current)\s+month(?:\s+(?:so far|to date))?|month to date|month-to-date|mtd|本月至今|本月|这个月|"
                        r"这月|当月|本月份",
                    )
                ),
                lambda m: Period(kind="this_month"),
            ),
            (
                needing(
                    ("month", "上一个月", "上一月", "上个月", "上月"),
                    r"(?:last|previous|prior)\s+(?:calendar\s+)?month|上个月|上月|上一个月|上一月",
                ),
                lambda m: Period(kind="last_month"),
            ),
            (
                (
                    needing(
                        ("qtd", "quarter", "当季", "本季", "这个季度", "这季度"),
                        r"(?:this|current)\s+quarter(?:\s+(?:so far|to date))?|quarter to date|quarter-to-date|qtd|本季度|这个季度|"
                        r"这季度|当季|本季|本季度至今",
                    )
                ),
                lambda m: Period(kind="this_quarter"),
            ),
            (
                needing(
                    ("quarter", "上一个季度", "上一季度", "上个季度", "上季"),
                    r"(?:last|previous|prior)\s+(?:calendar\s+)?quarter|上季度|上个季度|上一季度|上一个季度|上季",
                ),
                lambda m: Period(kind="last_quarter"),
            ),
            (
                (
                    needing(
                        ("year", "ytd", "今年", "年初至今", "本年"),
                        r"(?:this|current)\s+year(?:\s+(?:so far|to date))?|(?:so far )?this year|year to date|year-to-date|ytd|"
                        r"今年以来|今年至今|年初至今|今年|本年度|本年",
                    )
                ),
                lambda m: Period(kind="this_year"),
            ),
            (
                needing(("year before last", "前年"), r"(?:the\s+)?year before last|前年"),
                lambda m: self.year(r.year - 2),
            ),
            (
                needing(
                    ("year", "上一年", "上年", "去年"),
                    r"(?:last|previous|prior)\s+(?:calendar\s+)?year|去年|上一年|上年",
                ),
                lambda m: Period(kind="last_year"),
            ),
            (
                (
                    r"all[\s-]time|of all time|ever(?!\s+since)|since (?:the )?(?:beginning|start|launch)(?!\s+of)|since we started|to date|"
                    r"historically|历史上|历史|累计|至今|有史以来|所有时间|全部时间|一直以来|迄今"
                ),
                lambda m: Period(kind="all_time"),
            ),
            # a bare year, last so "2025" inside a longer date is already taken
            (needing(DIGIT, r"(?<![\d-])(20\d{2})\s*(?:年度|年)?(?![\d-])"), lambda m: self.year(int(m[1]))),
        ]
        return p

    def scan(self, s: Scan) -> None:
        present = classes_in(s.text)
        for pattern, build in self.patterns():
            if not could_match(pattern, s.text, present):
                continue  # (not compiled: most of these patterns need a digit, Chinese or Latin words)
            for m in re.finditer(pattern, s.text):
                if s.free(m.start(), m.end()):
                    value = build(m)
                    s.claim(m.start(), m.end(), "period", value)
        self.join_ranges(s)
        self.join_since(s)

    # "w/w", "yoy", "环比", "vs the same period last year": the window to compare a period with --------------
    def shifted(self, p: Period, how: str) -> Period | None:
        """The window `p` is compared with: the same days a year earlier (`how` "year") or the window just
        before it, as long as it (`how` "previous": last month for a month, the week before for a week, the
        7 days before for 7 days). A window still running is compared like for like: the same days of the
        earlier one (1-6 December with 1-6 November), never a whole period with a part of one. None when
        there is nothing before it to compare with (all time, or before the year 2000)."""
        if p.kind == "all_time":
            return None
        start, end = p.bounds(self.as_of_local, self.as_of_local.tzinfo)  # type: ignore[arg-type]
        assert start is not None
        first, last = start.date(), (end - timedelta(microseconds=1)).date()
        if p.kind == "last_n_days":
            assert p.n is not None
            first = last - timedelta(days=p.n - 1)
        weeks = p.kind in ("this_week", "last_week")
        months = _MONTHS_OF.get(p.kind)
        if months is None and first.day == 1 and (last + timedelta(days=1)).day == 1:
            after = last + timedelta(days=1)
            months = (after.year - first.year) * 12 + after.month - first.month  # whole months named as dates
        if how == "year":
            months, days = (None, 364) if weeks else (12, 0)  # a week a year ago: 52 weeks, the same weekdays
        else:
            days = 7 if weeks else (last - first).days + 1
        if months:
            new_first = _add_months(first, -months)
            after = last + timedelta(days=1)
            new_last = (
                _add_months(after, -months) - timedelta(days=1)
                if after.day == 1
                else _add_months(last, -months)
            )
        else:
            new_first, new_last = first - timedelta(days=days), last - timedelta(days=days)
        if new_first.year < 2000:
            return None
        window = self.day_range(new_first, new_last)
        return window if isinstance(window, Period) else None

    # "from March to May", "3月到5月", "since March", "2025年以来": one window made of named periods ------------
    def _dates(self, p: Period) -> tuple[date, date]:
        start, end = p.bounds(self.as_of_local, self.as_of_local.tzinfo)  # type: ignore[arg-type]
        assert start is not None
        return start.date(), end.date()

    def month_span(self, m1: int, y1: int | None, m2: int, y2: int | None) -> Any:
        """Months m1..m2 (both included); a year written once covers both ends ("March to May 2026")."""
        if y1 is None and y2 is None:
            last = self.bare_month(m2)
            if not isinstance(last, Period):
                return last
            y2 = last.year
        if y1 is None:
            assert y2 is not None  # (given, or the bare month's year above)
            y1 = y2 if m1 <= m2 else y2 - 1
        if y2 is None:
            y2 = y1 if m2 >= m1 else y1 + 1
        if not (2000 <= y1 <= 2100 and 2000 <= y2 <= 2100):
            return BAD_DATE
        return self.day_range(date(y1, m1, 1), _add_months(date(y2, m2, 1), 1) - timedelta(days=1))

    def join_ranges(self, s: Scan) -> None:
        slots = sorted(
            (sl for sl in s.of("period") if isinstance(sl.value, Period) and sl.value.kind in _ABSOLUTE),
            key=lambda sl: sl.start,
        )
        for a, b in itertools.pairwise(slots):
            between = s.text[a.end : b.start]
            before = s.text[: a.start]
            if not (
                _RANGE_TO_RE.fullmatch(between)
                or (re.fullmatch(r"\s*and\s*", between) and re.search(r"(?<![a-z])between\s*$", before))
            ):
                continue
            pa, pb = a.value, b.value
            if pa.kind == "month" and pb.kind == "month":
                y1, y2 = (x.value.year if re.search(r"\d{4}|[今去前本]年", x.text) else None for x in (a, b))
                value: Any = self.month_span(pa.month, y1, pb.month, y2)
            else:
                (a0, _), (_, b1) = self._dates(pa), self._dates(pb)
                value = self.day_range(a0, b1 - timedelta(days=1)) if a0 < b1 else BAD_DATE
            m = re.search(r"(?:(?<![a-z])(?:from|between)|从|自)\s*$", before)
            s.merge([a, b], m.start() if m else a.start, b.end, "period", value)
            return

    def join_since(self, s: Scan) -> None:
        for sl in sorted(s.of("period"), key=lambda x: x.start):
            p = sl.value
            if not isinstance(p, Period) or p.kind not in _ABSOLUTE + _SINCE_RELATIVE:
                continue
            before = _SINCE_BEFORE_RE.search(s.text[: sl.start])
            if before and not s.free(before.start(), sl.start):
                before = None
            after = _SINCE_AFTER_RE.match(s.text[sl.end :])
            if not (after or (before and (before[1] or before[2]))):
                continue
            parts = [sl]
            end = sl.end
            if after:
                end = sl.end + after.end()
                parts += [x for x in s.of("period") if x is not sl and x.start >= sl.end and x.end <= end]
                if not all(
                    s.free(i, i + 1) or any(x.start <= i < x.end for x in parts) for i in range(sl.end, end)
                ):
                    continue
            start, _ = self._dates(p)
            s.merge(
                parts, before.start() if before else sl.start, end, "period", self.day_range(start, self.ref)
            )
            return
