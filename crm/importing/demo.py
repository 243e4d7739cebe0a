"""A realistic multi-platform demo dataset, written as the platforms' real export files.

`generate_demo_exports` simulates one Singapore-based seller selling on Shopee (SG, MY, TH, PH), Lazada
(SG, MY, ID), TikTok Shop (SG, MY, TH), Amazon (US, UK), eBay (US) and its own Shopify store, and writes
what the seller would download from each platform (same file names, sheets, headers, date and money
formats, BOMs, trailing tabs, masked contacts), plus `rates.csv` and two SellerMate CSVs for what no
platform exports: `interactions.csv` (chats, reviews, complaints, returns) and `behaviour_events.csv`
(product views, add-to-cart, abandoned carts). The layouts of those two are documented in docs/demo.md. The
Shopify store's reviews also come as its review apps export them (Shopify Product Reviews, Judge.me).

Buyers follow the BG/NBD story (each has a purchase rate and drops out after a purchase with some
probability), so RFM segments and CLV fits are meaningful; order times follow seasonal peaks (11.11,
12.12, Black Friday, Chinese New Year). Some buyers use several platforms and are recognisable across them
only by an email or a phone number written differently on each platform. The same seed gives the same files.
"""

from __future__ import annotations

import csv
import math
import random
import re
import string
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers

from crm.importing.platforms import JudgeMeReviews, ShopifyProductReviews

SELLER_TZ = ZoneInfo("Asia/Singapore")

# 1 unit of currency = rate SGD (the demo workspace's base currency).
RATES_SGD: dict[str, float] = {
    "SGD": 1.0,
    "MYR": 0.30,
    "THB": 0.038,
    "PHP": 0.023,
    "IDR": 0.000084,
    "USD": 1.34,
    "GBP": 1.70,
    "CNY": 0.185,
    "AUD": 0.88,
    "EUR": 1.45,
}
_MINOR_DIGITS = {"IDR": 0}


@dataclass(frozen=True)
class DemoStore:
    key: str  # the demo store (names the files; the importer names the store platform-country)
    platform: str
    country: str  # ISO2 of the marketplace
    currency: str
    tz: str  # time zone the export's timestamps are written in


STORES: dict[str, DemoStore] = {
    s.key: s
    for s in (
        DemoStore("shopee-sg", "shopee", "SG", "SGD", "Asia/Singapore"),
        DemoStore("shopee-my", "shopee", "MY", "MYR", "Asia/Kuala_Lumpur"),
        DemoStore("shopee-th", "shopee", "TH", "THB", "Asia/Bangkok"),
        DemoStore("shopee-ph", "shopee", "PH", "PHP", "Asia/Manila"),
        DemoStore("lazada-sg", "lazada", "SG", "SGD", "Asia/Singapore"),
        DemoStore("lazada-my", "lazada", "MY", "MYR", "Asia/Kuala_Lumpur"),
        DemoStore("lazada-id", "lazada", "ID", "IDR", "Asia/Jakarta"),
        DemoStore("tiktok-sg", "tiktok", "SG", "SGD", "Asia/Singapore"),
        DemoStore("tiktok-my", "tiktok", "MY", "MYR", "Asia/Kuala_Lumpur"),
        DemoStore("tiktok-th", "tiktok", "TH", "THB", "Asia/Bangkok"),
        DemoStore("amazon-us", "amazon", "US", "USD", "UTC"),
        DemoStore("amazon-uk", "amazon", "GB", "GBP", "UTC"),
        DemoStore("ebay-us", "ebay", "US", "USD", "America/Los_Angeles"),
        DemoStore("shopify", "shopify", "SG", "USD", "Asia/Singapore"),
    )
}

# Where buyers of each country shop (store, weight); the share of buyers per country.
COUNTRY_STORES: dict[str, list[tuple[str, float]]] = {
    "SG": [("shopee-sg", 0.42), ("lazada-sg", 0.25), ("tiktok-sg", 0.15), ("shopify", 0.18)],
    "MY": [("shopee-my", 0.45), ("lazada-my", 0.25), ("tiktok-my", 0.24), ("shopify", 0.06)],
    "TH": [("shopee-th", 0.6), ("tiktok-th", 0.4)],
    "PH": [("shopee-ph", 0.85), ("shopify", 0.15)],
    "ID": [("lazada-id", 1.0)],
    "US": [("amazon-us", 0.5), ("ebay-us", 0.3), ("shopify", 0.2)],
    "GB": [("amazon-uk", 0.7), ("shopify", 0.3)],
    "CN": [("shopify", 1.0)],
    "AU": [("shopify", 1.0)],
}
COUNTRY_SHARE: dict[str, float] = {
    "SG": 0.22,
    "MY": 0.20,
    "TH": 0.13,
    "PH": 0.10,
    "ID": 0.08,
    "US": 0.13,
    "GB": 0.08,
    "CN": 0.04,
    "AU": 0.02,
}
COUNTRY_NAMES = {
    "SG": "Singapore",
    "MY": "Malaysia",
    "TH": "Thailand",
    "PH": "Philippines",
    "ID": "Indonesia",
    "US": "United States",
    "GB": "United Kingdom",
    "CN": "China",
    "AU": "Australia",
}
CROSS_PLATFORM_SHARE = 0.3

# sku, name, category, price in SGD, typical days between repeat purchases (None: not replenished)
CATALOGUE: list[tuple[str, str, str, float, int | None]] = [
    ("SKN-001", "Hydrating Serum 30ml", "Skincare", 28.90, 45),
    ("SKN-002", "Sunscreen SPF50 50ml", "Skincare", 21.90, 60),
    ("SKN-003", "Vitamin C Toner 150ml", "Skincare", 24.90, 60),
    ("SKN-004", "Gentle Foam Cleanser", "Skincare", 16.90, 50),
    ("SKN-005", "Sheet Mask Set (10 pcs)", "Skincare", 19.90, 30),
    ("SKN-006", "Retinol Night Cream", "Skincare", 39.90, 60),
    ("MKP-101", "Matte Lip Tint", "Makeup", 14.90, None),
    ("MKP-102", "Cushion Foundation", "Makeup", 32.90, 90),
    ("MKP-103", "Waterproof Eyeliner", "Makeup", 12.90, None),
    ("HAR-151", "Argan Hair Oil 100ml", "Hair care", 22.90, 75),
    ("HAR-152", "Scalp Care Shampoo", "Hair care", 18.90, 45),
    ("FSH-301", "Batik Scarf", "Fashion", 29.90, None),
    ("FSH-302", "Linen Shirt", "Fashion", 45.90, None),
    ("FSH-303", "Modest Maxi Dress", "Fashion", 59.90, None),
    ("FSH-304", "Canvas Tote Bag", "Fashion", 19.90, None),
    ("ACC-351", "Silver Stud Earrings", "Accessories", 25.90, None),
    ("ACC-352", "Minimalist Watch", "Accessories", 79.90, None),
    ("HOM-101", "Bamboo Storage Box", "Home & Living", 16.90, None),
    ("HOM-102", "Aroma Diffuser", "Home & Living", 39.90, None),
    ("HOM-103", "Linen Bedsheet Set", "Home & Living", 69.90, None),
    ("HOM-104", "Essential Oil Trio", "Home & Living", 24.90, 90),
    ("ELC-201", "Wireless Earbuds", "Electronics", 59.90, None),
    ("ELC-202", "65W GaN Charger", "Electronics", 35.90, None),
    ("ELC-203", "Phone Case Clear", "Electronics", 9.90, None),
    ("ELC-204", "Braided USB-C Cable 2m", "Electronics", 8.90, None),
    ("BBY-401", "Baby Wipes 6-pack", "Baby", 12.90, 21),
    ("BBY-402", "Diaper Rash Cream", "Baby", 14.90, 40),
    ("BBY-403", "Organic Baby Cereal", "Baby", 11.90, 20),
    ("HLT-501", "Collagen Drink 10x50ml", "Health", 45.90, 30),
    ("HLT-502", "Vitamin D3 Gummies", "Health", 22.90, 60),
    ("HLT-503", "Bird's Nest Drink 6x75ml", "Health", 49.90, 30),
    ("PET-601", "Grain-free Cat Treats", "Pet", 9.90, 21),
    ("PET-602", "Dog Dental Chews", "Pet", 15.90, 30),
    ("FOD-701", "Durian Mochi Gift Box", "Snacks", 18.90, None),
    ("FOD-702", "Kaya Spread 2-pack", "Snacks", 12.90, 30),
]
VARIATIONS: dict[str, list[str]] = {
    "MKP-101": ["Rose", "Coral", "Brick Red", "Nude"],
    "MKP-102": ["#21 Light", "#23 Natural", "#25 Tan"],
    "FSH-302": ["S,White", "M,White", "L,Navy", "XL,Navy"],
    "FSH-303": ["S,Sage", "M,Sage", "M,Black", "L,Black"],
    "ELC-203": ["iPhone 15", "iPhone 16", "Galaxy S24"],
    "ACC-352": ["Silver", "Rose Gold"],
}
CATEGORIES = sorted({c[2] for c in CATALOGUE})

# ---------------------------------------------------------------- names, emails, phones

