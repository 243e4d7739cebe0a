"""How the workspace set-up looks in chat: the currencies and time zones offered as buttons, the language
buttons (each language named in itself), and reading a language typed instead of tapped. The set-up
conversation is handlers/start.py.

Callback data: `setup:<step>:<value>`, step `lang` | `cur` | `tz` | `stores` during the set-up, `setlang` for
/language.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import LANGUAGES, I18n

CURRENCIES = ("SGD", "MYR", "THB", "IDR", "PHP", "VND", "USD", "CNY")
TIMEZONES = (
    "Asia/Singapore",
    "Asia/Kuala_Lumpur",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Manila",
    "Asia/Ho_Chi_Minh",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Europe/London",
    "America/New_York",
)


class SetupCB(CallbackData, prefix="setup"):
    step: str  # lang | cur | tz | stores | setlang
    value: str


def buttons(step: str, values: tuple[str, ...], per_row: int = 4) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for value in values:
        kb.button(text=value, callback_data=SetupCB(step=step, value=value))
    kb.adjust(per_row)
    return kb.as_markup()


def currency_keyboard() -> InlineKeyboardMarkup:
    return buttons("cur", CURRENCIES)


def timezone_keyboard() -> InlineKeyboardMarkup:
    return buttons("tz", TIMEZONES, 2)


def skip_stores_keyboard(i18n: I18n) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=i18n("setup.skip"), callback_data=SetupCB(step="stores", value="-"))
    return kb.as_markup()


def language_keyboard(step: str = "lang") -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for code in LANGUAGES:
        kb.button(text=I18n(code)("language.name"), callback_data=SetupCB(step=step, value=code))
    return kb.as_markup()


def typed_language(text: str) -> str | None:
    """ "English", "en", "中文", "zh" typed instead of tapping a language button."""
    wanted = text.strip().lower()
    for code in LANGUAGES:
        if wanted in (code, I18n(code)("language.name").lower()):
            return code
    return None
