"""Local festival calendars: which festivals a buyer's country celebrates, when, and what each is called.

Dates for lunar and Islamic festivals follow the published public-holiday calendars where known and the
astronomical expectation otherwise (Hari Raya may move by a day after the moon sighting); extend FESTIVAL_DATES
as years are announced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ALL = "*"


@dataclass(frozen=True)
class Festival:
    key: str
    kind: str  # holiday (a greeting) | sale (a shopping festival: a sale message)
    countries: frozenset[str]  # ALL = every country
    names: dict[str, str]  # language -> name as used in a message
    aliases: tuple[str, ...] = ()

    def celebrated_in(self, country: str | None) -> bool:
        return ALL in self.countries or (country or "").upper() in self.countries

    def name(self, language: str) -> str:
        return self.names.get(language, self.names["en"])


@dataclass(frozen=True)
class FestivalDay:
    festival: Festival
    day: date

    @property
    def key(self) -> str:
        return self.festival.key


FESTIVALS: dict[str, Festival] = {
    f.key: f
    for f in (
        Festival(
            "cny",
            "holiday",
            frozenset({"SG", "MY", "CN", "TW", "HK", "MO", "ID", "TH", "BN"}),
            {
                "en": "Chinese New Year",
                "zh": "春节",
                "ms": "Tahun Baru Cina",
                "th": "วันตรุษจีน",
                "id": "Tahun Baru Imlek",
                "vi": "Tết Nguyên Đán",
            },
            (
                "chinese new year",
                "lunar new year",
                "cny",
                "imlek",
                "春节",
                "新春",
                "农历新年",
                "过年",
                "ตรุษจีน",
            ),
        ),
        Festival(
            "tet",
            "holiday",
            frozenset({"VN"}),
            {"en": "Tet", "zh": "越南春节", "ms": "Tet", "th": "วันตรุษญวน", "id": "Tet", "vi": "Tết"},
            ("tet", "tết", "tet nguyen dan"),
        ),
        Festival(
            "hari_raya",
            "holiday",
            frozenset({"MY", "SG", "ID", "BN"}),
            {
                "en": "Hari Raya Aidilfitri",
                "zh": "开斋节",
                "ms": "Hari Raya Aidilfitri",
                "th": "วันอีดิ้ลฟิฏริ",
                "id": "Idul Fitri",
                "vi": "lễ Eid al-Fitr",
            },
            (
                "hari raya",
                "hari raya aidilfitri",
                "hari raya puasa",
                "aidilfitri",
                "eid",
                "eid al-fitr",
                "idul fitri",
                "lebaran",
                "开斋节",
            ),
        ),
        Festival(
            "deepavali",
            "holiday",
            frozenset({"MY", "SG"}),
            {
                "en": "Deepavali",
                "zh": "屠妖节",
                "ms": "Hari Deepavali",
                "th": "วันดีปาวลี",
                "id": "Deepavali",
                "vi": "lễ hội Diwali",
            },
            ("deepavali", "diwali", "屠妖节", "排灯节"),
        ),
        Festival(
            "songkran",
            "holiday",
            frozenset({"TH"}),
            {
                "en": "Songkran",
                "zh": "泼水节",
                "ms": "Songkran",
                "th": "วันสงกรานต์",
                "id": "Songkran",
                "vi": "Tết Songkran",
            },
            ("songkran", "泼水节", "สงกรานต์"),
        ),
        Festival(
            "mid_autumn",
            "holiday",
            frozenset({"CN", "TW", "HK", "MO", "SG", "MY", "VN"}),
            {
                "en": "Mid-Autumn Festival",
                "zh": "中秋节",
                "ms": "Pesta Tanglung",
                "th": "เทศกาลไหว้พระจันทร์",
                "id": "Festival Kue Bulan",
                "vi": "Tết Trung thu",
            },
            ("mid-autumn", "mid autumn", "mooncake festival", "中秋", "中秋节", "trung thu"),
        ),
        Festival(
            "new_year",
            "holiday",
            frozenset({ALL}),
            {
                "en": "New Year",
                "zh": "新年",
                "ms": "Tahun Baru",
                "th": "วันปีใหม่",
                "id": "Tahun Baru",
                "vi": "Năm mới",
            },
            ("new year's day", "元旦"),
        ),
        Festival(
            "double_11",
            "sale",
            frozenset({ALL}),
            {"en": "11.11", "zh": "双十一", "ms": "11.11", "th": "11.11", "id": "11.11", "vi": "11.11"},
            ("11.11", "11/11", "double 11", "singles day", "双十一", "双11"),
        ),
        Festival(
            "double_12",
            "sale",
            frozenset({ALL}),
            {"en": "12.12", "zh": "双十二", "ms": "12.12", "th": "12.12", "id": "12.12", "vi": "12.12"},
            ("12.12", "12/12", "double 12", "双十二", "双12"),
        ),
        Festival(
            "black_friday",
            "sale",
            frozenset({ALL}),
            {
                "en": "Black Friday",
                "zh": "黑色星期五",
                "ms": "Black Friday",
                "th": "แบล็กฟรายเดย์",
                "id": "Black Friday",
                "vi": "Black Friday",
            },
            ("black friday", "黑五", "黑色星期五"),
        ),
        Festival(
            "christmas",
            "holiday",
            frozenset({ALL}),
            {
                "en": "Christmas",
                "zh": "圣诞节",
                "ms": "Hari Krismas",
                "th": "วันคริสต์มาส",
                "id": "Natal",
                "vi": "Giáng sinh",
            },
            ("christmas", "xmas", "圣诞", "圣诞节", "krismas", "natal", "giáng sinh"),
        ),
    )
}

_YEARS = (2025, 2026, 2027, 2028)
FESTIVAL_DATES: dict[str, tuple[date, ...]] = {
    "cny": (date(2025, 1, 29), date(2026, 2, 17), date(2027, 2, 6), date(2028, 1, 26)),
    "tet": (date(2025, 1, 29), date(2026, 2, 17), date(2027, 2, 6), date(2028, 1, 26)),
    "hari_raya": (date(2025, 3, 31), date(2026, 3, 21), date(2027, 3, 10), date(2028, 2, 27)),
    "deepavali": (date(2025, 10, 20), date(2026, 11, 8), date(2027, 10, 28), date(2028, 10, 16)),
    "songkran": tuple(date(y, 4, 13) for y in _YEARS),
    "mid_autumn": (date(2025, 10, 6), date(2026, 9, 25), date(2027, 9, 15), date(2028, 10, 3)),
    "new_year": tuple(date(y, 1, 1) for y in (*_YEARS, 2029)),
    "double_11": tuple(date(y, 11, 11) for y in _YEARS),
    "double_12": tuple(date(y, 12, 12) for y in _YEARS),
    "black_friday": (date(2025, 11, 28), date(2026, 11, 27), date(2027, 11, 26), date(2028, 11, 24)),
    "christmas": tuple(date(y, 12, 25) for y in _YEARS),
}


class UnknownFestival(ValueError):
    """A festival name that is not in the calendar."""


def find_festival(name: str) -> Festival | None:
    """A festival from its key, English name or an alias ('hari raya', '春节', 'xmas'); None if unknown.
    A bare 'new year' is resolved by `festival_day` (lunar or calendar, whichever comes next)."""
    text = name.strip().lower()
    if text in FESTIVALS:
        return FESTIVALS[text]
    for f in FESTIVALS.values():
        if text == f.names["en"].lower() or text in f.aliases:
            return f
    return None


def upcoming(
    country: str | None, on: date, *, kinds: tuple[str, ...] = ("holiday", "sale")
) -> list[FestivalDay]:
    """Festivals celebrated in `country` from `on` (inclusive), soonest first."""
    out = [
        FestivalDay(f, d)
        for f in FESTIVALS.values()
        if f.kind in kinds and f.celebrated_in(country)
        for d in FESTIVAL_DATES[f.key]
        if d >= on
    ]
    return sorted(out, key=lambda fd: (fd.day, fd.festival.kind != "holiday", fd.key))


def festival_day(name: str | None, country: str | None, on: date) -> FestivalDay:
    """The festival to greet for: the named one's next date (from `on`), or the next one the country celebrates.

    Raises UnknownFestival for a name not in the calendar, or when the calendar has no future date left.
    """
    if name is None or not name.strip():
        days = upcoming(country, on)
        if not days:
            raise UnknownFestival(
                "the festival calendar has no upcoming dates; extend crm/outreach/festivals.py"
            )
        return days[0]
    text = name.strip().lower()
    if text in ("new year", "新年", "happy new year"):
        # Lunar or calendar new year: whichever the buyer's country celebrates next.
        candidates = [fd for fd in upcoming(country, on) if fd.key in ("new_year", "cny", "tet")]
        if candidates:
            return candidates[0]
    festival = find_festival(text)
    if festival is None:
        known = ", ".join(f.names["en"] for f in FESTIVALS.values())
        raise UnknownFestival(f"unknown festival {name!r}; known: {known}")
    dates = [d for d in FESTIVAL_DATES[festival.key] if d >= on]
    if not dates:
        raise UnknownFestival(f"no upcoming date for {festival.names['en']} in the calendar")
    return FestivalDay(festival, dates[0])
