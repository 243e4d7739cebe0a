"""The bot's texts, one YAML catalogue per language (en.yaml, zh.yaml), and picking a user's language."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

LANGUAGES: tuple[str, ...] = ("en", "zh")
DEFAULT_LANGUAGE = "en"
_DIR = Path(__file__).parent


def pick_language(member_language: str | None, telegram_language_code: str | None = None) -> str:
    """The team member's chosen language wins; otherwise Telegram's language_code (zh* -> zh), else en."""
    if member_language in LANGUAGES:
        return member_language  # type: ignore[return-value]
    if telegram_language_code and telegram_language_code.lower().startswith("zh"):
        return "zh"
    return DEFAULT_LANGUAGE


@cache
def load_catalogue(language: str) -> dict[str, str]:
    """Flatten a language file into dotted keys ("start.welcome")."""
    with open(_DIR / f"{language}.yaml", encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    flat: dict[str, str] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        else:
            flat[prefix] = str(node)

    walk("", raw)
    return flat


class I18n:
    """Texts of one language; handlers receive it as `i18n` and call `i18n("key", name=...)`."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self._texts = load_catalogue(self.language)
        self._fallback = load_catalogue(DEFAULT_LANGUAGE)

    def __call__(self, key: str, /, **params: Any) -> str:
        template = self._texts.get(key) or self._fallback.get(key)
        if template is None:
            raise KeyError(f"missing bot text {key!r}")
        return template.format(**params) if params else template

    def __repr__(self) -> str:
        return f"I18n({self.language!r})"


def get_i18n(language: str) -> I18n:
    return I18n(language)
