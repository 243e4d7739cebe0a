"""What a seller can ask a draft for: the outreach intents, the languages, and which intents are promotional."""

from __future__ import annotations

INTENTS = (
    "welcome",
    "thank_you",
    "abandoned_cart",
    "replenishment",
    "winback",
    "review_request",
    "service_recovery",
    "festival",
    "custom",
)
LANGUAGES = ("en", "zh", "ms", "th", "id", "vi")

# Promotional messages need marketing consent. Service messages (about an order the buyer already placed or a
# problem they had) are allowed without it: a service recovery note and a review request for a delivered order.
PROMOTIONAL = frozenset(
    {"welcome", "thank_you", "abandoned_cart", "replenishment", "winback", "festival", "custom"}
)
SERVICE = frozenset(INTENTS) - PROMOTIONAL

LANGUAGE_BY_COUNTRY = {
    "TH": "th",
    "VN": "vi",
    "ID": "id",
    "MY": "ms",
    "BN": "ms",
    "CN": "zh",
    "TW": "zh",
    "HK": "zh",
    "MO": "zh",
    "SG": "en",
}

LANGUAGE_NAMES = {
    "en": "English",
    "zh": "Simplified Chinese",
    "ms": "Malay (Bahasa Melayu)",
    "th": "Thai",
    "id": "Indonesian (Bahasa Indonesia)",
    "vi": "Vietnamese",
}


def language_for_country(country: str | None) -> str:
    """The default message language for a buyer's country (English when unknown)."""
    return LANGUAGE_BY_COUNTRY.get((country or "").upper(), "en")


def normalise_language(language: str | None) -> str | None:
    """'zh-CN', 'TH', 'bahasa' and the like as one of LANGUAGES; None when not recognised."""
    if not language:
        return None
    code = language.strip().lower().replace("_", "-")
    aliases = {
        "zh-cn": "zh",
        "zh-hans": "zh",
        "zh-sg": "zh",
        "cn": "zh",
        "chinese": "zh",
        "malay": "ms",
        "bahasa": "ms",
        "thai": "th",
        "indonesian": "id",
        "in": "id",
        "vietnamese": "vi",
        "english": "en",
    }
    code = aliases.get(code, code.split("-")[0])
    return code if code in LANGUAGES else None
