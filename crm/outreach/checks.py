"""Checks on a drafted message before a seller sees it: right language, fits the channel, nothing left to
fill in, the coupon is there, and no discount the seller did not offer."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from crm.outreach.offer import discount_equivalents
from crm.text import Msg

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
# Letters only Vietnamese uses among our languages (with their tone-marked forms in U+1EA0–U+1EF9).
_VIET = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")
_WORD = re.compile(r"[a-z]+")

EN_WORDS = frozenset(
    [
        "the",
        "you",
        "your",
        "and",
        "to",
        "for",
        "we",
        "our",
        "is",
        "are",
        "with",
        "this",
        "that",
        "have",
        "thank",
        "thanks",
        "of",
        "it",
        "be",
        "will",
        "would",
        "just",
        "hope",
        "our",
        "us",
        "on",
        "in",
        "at",
    ]
)
MS_ID_WORDS = frozenset(
    [
        "anda",
        "kami",
        "untuk",
        "dan",
        "yang",
        "dengan",
        "terima",
        "kasih",
        "ini",
        "itu",
        "dari",
        "akan",
        "boleh",
        "bisa",
        "sudah",
        "tidak",
        "kepada",
        "semoga",
        "selamat",
        "pesanan",
        "kak",
        "saja",
        "sahaja",
        "lagi",
        "ada",
    ]
)

_PLACEHOLDER = re.compile(
    r"\{[^{}\n]{0,40}\}|\[\s*(?:[A-Z][A-Za-z]*[ _]?){1,4}\s*\]|<\s*[a-z_ ]{2,30}\s*>|\$[a-z_]+\b"
)
_PERCENT = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:%|％|percent|persen|peratus|phần trăm|เปอร์เซ็นต์)", re.IGNORECASE
)
_MONEY = re.compile(
    r"(?:RM|S\$|US\$|\$|฿|Rp\.?|₫|¥|€|£|SGD|MYR|THB|IDR|VND|USD|PHP|₱)\s?(\d[\d.,]*)"
    r"|(\d[\d.,]*)\s?(?:₫|đ|บาท|元|块|ringgit|baht|rupiah|dong)\b",
    re.IGNORECASE,
)
_ZHE = re.compile(r"([0-9一二三四五六七八九]+(?:\.\d)?)\s*折")


def _letters(text: str) -> tuple[int, int, int, int]:
    return (
        len(_HAN.findall(text)),
        len(_THAI.findall(text)),
        len(_LATIN.findall(text)),
        len(_VIET.findall(text)),
    )


def detect_language(text: str) -> str:
    """A rough guess: script shares for zh and th, Vietnamese letters for vi, stop words for ms/id vs en.
    Malay and Indonesian are too close to tell apart this way; both come back as 'ms'."""
    han, thai, latin, viet = _letters(text)
    total = han + thai + latin
    if total == 0:
        return "unknown"
    if han / total >= 0.3:
        return "zh"
    if thai / total >= 0.3:
        return "th"
    if latin and viet / latin >= 0.03:
        return "vi"
    words = _WORD.findall(unicodedata.normalize("NFKC", text).lower())
    en = sum(w in EN_WORDS for w in words)
    ms = sum(w in MS_ID_WORDS for w in words)
    return "ms" if ms > en else "en"


def language_matches(text: str, language: str) -> bool:
    guess = detect_language(text)
    if language in ("ms", "id"):
        return guess == "ms"
    return guess == language


def _figures(text: str) -> set[str]:
    """Numbers in a text, normalised (10.0 -> 10) so '10%' in the offer matches '10 %' in the draft."""
    out = set()
    for raw in re.findall(r"\d+(?:[.,]\d+)*", text):
        v = raw.replace(",", "")
        try:
            f = float(v)
        except ValueError:
            continue
        out.add(str(int(f)) if f == int(f) else str(f))
    return out


def invented_discounts(text: str, allowed_text: str) -> list[str]:
    """Percentages, money amounts and 折 discounts in `text` whose figures are not in `allowed_text`."""
    allowed_text = f"{allowed_text} {discount_equivalents(allowed_text)}"  # 10% off may be written 9折
    allowed = _figures(allowed_text)
    found = []
    for m in _PERCENT.finditer(text):
        if not _figures(m.group(1)) <= allowed:
            found.append(m.group(0).strip())
    for m in _MONEY.finditer(text):
        num = m.group(1) or m.group(2)
        if not _figures(num) <= allowed:
            found.append(m.group(0).strip())
    for m in _ZHE.finditer(text):
        if m.group(0) not in allowed_text:
            found.append(m.group(0))
    return found


def unfilled_placeholders(text: str, allowed: Iterable[str] = ()) -> list[str]:
    keep = {"{" + a + "}" for a in allowed}
    return [p for p in _PLACEHOLDER.findall(text) if p not in keep]


def check_draft(
    text: str,
    *,
    language: str,
    max_chars: int,
    coupon: str | None = None,
    offer_text: str = "",
    merge_fields: Iterable[str] = (),
) -> list[str]:
    """Problems with one drafted message (empty when it can be shown to the seller), in English: the words the
    LLM is told on a retry, and the logs. `draft_problems` has them as messages for the seller's language."""
    return [
        problem.render("en")
        for problem in draft_problems(
            text,
            language=language,
            max_chars=max_chars,
            coupon=coupon,
            offer_text=offer_text,
            merge_fields=merge_fields,
        )
    ]


def draft_problems(
    text: str,
    *,
    language: str,
    max_chars: int,
    coupon: str | None = None,
    offer_text: str = "",
    merge_fields: Iterable[str] = (),
) -> list[Msg]:
    """Problems with one drafted message (empty when it can be shown to the seller), as catalogue messages
    (crm/text/locales/<lang>/notes.ftl).

    `offer_text` holds what the seller offered (coupon, discount, expiry): any percentage or amount the text
    mentions must appear there.
    """
    problems: list[Msg] = []
    if not text.strip():
        return [Msg("note.check_empty")]
    if not language_matches(text, language):
        problems.append(Msg("note.check_language", {"language": language, "detected": detect_language(text)}))
    if len(text) > max_chars:
        problems.append(Msg("note.too_long", {"length": len(text), "limit": max_chars}))
    left = unfilled_placeholders(text, merge_fields)
    if left:
        problems.append(Msg("note.check_placeholders", {"names": ", ".join(sorted(set(left)))}))
    if coupon and coupon not in text:
        problems.append(Msg("note.check_coupon", {"coupon": coupon}))
    invented = invented_discounts(text, offer_text)
    if invented:
        problems.append(Msg("note.check_discounts", {"discounts": ", ".join(invented)}))
    return problems