_NAMES: dict[str, dict[str, list[str]]] = {
    "chinese": {
        "family": [
            "Tan",
            "Lim",
            "Lee",
            "Ng",
            "Ong",
            "Wong",
            "Goh",
            "Chua",
            "Chan",
            "Koh",
            "Teo",
            "Ang",
            "Yeo",
            "Tay",
            "Ho",
            "Low",
            "Toh",
            "Sim",
            "Chong",
            "Chia",
            "Foo",
            "Leong",
            "Seah",
            "Quek",
        ],
        "given": [
            "Wei Ling",
            "Jun Jie",
            "Hui Min",
            "Zhi Hao",
            "Mei Ling",
            "Jia Hui",
            "Kai Wen",
            "Xin Yi",
            "Wei Jie",
            "Shu Fen",
            "Yong Sheng",
            "Li Ting",
            "Jia Wei",
            "Pei Shan",
            "Cheng Han",
            "Siew Mei",
            "Boon Keng",
            "Hui Ying",
            "Zi Xuan",
            "Yi Xuan",
            "Kok Wai",
            "Ai Ling",
            "Jun Wei",
            "Min Hui",
        ],
    },
    "malay": {
        "family": [
            "Rahman",
            "Ismail",
            "Abdullah",
            "Hassan",
            "Ibrahim",
            "Yusof",
            "Osman",
            "Salleh",
            "Hamid",
            "Aziz",
            "Razak",
            "Kassim",
            "Ahmad",
            "Mohamed",
            "Zainal",
            "Rashid",
        ],
        "given_m": [
            "Ahmad Faizal",
            "Muhammad Hafiz",
            "Syafiq",
            "Amirul",
            "Farhan",
            "Haziq",
            "Irfan",
            "Khairul",
            "Danial",
            "Aiman",
            "Hakim",
            "Rizal",
        ],
        "given_f": [
            "Nurul Aisyah",
            "Siti Nur",
            "Farah",
            "Nur Izzati",
            "Aina",
            "Syazwani",
            "Nadia",
            "Hani",
            "Aqilah",
            "Sofea",
            "Amira",
            "Balqis",
        ],
    },
    "indian": {
        "family": [
            "Pillai",
            "Nair",
            "Kumar",
            "Raj",
            "Menon",
            "Singh",
            "Krishnan",
            "Subramaniam",
            "Rao",
            "Das",
        ],
        "given": [
            "Arjun",
            "Priya",
            "Kavitha",
            "Rajesh",
            "Deepa",
            "Vikram",
            "Anjali",
            "Suresh",
            "Lakshmi",
            "Ravi",
            "Meena",
            "Karthik",
        ],
    },
    "thai": {
        "family": [
            "Wongsa",
            "Srisuk",
            "Thongdee",
            "Saetang",
            "Kaewkla",
            "Suwan",
            "Chaiyaporn",
            "Boonmee",
            "Rattanakorn",
            "Phrommas",
            "Jaidee",
            "Sukprasert",
            "Intharat",
            "Khamphan",
        ],
        "given": [
            "Somchai",
            "Pimchanok",
            "Kittipong",
            "Suda",
            "Nattapong",
            "Siriporn",
            "Anan",
            "Waraporn",
            "Thanakorn",
            "Kanokwan",
            "Chaiwat",
            "Pranee",
            "Apinya",
            "Sarawut",
            "Ploy",
            "Niran",
        ],
    },
    "filipino": {
        "family": [
            "Santos",
            "Reyes",
            "Cruz",
            "Bautista",
            "Ocampo",
            "Garcia",
            "Mendoza",
            "Torres",
            "Villanueva",
            "Ramos",
            "Aquino",
            "Castillo",
            "Flores",
            "Dela Cruz",
            "Navarro",
            "Gonzales",
        ],
        "given": [
            "Maria",
            "Jose",
            "Kristine",
            "Mark Anthony",
            "Angelica",
            "John Paul",
            "Princess",
            "Jerome",
            "Camille",
            "Rommel",
            "Joy",
            "Carlo",
            "Patricia",
            "Miguel",
            "Bea",
            "Paolo",
        ],
    },
    "indonesian": {
        "family": [
            "Kusuma",
            "Susanto",
            "Wijaya",
            "Pratama",
            "Santoso",
            "Hidayat",
            "Saputra",
            "Lestari",
            "Nugroho",
            "Setiawan",
            "Purnomo",
            "Halim",
            "Gunawan",
            "Siregar",
        ],
        "given": [
            "Dewi",
            "Putri",
            "Budi",
            "Fajar",
            "Rina",
            "Agus",
            "Sari",
            "Eko",
            "Indah",
            "Andi",
            "Wulan",
            "Rizky",
            "Ayu",
            "Dimas",
            "Intan",
            "Bayu",
        ],
    },
    "western": {
        "family": [
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Jones",
            "Garcia",
            "Miller",
            "Davis",
            "Wilson",
            "Taylor",
            "Anderson",
            "Thomas",
            "Moore",
            "Clark",
            "Walker",
            "Evans",
            "Hughes",
            "Wright",
            "Robinson",
            "Harris",
            "Martin",
            "Lewis",
            "Young",
            "King",
        ],
        "given": [
            "Emily",
            "Michael",
            "Sarah",
            "James",
            "Jessica",
            "Chris",
            "Ashley",
            "Ryan",
            "Megan",
            "Tyler",
            "Olivia",
            "Oliver",
            "Harry",
            "Amelia",
            "Jack",
            "Lily",
            "Sophie",
            "Daniel",
            "Grace",
            "Liam",
            "Chloe",
            "Noah",
            "Ella",
            "Ethan",
        ],
    },
    "mainland": {
        "family": [
            "王",
            "李",
            "张",
            "刘",
            "陈",
            "杨",
            "黄",
            "赵",
            "周",
            "吴",
            "徐",
            "孙",
            "马",
            "朱",
            "胡",
            "林",
        ],
        "given": [
            "芳",
            "伟",
            "娜",
            "静",
            "敏",
            "磊",
            "洋",
            "婷",
            "杰",
            "欣怡",
            "子涵",
            "浩然",
            "雨桐",
            "思远",
            "佳怡",
            "俊杰",
            "晓东",
            "丽华",
        ],
        "pinyin_family": [
            "wang",
            "li",
            "zhang",
            "liu",
            "chen",
            "yang",
            "huang",
            "zhao",
            "zhou",
            "wu",
            "xu",
            "sun",
            "ma",
            "zhu",
            "hu",
            "lin",
        ],
        "pinyin_given": [
            "fang",
            "wei",
            "na",
            "jing",
            "min",
            "lei",
            "yang",
            "ting",
            "jie",
            "xinyi",
            "zihan",
            "haoran",
            "yutong",
            "siyuan",
            "jiayi",
            "junjie",
            "xiaodong",
            "lihua",
        ],
    },
}
_ETHNIC_MIX = {
    "SG": [("chinese", 0.74), ("malay", 0.14), ("indian", 0.12)],
    "MY": [("malay", 0.55), ("chinese", 0.33), ("indian", 0.12)],
    "TH": [("thai", 1.0)],
    "PH": [("filipino", 1.0)],
    "ID": [("indonesian", 1.0)],
    "US": [("western", 1.0)],
    "GB": [("western", 1.0)],
    "AU": [("western", 1.0)],
    "CN": [("mainland", 1.0)],
}
_EMAIL_DOMAINS = {
    "SG": ["gmail.com", "hotmail.com", "yahoo.com.sg", "outlook.com"],
    "MY": ["gmail.com", "yahoo.com", "hotmail.com"],
    "TH": ["gmail.com", "hotmail.com"],
    "PH": ["gmail.com", "yahoo.com"],
    "ID": ["gmail.com", "yahoo.co.id"],
    "US": ["gmail.com", "yahoo.com", "outlook.com", "icloud.com"],
    "GB": ["gmail.com", "hotmail.co.uk", "btinternet.com"],
    "AU": ["gmail.com", "bigpond.com"],
    "CN": ["qq.com", "163.com", "126.com"],
}
_LANGUAGES = {
    "SG": [("en", 0.8), ("zh", 0.2)],
    "MY": [("en", 0.45), ("ms", 0.35), ("zh", 0.2)],
    "TH": [("th", 1.0)],
    "PH": [("en", 0.7), ("tl", 0.3)],
    "ID": [("id", 1.0)],
    "US": [("en", 1.0)],
    "GB": [("en", 1.0)],
    "AU": [("en", 1.0)],
    "CN": [("zh", 1.0)],
}
_CITIES = {
    "SG": [("Singapore", "")],
    "MY": [
        ("Kuala Lumpur", "Wilayah Persekutuan"),
        ("Petaling Jaya", "Selangor"),
        ("Johor Bahru", "Johor"),
        ("Penang", "Pulau Pinang"),
    ],
    "TH": [("Bangkok", "Bangkok"), ("Chiang Mai", "Chiang Mai"), ("Nonthaburi", "Nonthaburi")],
    "PH": [("Quezon City", "Metro Manila"), ("Makati", "Metro Manila"), ("Cebu City", "Cebu")],
    "ID": [("Jakarta Selatan", "DKI Jakarta"), ("Bandung", "Jawa Barat"), ("Surabaya", "Jawa Timur")],
    "US": [("Seattle", "WA"), ("Austin", "TX"), ("Brooklyn", "NY"), ("Denver", "CO"), ("San Jose", "CA")],
    "GB": [("London", "England"), ("Manchester", "England"), ("Leeds", "England"), ("Glasgow", "Scotland")],
    "CN": [("Shanghai", "SH"), ("Shenzhen", "GD"), ("Hangzhou", "ZJ")],
    "AU": [("Sydney", "NSW"), ("Melbourne", "VIC")],
}
_US_AREA = ["206", "212", "312", "415", "512", "617", "646", "303", "404", "503", "702", "720"]


def _weighted(rng: random.Random, pairs: list[tuple[str, float]]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs], k=1)[0]


def _random_phone(rng: random.Random, country: str, *, wide: bool = False) -> str:
    """An E.164 mobile number; from the ranges reserved for fiction where the country has them (US, UK,
    AU), unless `wide` (those ranges are small: big populations need more numbers)."""
    if country == "US":
        tail = f"{rng.randint(0, 9999):04d}" if wide else f"01{rng.randint(0, 99):02d}"
        return f"+1{rng.choice(_US_AREA)}555{tail}"
    if country == "GB" and not wide:
        return f"+447700900{rng.randint(0, 999):03d}"
    if country == "AU" and not wide:
        return f"+6149157{rng.randint(0, 9999):04d}"
    prefixes = {
        "SG": ("+65", ["8", "9"], 7),
        "MY": ("+60", ["12", "13", "16", "17", "19"], 7),
        "TH": ("+66", ["81", "82", "86", "89", "92", "95", "98"], 7),
        "PH": ("+63", ["917", "918", "927", "998"], 7),
        "ID": ("+62", ["812", "813", "821", "852"], 8),
        "CN": ("+86", ["138", "139", "150", "186", "199"], 8),
        "GB": ("+44", ["77", "78", "79"], 8),
        "AU": ("+61", ["41", "42", "43"], 7),
    }
    cc, heads, rest = prefixes[country]
    while True:
        nsn = rng.choice(heads) + "".join(rng.choice(string.digits) for _ in range(rest))
        number = phonenumbers.parse(cc + nsn)
        if phonenumbers.is_valid_number(number):
            return cc + nsn


def phone_variants(e164: str, country: str) -> list[str]:
    """Ways sellers see the same number: `+65 9123 4567`, `6591234567`, `9123 4567`, `+6591234567`."""
    number = phonenumbers.parse(e164)
    intl = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    out = [intl, e164[1:], national, e164]
    # Every variant must read back as the same number with the buyer's country as default region.
    return [v for v in out if _e164(v, country) == e164]


def _e164(value: str, country: str) -> str | None:
    try:
        number = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# ---------------------------------------------------------------- the simulated world


@dataclass
class Person:
    pid: int
    country: str
    given: str
    family: str
    display: str
    language: str
    email: str
    phone: str  # E.164
    loyal: bool
    rate_per_day: float
    dropout: float
    categories: list[str]
    stores: list[str]
    store_weights: list[float]
    usernames: dict[str, str] = field(default_factory=dict)  # platform -> buyer key there
    phone_shown: dict[str, str | None] = field(
        default_factory=dict
    )  # store -> phone as written (None: masked)
    email_shown: dict[str, str] = field(default_factory=dict)  # platform -> email as written
    amazon_relay: str = ""
    favourite_sku: str | None = None
    accepts_marketing: bool = False


@dataclass
class Line:
    sku: str
    name: str
    category: str
    variation: str
    qty: int
    list_price: int  # minor units, per unit
    unit_price: int  # minor units, per unit, after the item discount


@dataclass
class DemoOrder:
    store: str
    person: Person
    created: datetime  # UTC
    status: str  # pending | paid | shipped | completed | cancelled | returned
    lines: list[Line]
    shipping: int  # buyer-paid shipping, minor units
    voucher: int  # seller voucher on the whole order, minor units
    order_id: str = ""
    partial_refund: int = 0

    @property
    def currency(self) -> str:
        return STORES[self.store].currency

    @property
    def items_total(self) -> int:
        return sum(line.unit_price * line.qty for line in self.lines)

    @property
    def total(self) -> int:
        """What the buyer paid (order value in the order's currency, minor units)."""
        return self.items_total - self.voucher + self.shipping


@dataclass
class Identity:
    """One buyer as one platform knows them, with the contacts a merge can use (normalised)."""

    platform: str
    buyer_key: str
    person: int
    email_norm: str | None
    phone_e164: str | None


