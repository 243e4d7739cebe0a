"""What a seller typed to ask for a draft, read without Telegram: `/draft` arguments (customer, intent,
language; or a segment, intent, country, language), intent words and their aliases, and what a plain-language
request names when the question parser left it without a customer or a brief."""

from __future__ import annotations

import re

from crm.outreach.intents import INTENTS, normalise_language

INTENT_ALIASES = {
    "win-back": "winback",
    "win_back": "winback",
    "thankyou": "thank_you",
    "thank-you": "thank_you",
    "thanks": "thank_you",
    "vip": "thank_you",
    "cart": "abandoned_cart",
    "abandoned-cart": "abandoned_cart",
    "replenish": "replenishment",
    "reorder": "replenishment",
    "review": "review_request",
    "review-request": "review_request",
    "recovery": "service_recovery",
    "service-recovery": "service_recovery",
    "apology": "service_recovery",
    "greeting": "festival",
    "holiday": "festival",
}


def parse_intent(word: str) -> str | None:
    w = word.strip().lower()
    w = INTENT_ALIASES.get(w, w)
    return w if w in INTENTS else None


def parse_draft_args(args: str) -> tuple[str, str | None, str | None]:
    """`Tan Wei Ling winback th` -> (customer query, intent, language); intent and language are optional."""
    tokens = args.split()
    language = intent = None
    for _ in range(2):
        if len(tokens) < 2:
            break
        last = tokens[-1]
        if language is None and last.lower() != "in" and normalise_language(last):
            language = normalise_language(last)
            tokens.pop()
        elif intent is None and parse_intent(last):
            intent = parse_intent(last)
            tokens.pop()
        else:
            break
    return " ".join(tokens), intent, language


def parse_segment_args(tokens: list[str]) -> tuple[str | None, str | None, str | None, str | None]:
    """`important_winback winback TH [th]` -> (segment, intent, country, language)."""
    segment = tokens[0].lower() if tokens else None
    intent = country = language = None
    for tok in tokens[1:]:
        if intent is None and parse_intent(tok):
            intent = parse_intent(tok)
        elif country is None and re.fullmatch(r"[A-Z]{2}", tok):
            country = tok
        elif language is None and normalise_language(tok):
            language = normalise_language(tok)
    return segment, intent, country, language


_TRAILING_LANGUAGE = re.compile(
    r"\s+(?:in|using)\s+(english|chinese|mandarin|malay|bahasa(?:\s+\w+)?|thai|indonesian|vietnamese|"
    r"en|zh|ms|th|id|vi)\s*[.!?]*\s*$",
    re.IGNORECASE,
)
_NAME_AT_END = re.compile(r"\b(?:to|for)\s+(?:customer\s+)?(\S.{0,60}?)\s*[.!?]*\s*$", re.IGNORECASE)


def customer_from_text(text: str) -> str | None:
    """The customer named in a request the parser left without one ("... for Tan in Thai" -> "Tan")."""
    stripped = _TRAILING_LANGUAGE.sub("", text.strip())
    m = _NAME_AT_END.search(stripped)
    if not m:
        return None
    cand = m.group(1).strip(" '\"")
    if re.search(r"\b(all|customers?|segment|everyone|them)\b", cand, re.IGNORECASE):
        return None
    return cand or None


def is_brief(text: str) -> bool:
    """A free-form request carries its own content ("tell her the blue one is back"): a brief, not just a name."""
    return bool(re.search(r"\b(tell|say|let|saying|about|that)\b|告诉|说|通知", text, re.IGNORECASE))
