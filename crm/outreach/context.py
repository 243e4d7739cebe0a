"""The draft context: what a message may say about a customer, built from an allow-list of fields.

Only the fields of `DraftContext` ever reach a template or the LLM: the name to greet by (see `first_name`;
the full display name only when it cannot be split safely, or for a name in Chinese characters),
recent items and categories, segment, points, days since the last order, platform, festival and the seller's
offer. E-mails, phone numbers, addresses and usernames are not read into it at all. Every text field is cleaned
and capped (see `build_context`), so a customer imported with a million-character name or product title costs
the LLM request no more than anyone else.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from crm.display import BRIEF_MAX, NAME_LENGTH, clean, displayable
from crm.outreach.festivals import FestivalDay
from crm.outreach.intents import language_for_country, normalise_language
from crm.outreach.templates import PACKS, localised_brand, localised_sign_off
from crm.settings import DraftSettings
from storage.repositories.outreach import CustomerFacts

# Romanised Chinese family names as written in Singapore, Malaysia, Indonesia and Thailand (Hokkien, Teochew,
# Cantonese, Hakka, Hainanese and Hanyu Pinyin spellings), plus common Korean ones. Syllables that are far more
# often part of a given name ("Wei", "Ling", "Mei", "Hui", "Yan", "Ting", "Sheng") are left out on purpose; those
# that are both ("Li", "Lin", "Yu") are in _ALSO_GIVEN.
_CHINESE_FAMILY = frozenset(
    [
        "ang",
        "au",
        "aw",
        "bong",
        "boo",
        "cai",
        "cao",
        "chai",
        "cham",
        "chan",
        "chang",
        "chau",
        "chee",
        "chen",
        "cheng",
        "cheong",
        "cheung",
        "chew",
        "chia",
        "chiam",
        "chiang",
        "chien",
        "chin",
        "chiu",
        "chng",
        "cho",
        "chong",
        "choo",
        "chooi",
        "chou",
        "chow",
        "choy",
        "chu",
        "chua",
        "chuah",
        "chuang",
        "chung",
        "deng",
        "ding",
        "dong",
        "du",
        "eng",
        "fan",
        "fang",
        "feng",
        "fong",
        "foo",
        "fu",
        "fung",
        "gan",
        "gao",
        "goh",
        "gong",
        "guo",
        "ha",
        "han",
        "hau",
        "he",
        "hee",
        "heng",
        "ho",
        "hoh",
        "hon",
        "hong",
        "hoo",
        "hor",
        "hou",
        "hsieh",
        "hsu",
        "hu",
        "huang",
        "hung",
        "jiang",
        "kam",
        "kan",
        "kee",
        "keh",
        "khaw",
        "kho",
        "khong",
        "khoo",
        "khor",
        "koay",
        "koe",
        "koh",
        "kok",
        "kong",
        "koo",
        "kow",
        "ku",
        "kua",
        "kuah",
        "kuan",
        "kung",
        "kuo",
        "kwa",
        "kwah",
        "kwan",
        "kwee",
        "kwek",
        "kwok",
        "kwong",
        "lai",
        "lam",
        "lau",
        "law",
        "lee",
        "leng",
        "leo",
        "leong",
        "leow",
        "leung",
        "lew",
        "li",
        "liang",
        "liao",
        "liau",
        "lie",
        "liem",
        "lien",
        "liew",
        "lim",
        "lin",
        "liu",
        "lo",
        "loh",
        "loke",
        "loo",
        "lor",
        "low",
        "lu",
        "lui",
        "lum",
        "luo",
        "lye",
        "ma",
        "mah",
        "mak",
        "mok",
        "neo",
        "ng",
        "ngiam",
        "ong",
        "ooi",
        "oon",
        "ow",
        "pan",
        "pang",
        "peh",
        "pek",
        "peng",
        "phang",
        "phoon",
        "phua",
        "png",
        "poh",
        "poon",
        "quah",
        "quek",
        "ren",
        "seah",
        "see",
        "seet",
        "seow",
        "shen",
        "shi",
        "siah",
        "siew",
        "sim",
        "siow",
        "sng",
        "soh",
        "song",
        "soo",
        "soon",
        "su",
        "sun",
        "sung",
        "tai",
        "tam",
        "tan",
        "tang",
        "tay",
        "tee",
        "teh",
        "teng",
        "teo",
        "tey",
        "tham",
        "the",
        "thia",
        "thong",
        "tian",
        "tio",
        "tjia",
        "tjoa",
        "tng",
        "toh",
        "tong",
        "tsai",
        "tsang",
        "tse",
        "tseng",
        "tsui",
        "tung",
        "wan",
        "wang",
        "wee",
        "wong",
        "woo",
        "wu",
        "xiao",
        "xie",
        "xu",
        "yam",
        "yang",
        "yao",
        "yap",
        "yau",
        "ye",
        "yeap",
        "yee",
        "yeh",
        "yeo",
        "yeoh",
        "yeow",
        "yew",
        "yim",
        "yip",
        "yong",
        "yoong",
        "yu",
        "yuan",
        "yuen",
        "zeng",
        "zhang",
        "zhao",
        "zheng",
        "zhou",
        "zhu",
        "kim",
        "park",
        "choi",
        "jung",
        "jeong",
        "kang",
        "yoon",
        "shin",
    ]
)
# Family names that start given names just as often: "Li Ting Tan" is given name first, "Li Wei Ming" is not.
_ALSO_GIVEN = frozenset(["li", "lin", "yu", "xiao", "su", "shi", "kim", "ma", "lai", "soon", "see"])
# Vietnamese family names that are not also romanised Chinese ones ("Ho", "Ly", "Lam" are both: see _VIET_MIDDLE).
_VIET_OR_CHINESE = frozenset(
    ["ngo", "ho", "ly", "lam", "luu", "ha", "la", "chau", "cao", "mac", "ta", "tang", "giang"]
)
_VIETNAMESE_FAMILY = frozenset(
    [
        "nguyen",
        "nguyễn",
        "tran",
        "trần",
        "le",
        "lê",
        "pham",
        "phạm",
        "hoang",
        "hoàng",
        "huynh",
        "huỳnh",
        "phan",
        "vu",
        "vũ",
        "vo",
        "võ",
        "dang",
        "đặng",
        "bui",
        "bùi",
        "do",
        "đỗ",
        "ngô",
        "duong",
        "dương",
        "dinh",
        "đinh",
        "trinh",
        "trịnh",
        "truong",
        "trương",
        "hồ",
        "lý",
        "lâm",
        "đào",
        "dao",
        "luong",
        "lương",
        "quach",
        "quách",
    ]
)
_VIET_MIDDLE = frozenset(
    ["van", "văn", "thi", "thị", "huu", "hữu", "duc", "đức", "ngoc", "ngọc", "quoc", "quốc"]
)
_VIET_LETTERS = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")
# Malay patronymics ("Ahmad bin Ismail") and the Malaysian Indian ones ("Ravi a/l Kumar").
_PATRONYMIC = frozenset(["bin", "binti", "bte", "bt", "b.", "a/l", "a/p", "s/o", "d/o"])
# Malay name parts that are not used alone to address someone: "Mohd Faiz", "Nur Aisyah", "Abdul Rahman".
_MALAY_PREFIX = frozenset(
    [
        "mohd",
        "muhammad",
        "mohammad",
        "mohamad",
        "muhd",
        "md",
        "nur",
        "nurul",
        "abdul",
        "abd",
        "wan",
        "nik",
        "syed",
        "sharifah",
        "tengku",
        "tunku",
        "megat",
        "puteri",
    ]
)
_HONORIFIC = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "madam",
        "mdm",
        "sir",
        "encik",
        "en",
        "puan",
        "pn",
        "cik",
        "tuan",
        "tn",
        "haji",
        "hj",
        "hajah",
        "hjh",
        "dato",
        "dato'",
        "datuk",
        "datin",
        "bapak",
        "ibu",
        "pak",
        "bu",
        "mas",
        "mbak",
        "kak",
        "khun",
        "ông",
        "bà",
        "chị",
        "cô",
    ]
)
# Titles used with a family name ("Mr Smith", "Mdm Tan"): with one word after them, the greeting keeps the title.
_FAMILY_NAME_TITLES = frozenset(["mr", "mrs", "ms", "miss", "dr", "madam", "mdm", "sir"])
# One syllable or two of romanised Chinese/Korean ("wei", "ling", "kuan", "yew", "xiaoming"): a given name part.
_SYLLABLE = r"(?:[bcdfghjklmnpqrstvwxyz]{0,3}[aeiouy]{1,3}(?:ng|n|m|h|k|p|t|w|r)?)"
_CHINESE_GIVEN = re.compile(rf"^{_SYLLABLE}{{1,2}}(?:-{_SYLLABLE}{{1,2}})?$")
_CJK = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")
# What the context keeps of each text field (characters), and how many items and categories.
ITEM_LENGTH = 80
CATEGORY_LENGTH = 40
OFFER_LENGTH = 40
CONTEXT_ITEMS = 5
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_RE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{6,}\d(?![\w])")


def first_name(display_name: str | None) -> str | None:
    """The name to greet a customer by; None when the display name looks like a username or an e-mail.

    The one place the greeting rules live:
    - Chinese characters (王芳, 王小明): the whole name ("王芳您好"); the bare given name reads wrongly.
    - Titles in front ("Mr", "Mdm", "Encik", "Ibu", "Khun") are dropped; a title and a family name only ("Mdm Tan",
      "Mr Smith") stay as they are, while "Pak Budi" and "Khun Somchai" give the name.
    - Malay patronymic names: the part before bin/binti (or a/l, a/p): "Nur Aisyah binti Hassan" -> "Nur Aisyah".
    - Vietnamese full names (family name first): the last word, "Nguyen Van An" -> "An". "Ho"/"Ly"/"Lam" count
      as Vietnamese only with a Vietnamese middle name or letters ("Ho Thi Lan"), else as Chinese.
    - Romanised Chinese (and Korean), family name first: a family name and two given-name syllables give the last
      two words, "Ang Wei Ling" -> "Wei Ling"; given name first, "Wei Ling Tan" -> "Wei Ling". A family name may
      equally be a given name part ("Wei", "Ling" are not treated as family names).
    - Thai, Indonesian, Western and other names: the first word ("Somchai Jaidee" -> "Somchai"), or the first two
      after a Malay prefix that is not used alone ("Mohd Faiz Hassan" -> "Mohd Faiz").
    - When the name cannot be split safely (a family name and one other word, "Tan Wei"; longer names that start
      with a family name): the full display name, rather than a guess.
    """
    if not display_name:
        return None
    name = re.sub(r"\s+", " ", display_name.strip())
    if not name or "@" in name or any(ch.isdigit() for ch in name) or "_" in name:
        return None
    if _CJK.match(name.replace(" ", "")):
        return name.replace(" ", "")
    if name.islower() or (name.isupper() and len(name) > 3):
        name = name.title()  # "tan wei ling", "TAN WEI LING" -> "Tan Wei Ling"
    words = name.split(" ")
    titles = []
    while len(words) > 1 and words[0].lower().rstrip(".") in _HONORIFIC:
        titles.append(words.pop(0).lower().rstrip("."))
    low = [w.lower().rstrip(",") for w in words]
    n = len(words)
    if n == 1:  # "Mr Smith", "Mdm Tan" as they are; "Khun Somchai", "Pak Budi" -> the name
        family = low[0] in _CHINESE_FAMILY or any(t in _FAMILY_NAME_TITLES for t in titles)
        return name if titles and family else words[0]
    full = " ".join(words)
    # Malay and Malaysian Indian patronymics.
    cut = next((i for i, w in enumerate(low) if w in _PATRONYMIC), None)
    chinese_shape = n == 3 and low[0] in _CHINESE_FAMILY and all(_CHINESE_GIVEN.match(w) for w in low[1:])
    if chinese_shape and low[0] in _ALSO_GIVEN and low[2] in _CHINESE_FAMILY:
        return full  # "Li Ting Tan" or "Li Wei Lin"? not safe to split
    if cut is not None and cut >= 1 and cut < n - 1 and not chinese_shape:  # "Tan Bin Bin" is Chinese
        return " ".join(words[:cut])
    # Vietnamese, family name first.
    if low[0] in _VIETNAMESE_FAMILY or (
        low[0] in _VIET_OR_CHINESE | _CHINESE_FAMILY
        and (any(w in _VIET_MIDDLE for w in low[1:-1]) or _VIET_LETTERS.search(full))
    ):
        return words[-1]
    # Romanised Chinese, family name first or last.
    if low[0] in _CHINESE_FAMILY:
        if chinese_shape:
            return " ".join(words[1:])
        if n == 2 and "-" in low[1] and _CHINESE_GIVEN.match(low[1]):
            return words[1]  # "Tan Wei-Ling"
        if n == 2 and low[1] in _CHINESE_FAMILY:
            return words[0]  # two family names: given name first ("Kim Tan")
        return full  # "Tan Wei", "Tan Ah Kow Michael": not safe to split
    if n == 3 and low[2] in _CHINESE_FAMILY and all(_CHINESE_GIVEN.match(w) for w in low[:2]):
        return " ".join(words[:2])  # "Wei Ling Tan"
    if low[0] in _MALAY_PREFIX and n >= 2:
        return " ".join(words[:2])
    return words[0]


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
    points_expiring: int = 0  # of the balance, how many expire next, and when (ISO date)
    points_expire_on: str | None = None
    orders: int = 0
    days_since_last_order: int | None = None
    replenish_every_days: int | None = None
    festival: str | None = None
    festival_kind: str | None = None
    festival_date: str | None = None
    offer: OfferContext = field(default_factory=OfferContext)
    brief: str | None = None

    def __post_init__(self) -> None:
        # No brand name or sign-off of the seller's own: the message's language names the shop and signs off
        # (templates and LLM alike), never the English defaults inside a Thai or Chinese message.
        if self.language in PACKS:
            self.sign_off = localised_sign_off(self.sign_off, self.brand_name, self.language)
            self.brand_name = localised_brand(self.brand_name, self.language)

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
            return self.complaint_item or (self.last_items[0] if self.last_items and self.orders else None)
        # A customer with no orders has no purchase to mention (the templates then use their no-order wording).
        return self.last_items[0] if self.last_items and self.orders else None


def pick_language(requested: str | None, facts: CustomerFacts | None, country: str | None = None) -> str:
    """Requested > the customer's own language > the language of their last message > their country's."""
    for candidate in (requested, facts.language if facts else None, facts.chat_language if facts else None):
        code = normalise_language(candidate)
        if code:
            return code
    return language_for_country(country or (facts.country if facts else None))


def days_between(later: datetime, earlier: datetime, tz: ZoneInfo) -> int:
    """Whole local calendar days, as docs/metrics.md counts recency."""

    def local_day(moment: datetime) -> date:
        return moment.astimezone(tz).date()

    from datetime import timedelta

    return (local_day(later - timedelta(microseconds=1)) - local_day(earlier)).days


async def customer_segment(
    db: Any, session: AsyncSession, workspace_id: int, customer_id: int, as_of: datetime, tz: ZoneInfo
) -> str | None:
    from crm.analytics.metrics import segments_by_customer

    return (await segments_by_customer(db, session, workspace_id, as_of, tz)).get(customer_id)


def build_context(
    facts: CustomerFacts,
    *,
    intent: str,
    language: str,
    settings: DraftSettings,
    as_of: datetime,
    tz: ZoneInfo,
    segment: str | None,
    festival: FestivalDay | None,
    coupon: str | None,
    discount: str | None,
    expires: date | None,
    brief: str | None,
) -> DraftContext:
    out = settings.outreach
    # A "name" longer than any name is not one to greet by: the neutral greeting, never a cut-off name.
    shown_name = clean(facts.display_name[: NAME_LENGTH + 64]) if facts.display_name else ""
    whole = len(shown_name) <= NAME_LENGTH and len(facts.display_name or "") <= NAME_LENGTH + 64
    name = first_name(shown_name) if whole else None

    def items(values: list[str], limit: int) -> list[str]:
        return [v for v in (displayable(x, limit) for x in values[:CONTEXT_ITEMS]) if v]

    return DraftContext(
        intent=intent,
        language=language,
        brand_name=out.brand_name,
        brand_voice=out.brand_voice,
        sign_off=out.sign_off,
        max_chars=out.max_chars,
        first_name=name,
        country=displayable(facts.country, 8) or None,
        platform=displayable(facts.platform, 32) or None,
        last_items=items(facts.last_items, ITEM_LENGTH),
        categories=items(facts.categories, CATEGORY_LENGTH),
        cart_item=displayable(facts.cart_item, ITEM_LENGTH) or None,
        complaint_item=displayable(facts.complaint_item, ITEM_LENGTH) or None,
        segment=segment,
        points_balance=max(facts.points, 0),
        points_expiring=facts.points_expiring if facts.points > 0 else 0,
        points_expire_on=facts.points_expire_on.isoformat()
        if facts.points > 0 and facts.points_expiring and facts.points_expire_on
        else None,
        orders=facts.orders,
        days_since_last_order=days_between(as_of, facts.last_order_at, tz) if facts.last_order_at else None,
        replenish_every_days=facts.replenish_days,
        festival=festival.festival.name(language) if festival else None,
        festival_kind=festival.festival.kind if festival else None,
        festival_date=festival.day.isoformat() if festival else None,
        offer=OfferContext(
            coupon=displayable(coupon, OFFER_LENGTH) or None,
            discount=displayable(discount, OFFER_LENGTH) or None,
            expires=expires.isoformat() if expires else None,
        ),
        # The brief loses the customer's name as far as it is shown (a million-word name is not searched whole).
        brief=redact_brief(displayable(brief, BRIEF_MAX, multiline=True), shown_name or None, name)
        if brief
        else None,
    )