@dataclass
class DemoDataset:
    as_of: date
    start: date
    persons: list[Person]
    orders: list[DemoOrder]
    prospects: list[Person]
    identities: list[Identity]

    def _components(self) -> list[int]:
        """For each identity, the representative of its group (identities joined by a shared email or phone)."""
        parent = list(range(len(self.identities)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        seen: dict[str, int] = {}
        for i, ident in enumerate(self.identities):
            for key in (
                f"e:{ident.email_norm}" if ident.email_norm else None,
                f"p:{ident.phone_e164}" if ident.phone_e164 else None,
            ):
                if key is None:
                    continue
                if key in seen:
                    parent[find(i)] = find(seen[key])
                else:
                    seen[key] = i
        return [find(i) for i in range(len(self.identities))]

    def expected_customers(self) -> int:
        """Customers a correct importer ends with: identities joined by a shared email or phone."""
        return len(set(self._components()))

    def cross_platform_customers(self) -> int:
        """Expected customers whose identities span two or more platforms."""
        platforms: dict[int, set[str]] = {}
        for ident, root in zip(self.identities, self._components(), strict=False):
            platforms.setdefault(root, set()).add(ident.platform)
        return sum(1 for p in platforms.values() if len(p) > 1)


def _to_minor(amount: float, currency: str) -> int:
    scale: int = 10 ** _MINOR_DIGITS.get(currency, 2)
    return round(amount * scale)


def _fmt(minor: int, currency: str) -> str:
    digits = _MINOR_DIGITS.get(currency, 2)
    if digits == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    return f"{sign}{minor // 100}.{minor % 100:02d}"


def _local_price(sgd: float, currency: str) -> int:
    """A list price in the store's currency, rounded the way shops price there."""
    raw = sgd / RATES_SGD[currency]
    if currency == "IDR":
        return round(raw / 1000.0) * 1000 - 100 if raw > 5000 else round(raw)
    if currency in {"THB", "PHP"}:
        return (math.ceil(raw / 10.0) * 10 - 1) * 100
    return math.floor(raw) * 100 + 90


def _shipping_fee(currency: str) -> int:
    return {"SGD": 350, "MYR": 690, "THB": 4000, "PHP": 9500, "IDR": 15000, "USD": 599, "GBP": 399}[currency]


def _free_shipping_over(currency: str) -> int:
    return _to_minor(40 / RATES_SGD[currency], currency)


def _cny(year: int) -> date | None:
    return {
        2022: date(2022, 2, 1),
        2023: date(2023, 1, 22),
        2024: date(2024, 2, 10),
        2025: date(2025, 1, 29),
        2026: date(2026, 2, 17),
        2027: date(2027, 2, 6),
        2028: date(2028, 1, 26),
        2029: date(2029, 2, 13),
        2030: date(2030, 2, 3),
    }.get(year)


def _black_friday(year: int) -> date:
    first = date(year, 11, 1)
    thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 21)
    return thursday + timedelta(days=1)


def day_multiplier(day: date, calendar: str) -> float:
    """How busy a day is for buyers of a calendar (sea: marketplace double days; west: Black Friday)."""
    m = 1.0
    if calendar in {"sea", "cn"}:
        double = {(11, 11): 7.0, (12, 12): 5.0, (9, 9): 2.5, (10, 10): 2.5, (6, 6): 2.0}
        m = double.get((day.month, day.day), m)
        if (day.month, day.day) in {(11, 10), (11, 12), (12, 11), (12, 13)}:
            m = 1.8
        if day.day == 25:
            m *= 1.3  # payday sales
        for c in filter(None, (_cny(day.year), _cny(day.year + 1))):
            delta = (c - day).days
            if 1 <= delta <= 21:
                m *= 1.8  # buying for the new year
            elif -3 <= delta <= 0:
                m *= 0.4  # shops closed, buyers visiting
    else:
        bf = _black_friday(day.year)
        delta = (day - bf).days
        if delta == 0:
            m = 6.0
        elif delta in (1, 2):
            m = 2.5
        elif delta == 3:
            m = 4.0  # Cyber Monday
        elif -6 <= delta < 0:
            m = 1.5
        if day.month == 12 and day.day <= 20:
            m *= 1.6
        if day.month == 12 and 24 <= day.day <= 26:
            m *= 0.5
    return m


def _calendar(country: str) -> str:
    return {"US": "west", "GB": "west", "AU": "west", "CN": "cn"}.get(country, "sea")


_HOUR_WEIGHTS = [3, 2, 1, 1, 1, 1, 2, 3, 4, 5, 6, 7, 9, 9, 7, 6, 6, 7, 8, 9, 11, 12, 10, 6]


def _username(rng: random.Random, given: str, family: str, taken: set[str], style: int) -> str:
    g = re.sub(r"[^a-z]", "", given.lower())
    f = re.sub(r"[^a-z]", "", family.lower())
    while True:
        n = rng.randint(1, 99999)
        candidate = [f"{g[:3]}{f[:3]}{n}", f"{g}.{f}{n % 100}", f"{f}_{g[:4]}{n % 1000}", f"{g}{f[:1]}{n}"][
            style % 4
        ]
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def build_demo_dataset(*, seed: int = 7, customers: int = 1500, as_of: date | None = None) -> DemoDataset:
    """Simulate the seller's buyers and orders (no files written); deterministic for a seed and as_of."""
    rng = random.Random(seed)
    as_of = as_of or datetime.now(SELLER_TZ).date()
    cutoff = datetime.combine(as_of, time(0), tzinfo=SELLER_TZ).astimezone(UTC)
    start = as_of - timedelta(days=790)
    n_days = (as_of - start).days
    calendars = {
        cal: [day_multiplier(start + timedelta(days=i), cal) for i in range(n_days)]
        for cal in ("sea", "west", "cn")
    }
    growth = [0.45 + 1.1 * i / n_days for i in range(n_days)]
    acquisition = {
        cal: [g * m for g, m in zip(growth, mult, strict=False)] for cal, mult in calendars.items()
    }
    catalogue = {c[0]: c for c in CATALOGUE}
    prices = {(sku, cur): _local_price(c[3], cur) for sku, c in catalogue.items() for cur in RATES_SGD}

    names_taken: set[str] = set()
    emails_taken: set[str] = set()
    phones_taken: set[str] = set()
    usernames_taken: set[str] = set()

    def make_person(pid: int, country: str, *, shopper: bool = True) -> Person:
        mix = _weighted(rng, _ETHNIC_MIX[country])
        pool = _NAMES[mix]
        for attempt in range(8):  # prefer unique names; big populations repeat them, as real ones do
            if mix == "malay":
                female = rng.random() < 0.55
                given = rng.choice(pool["given_f" if female else "given_m"])
                family = rng.choice(pool["family"])
                display = f"{given} {'binti' if female else 'bin'} {family}"
                latin_given, latin_family = given, family
            elif mix == "mainland":
                fi, gi = rng.randrange(len(pool["family"])), rng.randrange(len(pool["given"]))
                family, given = pool["family"][fi], pool["given"][gi]
                display = family + given
                latin_family, latin_given = pool["pinyin_family"][fi], pool["pinyin_given"][gi]
            elif mix == "chinese":
                family, given = rng.choice(pool["family"]), rng.choice(pool["given"])
                display = f"{family} {given}"
                latin_given, latin_family = given, family
            else:
                given, family = rng.choice(pool["given"]), rng.choice(pool["family"])
                display = f"{given} {family}"
                latin_given, latin_family = given, family
            if display not in names_taken:
                break
            if attempt >= 4 and mix not in {"mainland", "malay", "chinese"}:
                display = f"{given} {rng.choice(string.ascii_uppercase)}. {family}"
                if display not in names_taken:
                    break
        names_taken.add(display)
        while True:
            local = rng.choice(
                [
                    f"{latin_given}.{latin_family}",
                    f"{latin_given}{latin_family}{rng.randint(1, 999)}",
                    f"{latin_family}.{latin_given}{rng.randint(1, 99)}",
                    f"{latin_given[:1]}{latin_family}{rng.randint(70, 2005)}",
                ]
            )
            local = re.sub(r"[^a-z0-9.]", "", local.lower())
            email = f"{local}@{rng.choice(_EMAIL_DOMAINS[country])}"
            if email not in emails_taken:
                emails_taken.add(email)
                break
        for attempt in range(10_000):
            phone = _random_phone(rng, country, wide=attempt >= 20)
            if phone not in phones_taken:
                phones_taken.add(phone)
                break
        loyal = rng.random() < 0.12
        if loyal:
            rate = rng.gammavariate(3.0, (1 / 40) / 3.0)
            dropout = rng.betavariate(1.0, 15.0)
        else:
            rate = rng.gammavariate(0.8, (1 / 150) / 0.8)
            dropout = rng.betavariate(2.0, 2.5)
        options = COUNTRY_STORES[country]
        primary = _weighted(rng, options)
        stores, weights = [primary], [1.0]
        if shopper and len(options) > 1 and rng.random() < CROSS_PLATFORM_SHARE:
            others = [(s, w) for s, w in options if STORES[s].platform != STORES[primary].platform]
            if others:
                stores.append(_weighted(rng, others))
                weights = [0.65, 0.35]
        person = Person(
            pid=pid,
            country=country,
            given=latin_given if mix == "mainland" else given,
            family=latin_family if mix == "mainland" else family,
            display=display,
            language=_weighted(rng, _LANGUAGES[country]),
            email=email,
            phone=phone,
            loyal=loyal,
            rate_per_day=rate,
            dropout=dropout,
            categories=rng.sample(CATEGORIES, 2),
            stores=stores,
            store_weights=weights,
            accepts_marketing=rng.random() < 0.55,
        )
        if mix == "mainland":
            person.given, person.family = given, family
        variants = phone_variants(phone, country)
        style = rng.randrange(4)
        for store_key in stores:
            spec = STORES[store_key]
            platform = spec.platform
            if platform not in person.usernames:
                if platform == "shopify":
                    person.usernames[platform] = ""  # keyed by email, set below
                elif platform == "amazon":
                    relay = "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(14))
                    domain = "marketplace.amazon.co.uk" if spec.country == "GB" else "marketplace.amazon.com"
                    person.amazon_relay = f"{relay}@{domain}"
                    person.usernames[platform] = person.amazon_relay
                elif platform == "lazada":
                    person.usernames[platform] = _username(
                        rng, latin_given, latin_family, usernames_taken, style + 1
                    )
                else:
                    person.usernames[platform] = _username(
                        rng, latin_given, latin_family, usernames_taken, style
                    )
            masked_share = {
                "shopee": 0.35,
                "lazada": 0.3,
                "tiktok": 0.8,
                "ebay": 0.6,
                "shopify": 0.3,
                "amazon": 1.0,
            }
            if rng.random() < masked_share[platform]:
                person.phone_shown[store_key] = None
            elif platform == "tiktok":
                number = phonenumbers.parse(phone)
                person.phone_shown[store_key] = f"(+{number.country_code}){number.national_number}"
            else:
                person.phone_shown[store_key] = rng.choice(variants)
            if platform == "shopify":
                shown = email if rng.random() < 0.8 else email.capitalize()
                person.email_shown[platform] = shown
                person.usernames[platform] = email  # Shopify keys the buyer by the order email, lower-cased
            elif platform == "ebay":
                person.email_shown[platform] = (
                    email if rng.random() < 0.45 else f"{email[0]}***@{email.split('@')[1]}"
                )
        return person

    countries = list(COUNTRY_SHARE)
    persons = [
        make_person(i + 1, rng.choices(countries, weights=[COUNTRY_SHARE[c] for c in countries])[0])
        for i in range(customers)
    ]

    orders: list[DemoOrder] = []
    for person in persons:
        cal = _calendar(person.country)
        mult = calendars[cal]
        m_max = max(mult)
        t = rng.choices(range(n_days), weights=acquisition[cal], k=1)[0] + rng.random()
        times = [t]
        cross = len(person.stores) > 1
        # A buyer on two platforms has bought on both: the second purchase goes to the second platform.
        while len(times) < 60 and ((cross and len(times) == 1) or rng.random() >= person.dropout):
            while True:
                t += rng.expovariate(person.rate_per_day * m_max)
                if t >= n_days or rng.random() < mult[int(t)] / m_max:
                    break
            if t >= n_days:
                break
            times.append(t)
        for i, t in enumerate(times):
            store = (
                person.stores[i]
                if i < len(person.stores)
                else rng.choices(person.stores, weights=person.store_weights, k=1)[0]
            )
            order = _make_order(rng, person, store, start, t, cutoff, catalogue, prices, calendars[cal])
            if order is not None:
                orders.append(order)

    # Shopify accounts that never ordered (sign-ups, newsletter): prospects in the customers export.
    prospects = []
    for i in range(max(customers // 15, 1)):
        country = rng.choice(["SG", "SG", "MY", "US", "GB", "AU", "PH"])
        p = make_person(customers + i + 1, country, shopper=False)
        p.stores, p.store_weights = ["shopify"], [1.0]
        if "shopify" not in p.usernames:
            p.usernames["shopify"] = p.email
        prospects.append(p)

    orders.sort(key=lambda o: (o.created, o.person.pid))
    _assign_order_ids(rng, orders)
    return DemoDataset(
        as_of=as_of,
        start=start,
        persons=persons,
        orders=orders,
        prospects=prospects,
        identities=_identities(persons, prospects, orders),
    )


def _make_order(
    rng: random.Random,
    person: Person,
    store: str,
    start: date,
    t: float,
    cutoff: datetime,
    catalogue: dict[str, tuple[str, str, str, float, int | None]],
    prices: dict[tuple[str, str], int],
    mult: list[float],
) -> DemoOrder | None:
    spec = STORES[store]
    tz = ZoneInfo(
        spec.tz if spec.tz != "UTC" else {"US": "America/Los_Angeles", "GB": "Europe/London"}[spec.country]
    )
    day = start + timedelta(days=int(t))
    hour = rng.choices(range(24), weights=_HOUR_WEIGHTS, k=1)[0]
    if mult[int(t)] >= 5 and rng.random() < 0.3:
        hour = rng.choice([0, 0, 1])  # double-day midnight rush
    local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=tz)
    created = local.astimezone(UTC)
    if created >= cutoff:
        return None
    peak = mult[int(t)] >= 2.5
    n_lines = 1 if spec.platform == "ebay" else rng.choices([1, 2, 3, 4], weights=[60, 25, 10, 5], k=1)[0]
    skus: list[str] = []
    if person.favourite_sku and rng.random() < 0.5:
        skus.append(person.favourite_sku)
    while len(skus) < n_lines:
        if rng.random() < 0.65:
            pool = [c[0] for c in CATALOGUE if c[2] in person.categories]
        else:
            pool = [c[0] for c in CATALOGUE]
        sku = rng.choice(pool)
        if sku not in skus:
            skus.append(sku)
    if person.favourite_sku is None:
        replenishable = [s for s in skus if catalogue[s][4]]
        if replenishable:
            person.favourite_sku = replenishable[0]
    currency = spec.currency
    lines = []
    discount = rng.choice([0.1, 0.15, 0.2, 0.3]) if peak else (0.05 if rng.random() < 0.2 else 0.0)
    for sku in skus:
        _, name, category, _, _ = catalogue[sku]
        list_price = prices[(sku, currency)]
        unit = list_price - _round_like(list_price * discount, currency)
        qty = rng.choices([1, 2, 3], weights=[75, 18, 7], k=1)[0]
        variation = rng.choice(VARIATIONS[sku]) if sku in VARIATIONS else ""
        lines.append(Line(sku, name, category, variation, qty, list_price, unit))
    items = sum(line.unit_price * line.qty for line in lines)
    shipping = (
        0
        if items >= _free_shipping_over(currency) or (spec.platform == "amazon" and rng.random() < 0.6)
        else _shipping_fee(currency)
    )
    voucher = _round_like(items * 0.05, currency) if rng.random() < (0.35 if peak else 0.08) else 0
    age_days = (cutoff - created).total_seconds() / 86400
    if age_days < 1:
        status = "pending" if rng.random() < 0.3 else "paid"
    elif age_days < 4:
        status = "paid" if rng.random() < 0.4 else "shipped"
    elif age_days < 10:
        status = "shipped" if rng.random() < 0.7 else "completed"
    else:
        status = "completed"
    # Amazon's order report and eBay's orders report carry no order status: those orders stay valid.
    if spec.platform not in {"amazon", "ebay"}:
        if status != "pending" and rng.random() < (0.05 if not peak else 0.08):
            status = "cancelled"
        elif status == "completed" and rng.random() < 0.025:
            status = "returned"
    order = DemoOrder(
        store=store,
        person=person,
        created=created,
        status=status,
        lines=lines,
        shipping=shipping,
        voucher=voucher,
    )
    if spec.platform == "shopify" and status == "completed" and rng.random() < 0.03:
        order.partial_refund = lines[0].unit_price
    return order


def _round_like(minor: float, currency: str) -> int:
    if currency in {"IDR", "THB", "PHP"}:
        return round(minor / 100.0) * 100  # whole baht/pesos, hundreds of rupiah
    return round(minor)


def _assign_order_ids(rng: random.Random, orders: list[DemoOrder]) -> None:
    counters: dict[str, int] = {}
    shopify_no = 1000
    for order in orders:
        spec = STORES[order.store]
        n = counters[order.store] = counters.get(order.store, 0) + 1
        local = order.created.astimezone(ZoneInfo(spec.tz))
        if spec.platform == "shopee":
            tail = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(4))
            order.order_id = f"{local:%y%m%d}{_base36(n, 4)}{tail}"
        elif spec.platform == "lazada":
            order.order_id = str(
                {"SG": 51, "MY": 52, "ID": 53}[spec.country] * 10**13 + 7_000_000_000_000 + n * 7919
            )
        elif spec.platform == "tiktok":
            order.order_id = str(
                {"SG": 578, "MY": 576, "TH": 577}[spec.country] * 10**15 + n * 104_729 + rng.randrange(997)
            )
        elif spec.platform == "amazon":
            prefix = "111" if spec.country == "US" else "203"
            order.order_id = f"{prefix}-{rng.randrange(10**7):07d}-{n:07d}"
        elif spec.platform == "ebay":
            order.order_id = f"{rng.randrange(10, 28)}-{n:05d}-{rng.randrange(10**5):05d}"
        else:
            shopify_no += 1
            order.order_id = f"#{shopify_no}"


def _base36(n: int, width: int) -> str:
    digits = string.digits + string.ascii_uppercase
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out.rjust(width, "0")


def _identities(persons: list[Person], prospects: list[Person], orders: list[DemoOrder]) -> list[Identity]:
    ordered: dict[tuple[int, str], set[str]] = {}
    for order in orders:
        ordered.setdefault((order.person.pid, STORES[order.store].platform), set()).add(order.store)
    out: list[Identity] = []
    for person in persons:
        for platform, key in person.usernames.items():
            stores = ordered.get((person.pid, platform))
            if not stores:
                continue
            email = person.email_shown.get(platform)
            email_norm = email.strip().lower() if email and "*" not in email else None
            phones = {person.phone for s in stores if person.phone_shown.get(s)}
            out.append(Identity(platform, key, person.pid, email_norm, phones.pop() if phones else None))
        if (person.pid, "shopify") in ordered:
            out.append(
                Identity(
                    "shopify",
                    _shopify_customer_id(person),
                    person.pid,
                    person.email.lower(),
                    person.phone if person.phone_shown.get("shopify") else None,
                )
            )
    for person in prospects:
        has_phone = person.phone_shown.get("shopify") is not None
        out.append(
            Identity(
                "shopify",
                _shopify_customer_id(person),
                person.pid,
                person.email.lower(),
                person.phone if has_phone else None,
            )
        )
    return out


def _shopify_customer_id(person: Person) -> str:
    return str(7_000_000_000_000 + person.pid * 104_729)


# ---------------------------------------------------------------- writers

SHOPEE_HEADER = [
    "Order ID",
    "Order Status",
    "Return / Refund Status",
    "Tracking Number*",
    "Shipping Option",
    "Shipment Method",
    "Estimated Ship Out Date",
    "Ship Time",
    "Order Creation Date",
    "Order Paid Time",
    "Parent SKU Reference No.",
    "Product Name",
    "SKU Reference No.",
    "Variation Name",
    "Original Price",
    "Deal Price",
    "Quantity",
    "Product Subtotal",
    "Total Discount({c})",
    "Price Discount(from Seller)({c})",
    "Shopee Rebate({c})",
    "SKU Total Weight",
    "Number of Items in Order",
    "Order Total Weight",
    "Seller Voucher({c})",
    "Seller Absorbed Coin Cashback",
    "Shopee Voucher({c})",
    "Bundle Deals Indicator(Y/N)",
    "Shopee Bundle Discount({c})",
    "Seller Bundle Discount({c})",
    "Shopee Coins Offset({c})",
    "Credit Card Discount Total({c})",
    "Products' Price Paid by Buyer ({c})",
    "Buyer Paid Shipping Fee",
    "Shipping Rebate Estimate",
    "Reverse Shipping Fee",
    "Service Fee",
    "Grand Total",
    "Estimated Shipping Fee",
    "Username (Buyer)",
    "Receiver Name",
    "Phone Number",
    "Delivery Address",
    "Town",
    "District",
    "Province",
    "Region",
    "Country",
    "Zip Code",
    "Remark from buyer",
    "Order Complete Time",
    "Note",
]
LAZADA_HEADER = [
    "orderItemId",
    "orderType",
    "Guarantee",
    "deliveryType",
    "lazadaId",
    "sellerSku",
    "lazadaSku",
    "wareHouse",
    "createTime",
    "updateTime",
    "rtsSla",
    "ttsSla",
    "orderNumber",
    "invoiceRequired",
    "invoiceNumber",
    "deliveredDate",
    "customerName",
    "customerEmail",
    "nationalRegistrationNumber",
    "shippingName",
    "shippingAddress",
    "shippingAddress2",
    "shippingAddress3",
    "shippingAddress4",
    "shippingAddress5",
    "shippingPhone",
    "shippingPhone2",
    "shippingCity",
    "shippingPostCode",
    "shippingCountry",
    "shippingRegion",
    "billingName",
    "billingAddr",
    "billingAddr2",
    "billingAddr3",
    "billingAddr4",
    "billingAddr5",
    "billingPhone",
    "billingPhone2",
    "billingCity",
    "billingPostCode",
    "billingCountry",
    "taxCode",
    "branchNumber",
    "taxInvoiceRequested",
    "payMethod",
    "paidPrice",
    "unitPrice",
    "sellerDiscountTotal",
    "shippingFee",
    "walletCredit",
    "itemName",
    "variation",
    "cdShippingProvider",
    "shippingProvider",
    "shipmentTypeName",
    "shippingProviderType",
    "cdTrackingCode",
    "trackingCode",
    "trackingUrl",
    "shippingProviderFM",
    "trackingCodeFM",
    "trackingUrlFM",
    "promisedShippingTime",
    "premium",
    "status",
    "buyerFailedDeliveryReturnInitiator",
    "buyerFailedDeliveryReason",
    "buyerFailedDeliveryDetail",
    "buyerFailedDeliveryUserName",
    "bundleId",
    "bundleDiscount",
    "refundAmount",
]
TIKTOK_HEADER = [
    "Order ID",
    "Order Status",
    "Order Substatus",
    "Cancelation/Return Type",
    "Normal or Pre-order",
    "SKU ID",
    "Seller SKU",
    "Product ID",
    "Product Name",
    "Variation",
    " Virtual Bundle Seller SKU",
    "Quantity",
    "Sku Quantity of return",
    "SKU Unit Original Price",
    "SKU Subtotal Before Discount",
    "SKU Platform Discount",
    "SKU Seller Discount",
    "SKU Subtotal After Discount",
    "Shipping Fee After Discount",
    "Original Shipping Fee",
    "Shipping Fee Seller Discount",
    "Co-Funded Shipping Fee Discount",
    "Shipping Fee Platform Discount",
    "Payment platform discount",
    "Retail Delivery Fee",
    "Taxes",
    "Order Amount",
    "Order Refund Amount",
    "Created Time",
    "Paid Time",
    "RTS Time",
    "Shipped Time",
    "Delivered Time",
    "Cancelled Time",
    "Cancel By",
    "Cancel Reason",
    "Fulfillment Type",
    "Warehouse Name",
    "Tracking ID",
    "Delivery Option Type",
    "Delivery Option",
    "Shipping Provider Name",
    "Buyer Message",
    "Buyer Nickname",
    "Buyer Username",
    "Recipient",
    "Phone #",
    "Country",
    "State",
    "City",
    "Zipcode",
    "Address Line 1",
    "Address Line 2",
    "Delivery Instruction",
    "Payment Method",
    "Weight(kg)",
    "Product Category",
    "Package ID",
    "Seller Note",
    "Shipping Information",
    "Combined Listing",
    "Order Channel",
    "Creator Handle",
]
AMAZON_HEADER = [
    "order-id",
    "order-item-id",
    "purchase-date",
    "payments-date",
    "buyer-email",
    "buyer-name",
    "buyer-phone-number",
    "sku",
    "product-name",
    "quantity-purchased",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "ship-service-level",
    "recipient-name",
    "ship-address-1",
    "ship-address-2",
    "ship-address-3",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "ship-phone-number",
    "bill-address-1",
    "bill-address-2",
    "bill-address-3",
    "bill-city",
    "bill-state",
    "bill-postal-code",
    "bill-country",
    "item-promotion-discount",
    "item-promotion-id",
    "ship-promotion-discount",
    "ship-promotion-id",
    "delivery-start-date",
    "delivery-end-date",
    "delivery-time-zone",
    "delivery-Instructions",
    "sales-channel",
]
EBAY_HEADER = [
    "Sales Record Number",
    "Order Number",
    "Buyer Username",
    "Buyer Name",
    "Buyer Email",
    "Buyer Note",
    "Buyer Address 1",
    "Buyer Address 2",
    "Buyer City",
    "Buyer State",
    "Buyer Zip",
    "Buyer Country",
    "Ship To Name",
    "Ship To Phone",
    "Ship To Address 1",
    "Ship To Address 2",
    "Ship To City",
    "Ship To State",
    "Ship To Zip",
    "Ship To Country",
    "Item Number",
    "Item Title",
    "Custom Label",
    "Sold Via Promoted Listings",
    "Quantity",
    "Sold For",
    "Shipping And Handling",
    "Seller Collected Tax",
    "eBay Collected Tax",
    "Total Price",
    "Payment Method",
    "Sale Date",
    "Paid On Date",
    "Ship By Date",
    "Shipped On Date",
    "Feedback Left",
    "Feedback Received",
    "My Item Note",
    "Shipping Service",
    "Tracking Number",
    "Transaction ID",
    "Variation Details",
]
SHOPIFY_HEADER = [
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Fulfilled at",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Code",
    "Discount Amount",
    "Shipping Method",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem compare at price",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Lineitem taxable",
    "Lineitem fulfillment status",
    "Billing Name",
    "Billing Street",
    "Billing Address1",
    "Billing Address2",
    "Billing Company",
    "Billing City",
    "Billing Zip",
    "Billing Province",
    "Billing Country",
    "Billing Phone",
    "Shipping Name",
    "Shipping Street",
    "Shipping Address1",
    "Shipping Address2",
    "Shipping Company",
    "Shipping City",
    "Shipping Zip",
    "Shipping Province",
    "Shipping Country",
    "Shipping Phone",
    "Notes",
    "Note Attributes",
    "Cancelled at",
    "Payment Method",
    "Payment Reference",
    "Refunded Amount",
    "Vendor",
    "Outstanding Balance",
    "Employee",
    "Location",
    "Device ID",
    "Id",
    "Tags",
    "Risk Level",
    "Source",
    "Lineitem discount",
    "Tax 1 Name",
    "Tax 1 Value",
    "Tax 2 Name",
    "Tax 2 Value",
    "Tax 3 Name",
    "Tax 3 Value",
    "Tax 4 Name",
    "Tax 4 Value",
    "Tax 5 Name",
    "Tax 5 Value",
    "Phone",
    "Receipt Number",
    "Duties",
    "Billing Province Name",
    "Shipping Province Name",
    "Payment ID",
    "Payment Terms Name",
    "Next Payment Due At",
    "Payment References",
]
SHOPIFY_CUSTOMERS_HEADER = [
    "Customer ID",
    "First Name",
    "Last Name",
    "Email",
    "Accepts Email Marketing",
    "Default Address Company",
    "Default Address Address1",
    "Default Address Address2",
    "Default Address City",
    "Default Address Province Code",
    "Default Address Country Code",
    "Default Address Zip",
    "Default Address Phone",
    "Phone",
    "Accepts SMS Marketing",
    "Total Spent",
    "Total Orders",
    "Note",
    "Tax Exempt",
    "Tags",
]
INTERACTIONS_HEADER = [
    "platform",
    "buyer_key",
    "kind",
    "occurred_at",
    "rating",
    "body",
    "language",
    "order_ref",
    "reason",
]
# Why buyers return or complain (docs/service.md), and who answers the NPS survey: chosen from the order number,
# so the other columns' random draws (and every file the demo wrote before) stay as they were.
RETURN_REASONS = ("wrong size", "damaged in transit", "not as described", "changed mind", "arrived late")
COMPLAINT_REASONS = ("late delivery", "no tracking update")  # the complaints' words are about a late parcel
NPS_SHARE = 8  # % of completed orders followed by an NPS answer
EVENTS_HEADER = ["platform", "buyer_key", "kind", "sku", "product_name", "value", "currency", "occurred_at"]
# The Shopify store's review apps' exports (docs/service.md, "Platform review exports"): Shopify's Product Reviews
# app and Judge.me, each for a share of the completed Shopify orders that interactions.csv has no review of.
# The headers are the importer's own signatures of the two layouts (crm.importing.platforms).
SHOPIFY_REVIEWS_HEADER = list(ShopifyProductReviews.signature)
JUDGEME_HEADER = list(JudgeMeReviews.signature)
REVIEW_APP_SHARE = 8  # % of those orders reviewed in each app's export

# How each platform writes a normalised status.
SHOPEE_STATUS = {
    "pending": "Unpaid",
    "paid": "To ship",
    "shipped": "Shipping",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "returned": "Completed",
}
SHOPEE_RETURN_STATUS = "Return/Refund Accepted"
LAZADA_STATUS = {
    "pending": "unpaid",
    "paid": "ready_to_ship",
    "shipped": "shipped",
    "completed": "delivered",
    "cancelled": "canceled",
    "returned": "returned",
}
TIKTOK_STATUS = {
    "pending": "Unpaid",
    "paid": "To ship",
    "shipped": "Shipped",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "returned": "Completed",
}


def _local(order: DemoOrder) -> datetime:
    return order.created.astimezone(ZoneInfo(STORES[order.store].tz))


def _address(rng: random.Random, country: str) -> tuple[str, str, str, str]:
    city, province = rng.choice(_CITIES[country])
    number = rng.randint(1, 999)
    street = {
        "SG": f"Blk {number} Tampines Street {rng.randint(11, 99)}, #0{rng.randint(1, 9)}-{rng.randint(10, 400)}",
        "MY": f"No. {number}, Jalan {rng.choice(['Ampang', 'Bukit Bintang', 'SS2/24', 'Tun Razak'])}",
        "TH": f"{number}/{rng.randint(1, 99)} Soi Sukhumvit {rng.randint(1, 101)}",
        "PH": f"{number} {rng.choice(['Mabini', 'Rizal', 'Bonifacio'])} St., Brgy. {rng.randint(1, 200)}",
        "ID": f"Jl. {rng.choice(['Sudirman', 'Thamrin', 'Gatot Subroto'])} No. {number}",
    }.get(
        country,
        f"{number} {rng.choice(['Oak', 'Maple', 'High', 'Station', 'Church'])} "
        f"{rng.choice(['Street', 'Road', 'Avenue', 'Lane'])}",
    )
    zip_code = {
        "SG": f"{rng.randint(10, 82):02d}{rng.randint(0, 9999):04d}",
        "GB": f"E{rng.randint(1, 20)} {rng.randint(1, 9)}AB",
        "US": f"{rng.randint(10001, 98199)}",
    }.get(country, f"{rng.randint(10000, 99999)}")
    return street, city, province, zip_code


def _write_rows_xlsx(path: Path, sheet: str, header: list[str], rows: Iterable[dict[str, object]]) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "strings_to_formulas": False,
        },
    )
    ws = workbook.add_worksheet(sheet)
    ws.write_row(0, 0, header)
    for i, row in enumerate(rows, start=1):
        _check_columns(path, header, row)
        for j, name in enumerate(header):
            value = row.get(name)
            if value is None or value == "":
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(i, j, value)
            else:
                ws.write_string(i, j, str(value))
    workbook.close()


