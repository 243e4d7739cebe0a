"""The bot's side of the one text system (crm/text): a user's language, and `i18n("key", **args)` for handlers.

The texts themselves are Fluent catalogues in crm/text/locales/<language>/ (bot.ftl for the bot's own); a
dotted key names a Fluent id with dots as hyphens ("start.welcome" -> start-welcome).
"""

from __future__ import annotations

from typing import Any

from crm.text import BOT_LANGUAGES, DEFAULT_LANGUAGE, Msg, render

LANGUAGES: tuple[str, ...] = BOT_LANGUAGES

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "I18n", "Msg", "get_i18n", "pick_language"]


def pick_language(member_language: str | None, telegram_language_code: str | None = None) -> str:
    """The team member's chosen language wins; otherwise Telegram's language_code (zh* -> zh), else en."""
    if member_language in LANGUAGES:
        return member_language  # type: ignore[return-value]
    if telegram_language_code and telegram_language_code.lower().startswith("zh"):
        return "zh"
    return DEFAULT_LANGUAGE


class I18n:
    """Texts of one language; handlers receive it as `i18n` and call `i18n("key", name=...)` or `i18n(msg)`."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE

    def __call__(self, key: str | Msg, /, **params: Any) -> str:
        if isinstance(key, Msg):
            return key.render(self.language)
        return render(self.language, key, **params)

    def __repr__(self) -> str:
        return f"I18n({self.language!r})"


def get_i18n(language: str) -> I18n:
    return I18n(language)
