"""The workspace set-up's rules, without Telegram: what counts as a currency code, a time zone, a "skip", and
the store names a seller typed. The set-up conversation (handlers/start.py) asks and replies; these decide."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SKIP_WORDS = frozenset({"skip", "-", "跳过", "无"})
MAX_STORES = 20


def is_skip(text: str) -> bool:
    return text.strip().lower() in SKIP_WORDS


def looks_like_currency(text: str) -> bool:
    """Three letters, as a seller types a currency code ("myr", "SGD")."""
    return re.fullmatch(r"[A-Za-z]{3}", text.strip()) is not None


def currency_code(value: str) -> str | None:
    """The ISO-style code of a typed or tapped currency ("myr" -> "MYR"), or None when it is not one."""
    code = value.strip().upper()
    return code if re.fullmatch(r"[A-Z]{3}", code) else None


def is_timezone(value: str) -> bool:
    """An IANA time zone name this system knows ("Asia/Kuala_Lumpur")."""
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def store_names(text: str) -> list[str]:
    """The stores a seller listed (by commas, new lines or Chinese separators), none for a skip word."""
    if is_skip(text):
        return []
    return [s.strip() for s in re.split(r"[,\n，、]", text) if s.strip()][:MAX_STORES]