def _check_columns(path: Path, header: list[str], row: dict[str, object]) -> None:
    unknown = set(row) - set(header)
    if unknown:  # a typo in a writer would silently drop a column
        raise AssertionError(f"{path.name}: columns not in the header: {sorted(unknown)}")


def _stable(text: str, modulo: int) -> int:
    """A number derived from text, the same in every process (unlike hash())."""
    return zlib.crc32(text.encode("utf-8")) % modulo


def _shopee_rows(rng: random.Random, orders: list[DemoOrder]) -> Iterable[dict[str, object]]:
    for order in orders:
        cur = order.currency
        person = order.person
        local = _local(order)
        street, city, province, zip_code = _address(rng, person.country)
        phone = person.phone_shown.get(order.store) or f"******{person.phone[-2:]}"
        items_qty = sum(line.qty for line in order.lines)
        unpaid = order.status == "pending" or (order.status == "cancelled" and rng.random() < 0.5)
        paid_at = "" if unpaid else f"{local + timedelta(minutes=rng.randint(0, 20)):%Y-%m-%d %H:%M}"
        done = order.status in {"completed", "returned"}
        complete = f"{local + timedelta(days=rng.randint(4, 9)):%Y-%m-%d %H:%M}" if done else ""
        ship_time = (
            f"{local + timedelta(days=1, hours=rng.randint(1, 20)):%Y-%m-%d %H:%M}"
            if order.status in {"shipped", "completed", "returned"}
            else ""
        )
        tracking = f"SPX{STORES[order.store].country}{rng.randrange(10**12):012d}" if ship_time else ""
        remark = "Please pack carefully, it is a gift" if rng.random() < 0.03 else ""
        order_level: dict[str, object] = {
            "Order ID": order.order_id,
            "Order Status": SHOPEE_STATUS[order.status],
            "Return / Refund Status": SHOPEE_RETURN_STATUS if order.status == "returned" else "",
            "Tracking Number*": tracking,
            "Shipping Option": "Standard Delivery",
            "Shipment Method": "Dropoff",
            "Estimated Ship Out Date": f"{local + timedelta(days=2):%Y-%m-%d}",
            "Ship Time": ship_time,
            "Order Creation Date": f"{local:%Y-%m-%d %H:%M}",
            "Order Paid Time": paid_at,
            "Number of Items in Order": items_qty,
            "Order Total Weight": f"{0.25 * items_qty:.2f}",
            f"Seller Voucher({cur})": _fmt(order.voucher, cur),
            "Seller Absorbed Coin Cashback": "0",
            f"Shopee Voucher({cur})": "0",
            "Bundle Deals Indicator(Y/N)": "N",
            f"Shopee Bundle Discount({cur})": "0",
            f"Seller Bundle Discount({cur})": "0",
            f"Shopee Coins Offset({cur})": "0",
            f"Credit Card Discount Total({cur})": "0",
            f"Products' Price Paid by Buyer ({cur})": _fmt(order.items_total - order.voucher, cur),
            "Buyer Paid Shipping Fee": _fmt(order.shipping, cur),
            "Shipping Rebate Estimate": "0",
            "Reverse Shipping Fee": "0",
            "Service Fee": _fmt(_round_like(order.items_total * 0.04, cur), cur),
            "Grand Total": _fmt(order.total, cur),
            "Estimated Shipping Fee": _fmt(_shipping_fee(cur), cur),
            "Username (Buyer)": person.usernames["shopee"],
            "Receiver Name": person.display,
            "Phone Number": phone,
            "Delivery Address": f"{street}, {city} {zip_code}",
            "Province": province,
            "Country": COUNTRY_NAMES[person.country],
            "Zip Code": zip_code,
            "Remark from buyer": remark,
            "Order Complete Time": complete,
        }
        for line in order.lines:
            discount = (line.list_price - line.unit_price) * line.qty
            yield {
                **order_level,
                "Parent SKU Reference No.": line.sku,
                "Product Name": line.name,
                "SKU Reference No.": f"{line.sku}-{line.variation[:2].upper()}"
                if line.variation
                else line.sku,
                "Variation Name": line.variation,
                "Original Price": _fmt(line.list_price, cur),
                "Deal Price": _fmt(line.unit_price, cur),
                "Quantity": line.qty,
                "Product Subtotal": _fmt(line.unit_price * line.qty, cur),
                f"Total Discount({cur})": _fmt(discount, cur),
                f"Price Discount(from Seller)({cur})": _fmt(discount, cur),
                f"Shopee Rebate({cur})": "0",
                "SKU Total Weight": f"{0.25 * line.qty:.2f}",
            }


def _lazada_rows(
    rng: random.Random, orders: list[DemoOrder], item_ids: list[int]
) -> Iterable[dict[str, object]]:
    for order in orders:
        cur = order.currency
        person = order.person
        local = _local(order)
        street, city, province, zip_code = _address(rng, person.country)
        shown = person.phone_shown.get(order.store)
        # Lazada keeps some phones as numbers (no '+', leading zeros lost): 6591234567 as a number cell.
        phone: object = (
            f"******{person.phone[-2:]}"
            if shown is None
            else (int(person.phone[1:]) if rng.random() < 0.3 else shown)
        )
        postcode: object = int(zip_code) if zip_code.isdigit() and rng.random() < 0.5 else zip_code
        units = [line for line in order.lines for _ in range(line.qty)]
        share = [order.voucher // len(units)] * len(units)
        share[0] += order.voucher - sum(share)
        delivered = (
            f"{local + timedelta(days=rng.randint(3, 8)):%d %b %Y %H:%M}"
            if order.status in {"completed", "returned"}
            else ""
        )
        tracking = (
            f"LXAD-{rng.randrange(10**10)}" if order.status in {"shipped", "completed", "returned"} else ""
        )
        country = COUNTRY_NAMES[person.country]
        order_level: dict[str, object] = {
            "orderType": "Normal",
            "deliveryType": "dropship",
            "wareHouse": "dropshipping",
            "createTime": f"{local:%d %b %Y %H:%M}",
            "updateTime": f"{local + timedelta(hours=rng.randint(1, 30)):%d %b %Y %H:%M}",
            "orderNumber": int(order.order_id),
            "invoiceRequired": "No",
            "deliveredDate": delivered,
            "customerName": person.usernames["lazada"],
            "shippingName": person.display,
            "shippingAddress": street,
            "shippingAddress4": city,
            "shippingAddress5": province,
            "shippingPhone": phone,
            "shippingCity": city,
            "shippingPostCode": postcode,
            "shippingCountry": country,
            "shippingRegion": province,
            "billingName": person.display,
            "billingAddr": street,
            "billingPhone": phone,
            "billingCity": city,
            "billingPostCode": postcode,
            "billingCountry": country,
            "taxInvoiceRequested": "No",
            "payMethod": rng.choice(["MIXEDCARD", "MIXEDCARD", "COD", "LazadaWallet"]),
            "shippingProvider": "LEX",
            "shipmentTypeName": "Dropshipping",
            "trackingCode": tracking,
            "status": LAZADA_STATUS[order.status],
        }
        for i, line in enumerate(units):
            item_ids[0] += 1
            yield {
                **order_level,
                "orderItemId": item_ids[0],
                "lazadaId": str(100_000_000 + _stable(line.sku, 10**8)),
                "sellerSku": line.sku,
                "lazadaSku": f"{_stable(line.sku, 10**9)}_{person.country}AMZ",
                "paidPrice": _fmt(line.unit_price - share[i], cur),
                "unitPrice": _fmt(line.unit_price, cur),
                "sellerDiscountTotal": _fmt(-share[i], cur),
                "shippingFee": _fmt(order.shipping if i == 0 else 0, cur),
                "walletCredit": "0",
                "itemName": line.name,
                "variation": line.variation,
                "refundAmount": _fmt(line.unit_price - share[i] if order.status == "returned" else 0, cur),
            }


def _tiktok_time(dt: datetime) -> str:
    return f"{dt:%d/%m/%Y %H:%M:%S}\t"


def _tiktok_rows(rng: random.Random, orders: list[DemoOrder]) -> Iterable[dict[str, object]]:
    for order in orders:
        cur = order.currency
        person = order.person
        local = _local(order)
        shown = person.phone_shown.get(order.store)
        number = phonenumbers.parse(person.phone)
        nsn = str(number.national_number)
        phone = shown or f"(+{number.country_code}){nsn[:2]}*****{nsn[-2:]}"
        street, city, province, zip_code = _address(rng, person.country)
        paid = (
            "" if order.status == "pending" else _tiktok_time(local + timedelta(minutes=rng.randint(0, 15)))
        )
        shipped = (
            _tiktok_time(local + timedelta(days=1, hours=rng.randint(1, 12)))
            if order.status in {"shipped", "completed", "returned"}
            else ""
        )
        delivered = (
            _tiktok_time(local + timedelta(days=rng.randint(3, 7)))
            if order.status in {"completed", "returned"}
            else ""
        )
        cancelled = (
            _tiktok_time(local + timedelta(hours=rng.randint(1, 30))) if order.status == "cancelled" else ""
        )
        order_level: dict[str, object] = {
            "Order ID": order.order_id + "\t",
            "Order Status": TIKTOK_STATUS[order.status],
            "Order Substatus": {
                "completed": "Delivered",
                "returned": "Delivered",
                "shipped": "In transit",
                "paid": "Awaiting shipment",
            }.get(order.status, ""),
            "Cancelation/Return Type": {"cancelled": "Cancel", "returned": "Return/Refund"}.get(
                order.status, ""
            ),
            "Normal or Pre-order": "Normal",
            "Shipping Fee After Discount": _fmt(order.shipping, cur),
            "Original Shipping Fee": _fmt(order.shipping, cur),
            "Shipping Fee Seller Discount": "0",
            "Co-Funded Shipping Fee Discount": "0",
            "Shipping Fee Platform Discount": "0",
            "Payment platform discount": "0",
            "Order Amount": _fmt(order.total, cur),
            "Order Refund Amount": _fmt(order.total if order.status == "returned" else 0, cur),
            "Created Time": _tiktok_time(local),
            "Paid Time": paid,
            "RTS Time": shipped,
            "Shipped Time": shipped,
            "Delivered Time": delivered,
            "Cancelled Time": cancelled,
            "Cancel By": "User" if cancelled else "",
            "Cancel Reason": "No longer needed" if cancelled else "",
            "Fulfillment Type": "Fulfillment by seller",
            "Warehouse Name": "Main warehouse",
            "Delivery Option Type": "Standard",
            "Delivery Option": "Standard shipping",
            "Shipping Provider Name": "J&T Express" if shipped else "",
            "Buyer Nickname": person.given.split()[0],
            "Buyer Username": person.usernames["tiktok"],
            "Recipient": person.display,
            "Phone #": phone,
            "Country": COUNTRY_NAMES[person.country],
            "State": province,
            "City": city,
            "Zipcode": zip_code,
            "Address Line 1": street,
            "Payment Method": rng.choice(["Cash on delivery", "Credit/debit card", "E-wallet"]),
            "Order Channel": "Mobile",
        }
        for i, line in enumerate(order.lines):
            before = line.list_price * line.qty
            seller_disc = (line.list_price - line.unit_price) * line.qty + (order.voucher if i == 0 else 0)
            yield {
                **order_level,
                "SKU ID": f"{1729000000000000000 + _stable(line.sku, 10**15)}\t",
                "Seller SKU": line.sku,
                "Product ID": f"{1729100000000000000 + _stable(line.name, 10**15)}\t",
                "Product Name": line.name,
                "Variation": line.variation,
                "Quantity": str(line.qty),
                "Sku Quantity of return": str(line.qty) if order.status == "returned" else "0",
                "SKU Unit Original Price": _fmt(line.list_price, cur),
                "SKU Subtotal Before Discount": _fmt(before, cur),
                "SKU Platform Discount": "0",
                "SKU Seller Discount": _fmt(seller_disc, cur),
                "SKU Subtotal After Discount": _fmt(before - seller_disc, cur),
                "Weight(kg)": f"{0.25 * line.qty:.2f}",
                "Product Category": line.category,
            }


def _amazon_rows(rng: random.Random, orders: list[DemoOrder]) -> Iterable[dict[str, object]]:
    for order in orders:
        cur = order.currency
        person = order.person
        street, city, province, zip_code = _address(rng, person.country)
        created = f"{order.created:%Y-%m-%dT%H:%M:%S+00:00}"
        channel = "Amazon.co.uk" if STORES[order.store].country == "GB" else "Amazon.com"
        for i, line in enumerate(order.lines):
            promo = order.voucher if i == 0 else 0
            yield {
                "order-id": order.order_id,
                "order-item-id": f"{rng.randrange(10**13, 10**14)}",
                "purchase-date": created,
                "payments-date": created,
                "buyer-email": person.amazon_relay,
                "buyer-name": person.display,
                "sku": line.sku,
                "product-name": line.name,
                "quantity-purchased": str(line.qty),
                "currency": cur,
                "item-price": _fmt(line.unit_price * line.qty, cur),
                "item-tax": "0.00",
                "shipping-price": _fmt(order.shipping if i == 0 else 0, cur),
                "shipping-tax": "0.00",
                "ship-service-level": "Standard",
                "recipient-name": person.display,
                "ship-address-1": street,
                "ship-city": city,
                "ship-state": province,
                "ship-postal-code": zip_code,
                "ship-country": person.country,
                "item-promotion-discount": _fmt(promo, cur),
                "item-promotion-id": "Seasonal deal" if promo else "",
                "ship-promotion-discount": "0.00",
                "sales-channel": channel,
            }


def _ebay_rows(rng: random.Random, orders: list[DemoOrder], cutoff: datetime) -> Iterable[dict[str, object]]:
    pacific = ZoneInfo("America/Los_Angeles")
    for n, order in enumerate(orders, start=1):
        person = order.person
        line = order.lines[0]
        local = order.created.astimezone(pacific)
        street, city, province, zip_code = _address(rng, person.country)
        shipped = local + timedelta(days=rng.randint(1, 3))
        country = COUNTRY_NAMES[person.country]
        yield {
            "Sales Record Number": str(n),
            "Order Number": order.order_id,
            "Buyer Username": person.usernames["ebay"],
            "Buyer Name": person.display,
            "Buyer Email": person.email_shown["ebay"],
            "Buyer Address 1": street,
            "Buyer City": city,
            "Buyer State": province,
            "Buyer Zip": zip_code,
            "Buyer Country": country,
            "Ship To Name": person.display,
            "Ship To Phone": person.phone_shown.get(order.store) or "",
            "Ship To Address 1": street,
            "Ship To City": city,
            "Ship To State": province,
            "Ship To Zip": zip_code,
            "Ship To Country": country,
            "Item Number": str(300000000000 + _stable(line.sku, 10**9)),
            "Item Title": line.name,
            "Custom Label": line.sku,
            "Sold Via Promoted Listings": "Yes" if rng.random() < 0.2 else "No",
            "Quantity": str(line.qty),
            "Sold For": "$" + _fmt(line.unit_price, "USD"),
            "Shipping And Handling": "$" + _fmt(order.shipping, "USD"),
            "Total Price": "$" + _fmt(order.total, "USD"),
            "Payment Method": "PayPal",
            "Sale Date": f"{local:%b-%d-%y}",
            "Paid On Date": f"{local:%b-%d-%y}",
            "Ship By Date": f"{local + timedelta(days=3):%b-%d-%y}",
            "Shipped On Date": f"{shipped:%b-%d-%y}" if shipped < cutoff else "",
            "Shipping Service": "USPS Ground Advantage",
            "Transaction ID": str(rng.randrange(10**12)),
            "Variation Details": line.variation,
        }


def _shopify_rows(rng: random.Random, orders: list[DemoOrder]) -> Iterable[dict[str, object]]:
    for order in orders:
        cur = order.currency
        person = order.person
        local = _local(order)
        created = f"{local:%Y-%m-%d %H:%M:%S %z}"
        street, city, province, zip_code = _address(rng, person.country)
        phone = person.phone_shown.get("shopify") or ""
        financial = {
            "pending": "pending",
            "paid": "paid",
            "shipped": "paid",
            "completed": "paid",
            "cancelled": "voided",
            "returned": "refunded",
        }[order.status]
        refunded = order.total if order.status == "returned" else order.partial_refund
        if order.partial_refund:
            financial = "partially_refunded"
        fulfilled = order.status in {"shipped", "completed", "returned"}
        cancelled_at = (
            f"{local + timedelta(hours=rng.randint(1, 40)):%Y-%m-%d %H:%M:%S %z}"
            if order.status == "cancelled"
            else ""
        )
        notes = "Gift wrap please.\nLeave at the door if nobody answers." if rng.random() < 0.04 else ""
        code = ("BFCM15" if local.month == 11 else "WELCOME5") if order.voucher else ""
        order_level: dict[str, object] = {
            "Financial Status": financial,
            "Paid at": "" if financial in {"pending", "voided"} else created,
            "Fulfillment Status": "fulfilled" if fulfilled else "unfulfilled",
            "Fulfilled at": f"{local + timedelta(days=1):%Y-%m-%d %H:%M:%S %z}" if fulfilled else "",
            "Accepts Marketing": "yes" if person.accepts_marketing else "no",
            "Currency": cur,
            "Subtotal": _fmt(order.items_total - order.voucher, cur),
            "Shipping": _fmt(order.shipping, cur),
            "Taxes": "0.00",
            "Total": _fmt(order.total, cur),
            "Discount Code": code,
            "Discount Amount": _fmt(order.voucher, cur),
            "Shipping Method": "Standard" if person.country == "SG" else "Standard International",
            "Billing Name": person.display,
            "Billing Street": street,
            "Billing Address1": street,
            "Billing City": city,
            "Billing Zip": zip_code,
            "Billing Province": province,
            "Billing Country": person.country,
            "Billing Phone": phone,
            "Shipping Name": person.display,
            "Shipping Street": street,
            "Shipping Address1": street,
            "Shipping City": city,
            "Shipping Zip": zip_code,
            "Shipping Province": province,
            "Shipping Country": person.country,
            "Shipping Phone": phone,
            "Notes": notes,
            "Cancelled at": cancelled_at,
            "Payment Method": "Shopify Payments",
            "Payment Reference": f"c{rng.randrange(10**10)}.1",
            "Refunded Amount": _fmt(refunded, cur),
            "Outstanding Balance": "0.00",
            "Id": str(5_100_000_000_000 + rng.randrange(10**9)),
            "Risk Level": "Low",
            "Source": "web",
            "Phone": phone,
            "Billing Province Name": province,
            "Shipping Province Name": province,
        }
        for i, line in enumerate(order.lines):
            yield {
                **(order_level if i == 0 else {}),
                "Name": order.order_id,
                "Email": person.email_shown["shopify"],
                "Created at": created,
                "Lineitem quantity": str(line.qty),
                "Lineitem name": f"{line.name} - {line.variation}" if line.variation else line.name,
                "Lineitem price": _fmt(line.unit_price, cur),
                "Lineitem compare at price": _fmt(line.list_price, cur)
                if line.list_price != line.unit_price
                else "",
                "Lineitem sku": line.sku,
                "Lineitem requires shipping": "true",
                "Lineitem taxable": "true",
                "Lineitem fulfillment status": "fulfilled" if fulfilled else "pending",
                "Vendor": "SellerMate Demo",
                "Lineitem discount": "0.00",
            }


def _shopify_customer_rows(rng: random.Random, dataset: DemoDataset) -> Iterable[dict[str, object]]:
    spent: dict[int, int] = {}
    count: dict[int, int] = {}
    people: dict[int, Person] = {}
    for order in dataset.orders:
        if order.store == "shopify":
            people[order.person.pid] = order.person
            if order.status in {"paid", "shipped", "completed"}:
                spent[order.person.pid] = spent.get(order.person.pid, 0) + order.total - order.partial_refund
                count[order.person.pid] = count.get(order.person.pid, 0) + 1
    for person in sorted(people.values(), key=lambda p: p.pid) + dataset.prospects:
        street, city, province, zip_code = _address(rng, person.country)
        # Shopify prefixes ids, zips and phones with an apostrophe so Excel keeps them as text.
        phone = f"'{person.phone}" if person.phone_shown.get("shopify") else ""
        tags = ", ".join(
            t
            for t in (
                "VIP" if count.get(person.pid, 0) >= 5 else "",
                "newsletter" if person.accepts_marketing else "",
            )
            if t
        )
        yield {
            "Customer ID": f"'{_shopify_customer_id(person)}",
            "First Name": person.given,
            "Last Name": person.family,
            "Email": person.email.lower(),
            "Accepts Email Marketing": "yes" if person.accepts_marketing else "no",
            "Default Address Address1": street,
            "Default Address City": city,
            "Default Address Province Code": province[:3].upper(),
            "Default Address Country Code": person.country,
            "Default Address Zip": f"'{zip_code}",
            "Default Address Phone": phone,
            "Phone": phone,
            "Accepts SMS Marketing": "no",
            "Total Spent": _fmt(spent.get(person.pid, 0), "USD"),
            "Total Orders": str(count.get(person.pid, 0)),
            "Tax Exempt": "no",
            "Tags": tags,
        }


def _write_csv(
    path: Path,
    header: list[str],
    rows: Iterable[dict[str, object]] | Iterable[list[str]],
    *,
    delimiter: str = ",",
    bom: bool = False,
    line_end: str = "\n",
    before: list[str] | None = None,
    after: list[str] | None = None,
) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        for text in before or []:
            fh.write(text + line_end)
        writer = csv.writer(
            fh,
            delimiter=delimiter,
            lineterminator=line_end,
            quoting=csv.QUOTE_MINIMAL if delimiter == "," else csv.QUOTE_NONE,
            escapechar=None if delimiter == "," else "\\",
        )
        writer.writerow(header)
        for row in rows:
            if isinstance(row, dict):
                _check_columns(path, header, row)
                writer.writerow(["" if row.get(h) is None else row.get(h) for h in header])
            else:
                writer.writerow(row)
        for text in after or []:
            fh.write(text + line_end)


# ---------------------------------------------------------------- chats, reviews and shopping behaviour

_REVIEWS = {
    "en": {
        5: [
            "Love it! Fast delivery and well packed.",
            "Great quality, will buy again.",
            "Exactly as described, thank you!",
        ],
        4: ["Good product, delivery a bit slow.", "Nice, but the box was dented."],
        3: ["It's okay. Expected a bit more for the price."],
        2: ["Colour is different from the photo.", "Took two weeks to arrive."],
        1: ["Item arrived broken, very disappointed.", "Wrong item sent, still waiting for a reply."],
    },
    "zh": {
        5: ["质量很好，发货很快，会回购！", "包装很用心，谢谢老板"],
        4: ["东西不错，就是物流慢了点"],
        3: ["一般般，和预期差不多"],
        2: ["颜色和图片不一样"],
        1: ["收到就坏了，很失望", "发错货了，客服也不回"],
    },
    "ms": {
        5: ["Barang sampai cepat, kualiti terbaik!", "Sangat berpuas hati, akan beli lagi."],
        4: ["Bagus, tapi penghantaran agak lambat."],
        3: ["Okay je."],
        2: ["Warna tak sama macam gambar."],
        1: ["Barang rosak bila sampai."],
    },
    "th": {
        5: ["สินค้าดีมาก ส่งไว แพ็คดี", "ชอบมากค่ะ จะซื้ออีก"],
        4: ["ของดี แต่ส่งช้านิดหน่อย"],
        3: ["ก็โอเคค่ะ"],
        2: ["สีไม่ตรงปก"],
        1: ["ของแตกมา ผิดหวังมาก"],
    },
    "id": {
        5: ["Barang bagus, pengiriman cepat!", "Mantap, sesuai deskripsi."],
        4: ["Bagus tapi pengiriman agak lama."],
        3: ["Lumayan."],
        2: ["Warnanya beda dengan foto."],
        1: ["Barang rusak saat diterima."],
    },
    "tl": {
        5: ["Ang ganda! Mabilis dumating.", "Sulit, oorder ulit ako."],
        4: ["Maganda pero medyo natagalan."],
        3: ["Okay lang."],
        2: ["Iba ang kulay sa picture."],
        1: ["Sira pagdating, nakakadismaya."],
    },
}
_CHATS = {
    "en": [
        "Hi, is this item in stock?",
        "When will my order be shipped?",
        "Do you ship to my area?",
        "Can I change the colour of my order?",
        "Is there a bundle discount for 3 pcs?",
    ],
    "zh": ["你好，这个有现货吗？", "请问什么时候发货？", "可以改颜色吗？", "买三件有优惠吗？"],
    "ms": ["Hai, barang ni ada stok?", "Bila order saya akan dihantar?", "Boleh tukar warna?"],
    "th": ["สวัสดีค่ะ มีของไหมคะ", "จะส่งของเมื่อไหร่คะ", "เปลี่ยนสีได้ไหมคะ"],
    "id": ["Halo kak, ready stok?", "Kapan pesanan saya dikirim?", "Bisa ganti warna?"],
    "tl": ["Hi po, available pa po ba?", "Kailan po ma-ship ang order ko?"],
}
_COMPLAINTS = {
    "en": "My parcel hasn't arrived and tracking hasn't moved for a week.",
    "zh": "包裹一个星期都没有更新物流，请帮我查一下。",
    "ms": "Parcel saya belum sampai, tracking tak bergerak seminggu.",
    "th": "พัสดุยังไม่มาเลยค่ะ สถานะไม่อัปเดตมาอาทิตย์นึงแล้ว",
    "id": "Paket saya belum sampai, resi tidak update seminggu.",
    "tl": "Hindi pa dumadating ang parcel ko, isang linggo nang walang update.",
}
_RETURNS = {  # the reason is its own column (RETURN_REASONS)
    "en": "Requesting a return, please.",
    "zh": "申请退货，谢谢。",
    "ms": "Mohon pemulangan, terima kasih.",
    "th": "ขอคืนสินค้าค่ะ",
    "id": "Ajukan pengembalian, terima kasih.",
    "tl": "Hihingi po ng return.",
}


def _iso(dt: datetime, store: str) -> str:
    tz = STORES[store].tz
    return dt.astimezone(ZoneInfo(tz if tz != "UTC" else "UTC")).isoformat(timespec="seconds")


def _interaction_rows(rng: random.Random, dataset: DemoDataset, cutoff: datetime) -> list[list[str]]:
    rows: list[tuple[datetime, list[str]]] = []
    for order in dataset.orders:
        person = order.person
        platform = STORES[order.store].platform
        key = person.usernames[platform]
        lang = person.language
        if rng.random() < 0.18:
            at = order.created - timedelta(hours=rng.uniform(0.2, 30))
            rows.append(
                (
                    at,
                    [
                        platform,
                        key,
                        "chat",
                        _iso(at, order.store),
                        "",
                        rng.choice(_CHATS[lang]),
                        lang,
                        "",
                        "",
                    ],
                )
            )
        if order.status == "completed" and rng.random() < 0.3:
            at = order.created + timedelta(days=rng.uniform(4, 14))
            if at < cutoff:
                rating = rng.choices([5, 4, 3, 2, 1], weights=[60, 22, 8, 5, 5], k=1)[0]
                rows.append(
                    (
                        at,
                        [
                            platform,
                            key,
                            "review",
                            _iso(at, order.store),
                            str(rating),
                            rng.choice(_REVIEWS[lang][rating]),
                            lang,
                            order.order_id,
                            "",
                        ],
                    )
                )
        if order.status in {"shipped", "completed"} and rng.random() < 0.02:
            at = order.created + timedelta(days=rng.uniform(5, 9))
            if at < cutoff:
                rows.append(
                    (
                        at,
                        [
                            platform,
                            key,
                            "complaint",
                            _iso(at, order.store),
                            "",
                            _COMPLAINTS[lang],
                            lang,
                            order.order_id,
                            _pick(COMPLAINT_REASONS, order.order_id, "complaint"),
                        ],
                    )
                )
        if order.status == "returned":
            at = order.created + timedelta(days=rng.uniform(6, 12))
            if at < cutoff:
                rows.append(
                    (
                        at,
                        [
                            platform,
                            key,
                            "return",
                            _iso(at, order.store),
                            "",
                            _RETURNS[lang],
                            lang,
                            order.order_id,
                            _pick(RETURN_REASONS, order.order_id, "return"),
                        ],
                    )
                )
        if order.status == "completed" and _stable(f"nps:{order.order_id}", 100) < NPS_SHARE:
            at = order.created + timedelta(days=15, hours=_stable(f"nps-at:{order.order_id}", 48))
            if at < cutoff:
                score = _nps_score(order.order_id)
                rows.append(
                    (
                        at,
                        [
                            platform,
                            key,
                            "nps",
                            _iso(at, order.store),
                            str(score),
                            "",
                            lang,
                            order.order_id,
                            "",
                        ],
                    )
                )
    rows.sort(key=lambda r: r[0])
    return [r for _, r in rows]


def _pick(options: tuple[str, ...], order_id: str, salt: str) -> str:
    return options[_stable(f"{salt}:{order_id}", len(options))]


def _nps_score(order_id: str) -> int:
    """0-10, about half promoters (9-10), a third passives (7-8), the rest detractors (0-6)."""
    draw = _stable(f"nps-score:{order_id}", 100)
    if draw < 50:
        return 9 + draw % 2
    if draw < 82:
        return 7 + draw % 2
    return draw % 7


def _event_rows(rng: random.Random, dataset: DemoDataset, cutoff: datetime) -> list[list[str]]:
    catalogue = {c[0]: c for c in CATALOGUE}
    rows: list[tuple[datetime, list[str]]] = []
    last_order: dict[tuple[int, str], DemoOrder] = {}
    for order in dataset.orders:
        platform = STORES[order.store].platform
        if platform in {"amazon", "ebay"}:
            continue  # no behaviour data from marketplaces that hide the buyer
        person = order.person
        key = person.usernames[platform]
        last_order[(person.pid, order.store)] = order
        for line in order.lines:
            for _ in range(rng.randint(1, 3)):
                at = order.created - timedelta(hours=rng.uniform(0.1, 72))
                rows.append(
                    (
                        at,
                        [
                            platform,
                            key,
                            "view",
                            line.sku,
                            line.name,
                            _fmt(line.unit_price, order.currency),
                            order.currency,
                            _iso(at, order.store),
                        ],
                    )
                )
            at = order.created - timedelta(minutes=rng.uniform(1, 50))
            rows.append(
                (
                    at,
                    [
                        platform,
                        key,
                        "add_to_cart",
                        line.sku,
                        line.name,
                        _fmt(line.unit_price * line.qty, order.currency),
                        order.currency,
                        _iso(at, order.store),
                    ],
                )
            )
    # Abandoned carts: buyers who put something in the cart in the last 60 days and did not check out.
    for (_pid, store), order in sorted(last_order.items()):
        if rng.random() >= 0.12:
            continue
        platform = STORES[store].platform
        key = order.person.usernames[platform]
        sku = rng.choice(CATALOGUE)[0]
        _, name, _, sgd, _ = catalogue[sku]
        price = _local_price(sgd, order.currency)
        at = cutoff - timedelta(days=rng.uniform(0.5, 60))
        if at <= order.created:
            continue
        rows.append(
            (
                at - timedelta(minutes=5),
                [
                    platform,
                    key,
                    "view",
                    sku,
                    name,
                    _fmt(price, order.currency),
                    order.currency,
                    _iso(at - timedelta(minutes=5), store),
                ],
            )
        )
        rows.append(
            (
                at,
                [
                    platform,
                    key,
                    "add_to_cart",
                    sku,
                    name,
                    _fmt(price, order.currency),
                    order.currency,
                    _iso(at, store),
                ],
            )
        )
        rows.append(
            (
                at + timedelta(hours=1),
                [
                    platform,
                    key,
                    "abandoned_cart",
                    sku,
                    name,
                    _fmt(price, order.currency),
                    order.currency,
                    _iso(at + timedelta(hours=1), store),
                ],
            )
        )
    rows = [r for r in rows if r[0] < cutoff]
    rows.sort(key=lambda r: r[0])
    return [r for _, r in rows]


# ---------------------------------------------------------------- the Shopify store's review apps
_REVIEW_TITLES = {
    "en": {5: "Love it", 4: "Good", 3: "Okay", 2: "Disappointed", 1: "Not happy"},
    "zh": {5: "非常满意", 4: "不错", 3: "一般", 2: "有点失望", 1: "很不满意"},
}
_REPLIES = {
    "en": "Thank you for your review!",
    "zh": "谢谢您的评价！",
}


def _app_stars(order_id: str) -> int:
    """A review's stars, from the order number: mostly 5 and 4, a few low ones."""
    draw = _stable(f"app-stars:{order_id}", 100)
    return 5 if draw < 60 else 4 if draw < 82 else 3 if draw < 90 else 2 if draw < 95 else 1


def _review_of(order: DemoOrder, salt: str) -> tuple[str, int, str, str]:
    """(product handle, stars, title, words) of a review of an order's first product, in the buyer's language."""
    from crm.importing.platforms import handle_of

    stars = _app_stars(order.order_id)
    lang = order.person.language
    words = _REVIEWS[lang][stars]
    title = _REVIEW_TITLES.get(lang, {}).get(stars, "")
    return (
        handle_of(order.lines[0].name),
        stars,
        title,
        words[_stable(f"{salt}:{order.order_id}", len(words))],
    )


def _shop_reply(order: DemoOrder, stars: int) -> str:
    """The shop answers its low reviews, in the buyer's language where it can."""
    return _REPLIES.get(order.person.language, _REPLIES["en"]) if stars <= 3 else ""


def _review_app_rows(
    dataset: DemoDataset, cutoff: datetime, interaction_rows: list[list[str]]
) -> tuple[list[list[str]], list[list[str]]]:
    """The rows of Shopify's Product Reviews export and of Judge.me's, for the Shopify store: reviews of
    completed orders that interactions.csv has none of (each review is in one file only), a spam row and a
    review by a visitor who never ordered (Product Reviews), an anonymous one (Judge.me), and a 1-star review
    a few days before the as-of date by the Shopify buyer who spent the most (a service-recovery alert)."""
    in_interactions = {r[7] for r in interaction_rows if r[0] == "shopify" and r[2] == "review"}
    shopify: list[tuple[datetime, list[str]]] = []
    judgeme: list[tuple[datetime, list[str]]] = []
    latest: dict[int, DemoOrder] = {}
    for order in dataset.orders:
        if order.store != "shopify" or order.status != "completed" or order.order_id in in_interactions:
            continue
        person = order.person
        at = order.created + timedelta(
            days=5 + _stable(f"app-day:{order.order_id}", 9),
            minutes=_stable(f"app-minute:{order.order_id}", 600),
        )
        if at >= cutoff:
            continue
        before = latest.get(person.pid)
        if order.created < cutoff - timedelta(days=20) and (before is None or before.created < order.created):
            latest[person.pid] = order  # the buyer's latest one well before the as-of date
        draw = _stable(f"app:{order.order_id}", 100)
        email = person.email_shown["shopify"]
        author = f"{person.given} {person.family[:1]}."
        if draw < REVIEW_APP_SHARE:
            handle, stars, title, words = _review_of(order, "app-words")
            reply = _shop_reply(order, stars)
            shopify.append(
                (
                    at,
                    [
                        handle,
                        "unpublished" if stars <= 2 and draw % 2 else "published",
                        str(stars),
                        title,
                        author,
                        email,
                        COUNTRY_NAMES[person.country],
                        words,
                        reply,
                        f"{at:%Y-%m-%d %H:%M:%S} UTC",
                        f"{at + timedelta(days=1):%Y-%m-%d %H:%M:%S} UTC" if reply else "",
                    ],
                )
            )
        elif draw < 2 * REVIEW_APP_SHARE:
            handle, stars, title, words = _review_of(order, "judgeme-words")
            reply = _shop_reply(order, stars)
            day = at.astimezone(SELLER_TZ).date()
            judgeme.append(
                (
                    at,
                    [
                        handle,
                        title,
                        words,
                        author,
                        email,
                        str(stars),
                        day.isoformat(),
                        reply,
                        (day + timedelta(days=1)).isoformat() if reply else "",
                        "true" if stars == 5 and draw % 3 == 0 else "false",
                        "true",
                        "true" if stars <= 2 and draw % 2 else "false",
                    ],
                )
            )
    shopify_orders = [o for o in dataset.orders if o.store == "shopify" and o.created < cutoff]
    if shopify_orders:
        first = min(shopify_orders, key=lambda o: o.created)
        handle = _review_of(first, "spam")[0]
        at = cutoff - timedelta(days=12, hours=5)
        shopify.append(
            (
                at,
                [
                    handle,
                    "spam",
                    "5",
                    "Cheap followers",
                    "Promo Bot",
                    "promo@followers.example",
                    "",
                    "Get 10k followers today, visit our site",
                    "",
                    f"{at:%Y-%m-%d %H:%M:%S} UTC",
                    "",
                ],
            )
        )
        at = cutoff - timedelta(days=9, hours=2)
        shopify.append(
            (
                at,
                [
                    handle,
                    "published",
                    "4",
                    "Nice gift",
                    "Visitor",
                    "visitor@example.org",
                    "Singapore",
                    "Bought it for a friend at a pop-up store.",
                    "",
                    f"{at:%Y-%m-%d %H:%M:%S} UTC",
                    "",
                ],
            )
        )
        day = (cutoff - timedelta(days=6)).astimezone(SELLER_TZ).date()
        judgeme.append(
            (
                cutoff - timedelta(days=6),
                [
                    handle,
                    "",
                    "Lovely!",
                    "Anonymous",
                    "",
                    "5",
                    day.isoformat(),
                    "",
                    "",
                    "false",
                    "false",
                    "false",
                ],
            )
        )
    # The Shopify buyer who spent the most (all their valid orders, in SGD) is unhappy with their latest order.
    spent: dict[int, float] = {}
    for order in dataset.orders:
        if order.status in {"paid", "shipped", "completed"} and order.created < cutoff:
            scale = 10 ** _MINOR_DIGITS.get(order.currency, 2)
            spent[order.person.pid] = (
                spent.get(order.person.pid, 0.0) + order.total / scale * RATES_SGD[order.currency]
            )
    if latest:
        top = max(latest, key=lambda pid: (spent.get(pid, 0.0), -pid))
        order = latest[top]
        person = order.person
        day = (cutoff - timedelta(days=3)).astimezone(SELLER_TZ).date()
        broken = _REVIEWS[person.language][1][0]
        judgeme.append(
            (
                cutoff - timedelta(days=3),
                [
                    _review_of(order, "valuable")[0],
                    _REVIEW_TITLES.get(person.language, {}).get(1, ""),
                    broken,
                    f"{person.given} {person.family[:1]}.",
                    person.email_shown["shopify"],
                    "1",
                    day.isoformat(),
                    "",
                    "",
                    "false",
                    "true",
                    "false",
                ],
            )
        )
    shopify.sort(key=lambda r: r[0], reverse=True)  # the apps list the newest first
    judgeme.sort(key=lambda r: r[0], reverse=True)
    return [r for _, r in shopify], [r for _, r in judgeme]


# ---------------------------------------------------------------- entry point


def demo_file_store(path: Path) -> str | None:
    """The demo store (a key of STORES) a demo file holds, or None for non-order files. The importer names
    the store itself (platform-country): `amazon-uk` is imported as `amazon-gb`, the rest as their key."""
    name = path.name
    m = re.match(r"Order\.all\.\d{8}_\d{8}\.(shopee-[a-z]{2})\.xlsx$", name)
    if m:
        return m.group(1)
    m = re.match(r"((?:lazada|tiktok)-[a-z]{2})-orders\.(?:xlsx|csv)$", name)
    if m:
        return m.group(1)
    m = re.match(r"(amazon-[a-z]{2})-order-report\.txt$", name)
    if m:
        return m.group(1)
    if name == "ebay-us-orders.csv":
        return "ebay-us"
    if name in {"orders_export.csv", "customers_export.csv"}:
        return "shopify"
    return None


def generate_demo_exports(
    out_dir: Path, *, seed: int = 7, customers: int = 1500, as_of: date | None = None
) -> list[Path]:
    """Write the demo dataset as the platforms' export files into out_dir; returns the files, rates first.

    Order: rates.csv, the order exports (Shopee, Lazada, TikTok Shop, Amazon, eBay, Shopify orders), the
    Shopify customers export, then interactions.csv and behaviour_events.csv, then the Shopify store's review
    apps' exports (shopify-product-reviews.csv, judgeme-reviews.csv).
    """
    dataset = build_demo_dataset(seed=seed, customers=customers, as_of=as_of)
    return write_demo_exports(dataset, out_dir, seed=seed)


def write_demo_exports(dataset: DemoDataset, out_dir: Path, *, seed: int = 7) -> list[Path]:
    """Write an already simulated dataset (see build_demo_dataset) as export files."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed * 7919 + 1)
    cutoff = datetime.combine(dataset.as_of, time(0), tzinfo=SELLER_TZ).astimezone(UTC)
    by_store: dict[str, list[DemoOrder]] = {key: [] for key in STORES}
    for order in dataset.orders:
        by_store[order.store].append(order)
    span = f"{dataset.start:%Y%m%d}_{dataset.as_of:%Y%m%d}"
    files: list[Path] = []

    rates = out_dir / "rates.csv"
    _write_csv(rates, ["currency", "rate"], [[c, repr(r)] for c, r in RATES_SGD.items()])
    files.append(rates)

    for key in ("shopee-sg", "shopee-my", "shopee-th", "shopee-ph"):
        path = out_dir / f"Order.all.{span}.{key}.xlsx"
        header = [h.replace("{c}", STORES[key].currency) for h in SHOPEE_HEADER]
        _write_rows_xlsx(path, "orders", header, _shopee_rows(rng, by_store[key]))
        files.append(path)
    item_ids = [100_000_000]
    for key in ("lazada-sg", "lazada-my", "lazada-id"):
        path = out_dir / f"{key}-orders.xlsx"
        _write_rows_xlsx(path, "sheet1", LAZADA_HEADER, _lazada_rows(rng, by_store[key], item_ids))
        files.append(path)
    for key in ("tiktok-sg", "tiktok-my", "tiktok-th"):
        path = out_dir / f"{key}-orders.csv"
        _write_csv(path, TIKTOK_HEADER, _tiktok_rows(rng, by_store[key]), bom=True, line_end="\r\n")
        files.append(path)
    for key in ("amazon-us", "amazon-uk"):
        path = out_dir / f"{key}-order-report.txt"
        _write_csv(path, AMAZON_HEADER, _amazon_rows(rng, by_store[key]), delimiter="\t")
        files.append(path)
    ebay = by_store["ebay-us"]
    path = out_dir / "ebay-us-orders.csv"
    blank = "," * (len(EBAY_HEADER) - 1)
    _write_csv(
        path,
        EBAY_HEADER,
        _ebay_rows(rng, ebay, cutoff),
        line_end="\r\n",
        before=[blank],
        after=[f"{len(ebay)} record(s) downloaded" + blank, "Seller ID : sellermate_demo" + blank],
    )
    files.append(path)
    path = out_dir / "orders_export.csv"
    shopify = sorted(by_store["shopify"], key=lambda o: o.created, reverse=True)  # Shopify lists newest first
    _write_csv(path, SHOPIFY_HEADER, _shopify_rows(rng, shopify))
    files.append(path)
    path = out_dir / "customers_export.csv"
    _write_csv(path, SHOPIFY_CUSTOMERS_HEADER, _shopify_customer_rows(rng, dataset))
    files.append(path)

    path = out_dir / "interactions.csv"
    interaction_rows = _interaction_rows(rng, dataset, cutoff)
    _write_csv(path, INTERACTIONS_HEADER, interaction_rows)
    files.append(path)
    path = out_dir / "behaviour_events.csv"
    _write_csv(path, EVENTS_HEADER, _event_rows(rng, dataset, cutoff))
    files.append(path)
    shopify_reviews, judgeme_reviews = _review_app_rows(dataset, cutoff, interaction_rows)
    path = out_dir / "shopify-product-reviews.csv"
    _write_csv(path, SHOPIFY_REVIEWS_HEADER, shopify_reviews)
    files.append(path)
    path = out_dir / "judgeme-reviews.csv"
    _write_csv(path, JUDGEME_HEADER, judgeme_reviews)
    files.append(path)
    return files
